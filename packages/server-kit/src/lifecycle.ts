import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

export interface ServeOptions {
  host: string;
  port: number;
  /** Extra resources to release after the HTTP server closed (database, Redis). */
  onClose?: () => Promise<void>;
  /** Hard deadline for a graceful stop; the issue asks for an exit within 10 s. */
  graceMs?: number;
}

/**
 * Listens, then on SIGTERM/SIGINT stops accepting, lets in-flight requests finish (new ones on
 * kept-alive sockets get 503), releases dependencies and exits 0; past `graceMs` it exits 1.
 */
export async function serve(app: FastifyInstance, options: ServeOptions): Promise<void> {
  closeWithGrace({ delay: options.graceMs ?? 9_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await options.onClose?.();
  });
  await app.listen({ host: options.host, port: options.port });
}
