import closeWithGrace from 'close-with-grace';
import { setTimeout } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { beginShutdown } from './base-app.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** Extra resources to release after the HTTP server closed (database, Redis). */
  onClose?: () => Promise<void>;
  /** Hard deadline for a graceful stop; the issue asks for an exit within 10 s. */
  graceMs?: number;
  /** How long to keep reading already-sent requests before closing the listener (1 s). */
  drainMs?: number;
}

/**
 * Listens, then on SIGTERM/SIGINT drains: for `drainMs` every request that arrives or was already
 * sent is read and answered (in-flight ones complete, new ones get 503 with Connection: close),
 * because Node's `server.close()` destroys every connection whose request it has not parsed yet,
 * and those clients would see a reset instead of an answer; a busy event loop (bcrypt) can leave
 * sent requests unread for a while. Then it closes, releases dependencies and exits 0; past
 * `graceMs` it exits 1.
 */
export async function serve(app: FastifyInstance, options: ServeOptions): Promise<void> {
  closeWithGrace({ delay: options.graceMs ?? 9_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    beginShutdown(app);
    await setTimeout(options.drainMs ?? 1_000);
    await app.close();
    await options.onClose?.();
  });
  await app.listen({ host: options.host, port: options.port });
}
