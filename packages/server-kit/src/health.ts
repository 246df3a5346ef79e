import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '@meshcall/shared';

/** A readiness probe: resolves true when the dependency answers. */
export type ReadinessCheck = () => Promise<boolean>;

const CHECK_TIMEOUT_MS = 1500;

async function runCheck(check: ReadinessCheck): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([check(), timeout])) ? 'ok' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process is alive (never touches dependencies, so an orchestrator does not kill
 * a healthy process because the database blinked). `/readyz`: every dependency answers; 503
 * otherwise, naming the one that does not.
 */
export function registerHealthRoutes(app: FastifyInstance, service: string, checks: Record<string, ReadinessCheck>): void {
  app.get('/healthz', { logLevel: 'warn' }, async (): Promise<HealthResponse> => ({ status: 'ok', service }));
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply): Promise<HealthResponse> => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name] as ReadinessCheck)));
    const states = Object.fromEntries(names.map((name, i) => [name, results[i] as 'ok' | 'down']));
    const ready = results.every((r) => r === 'ok');
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', service, checks: states };
  });
}
