import type { FastifyInstance } from 'fastify';
import type { RefreshTokenRepository } from '../repositories/refresh-token-repository.js';

/** Often enough to keep the collections small, rarely enough to cost nothing; replicas may overlap harmlessly. */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes expired refresh-token records in the background, doing the work a TTL index would do
 * on MongoDB. A failed run (database down) is logged and simply retried at the next interval.
 */
export function startExpiredTokenJanitor(
  app: FastifyInstance,
  refreshTokens: RefreshTokenRepository,
  databaseReady: Promise<unknown>,
  intervalMs = PRUNE_INTERVAL_MS,
): void {
  const prune = async () => {
    try {
      const deleted = await refreshTokens.pruneExpired(new Date());
      if (deleted > 0) app.log.info({ deleted }, 'pruned expired refresh-token records');
    } catch (error) {
      app.log.warn({ reason: (error as Error).message }, 'pruning expired refresh-token records failed; will retry');
    }
  };
  const timer = setInterval(() => void prune(), intervalMs);
  timer.unref();
  void databaseReady.then(prune, () => undefined);
  app.addHook('onClose', async () => clearInterval(timer));
}
