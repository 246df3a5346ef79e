import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorCode } from '@meshcall/shared';
import { installErrorHandling } from './error-handler.js';
import { loggerOptions } from './logger.js';

export interface BaseAppOptions {
  service: string;
  logLevel: string;
  /** Fastify's trustProxy: behind the gateway, client IPs come from X-Forwarded-For. */
  trustProxy: FastifyServerOptions['trustProxy'];
  /** Largest accepted body in bytes; the APIs take small JSON only. */
  bodyLimit?: number;
  /** Replace the logger (tests pass false to keep output quiet). */
  logger?: FastifyServerOptions['logger'];
}

/**
 * The Fastify instance every service starts from: zod schemas validate input and serialize
 * output, request ids follow the gateway's X-Request-Id, and errors take the one shape.
 */
export function createBaseApp(options: BaseAppOptions) {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(options.service, options.logLevel),
    trustProxy: options.trustProxy,
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // A request taking longer than this is a bug or an attack; the gateway's own timeout is longer.
    requestTimeout: 30_000,
    // Fastify's own closing-time 503 has its own body shape; answerDuringShutdown sends ours.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  answerDuringShutdown(app);
  return app;
}

export type BaseApp = ReturnType<typeof createBaseApp>;

/** Apps that are stopping: their hooks answer 503 and ask clients to close their connection. */
const stoppingApps = new WeakSet<FastifyInstance>();

/**
 * Starts a graceful stop without closing the listener yet: new requests get 503 and every answer
 * says `Connection: close`. `serve` calls this, waits a moment, then closes (see lifecycle.ts).
 */
export function beginShutdown(app: FastifyInstance): void {
  stoppingApps.add(app);
}

/**
 * During a graceful stop, requests already in flight complete, and requests arriving meanwhile
 * get 503 UNAVAILABLE in the usual error shape (the gateway or the client retries). Every answer
 * then carries `Connection: close`: otherwise a kept-alive socket (a gateway's upstream
 * connection, typically) stays open, the server never finishes closing and the stop runs into
 * its deadline.
 */
function answerDuringShutdown(app: FastifyInstance): void {
  app.addHook('preClose', async () => {
    beginShutdown(app);
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!stoppingApps.has(app)) return;
    await reply
      .status(503)
      .header('connection', 'close')
      .send({ error: { code: ErrorCode.UNAVAILABLE, message: 'The service is restarting; try again.' } });
  });
  app.addHook('onSend', async (request, reply) => {
    if (stoppingApps.has(app) && request.raw.httpVersionMajor === 1) void reply.header('connection', 'close');
  });
}
