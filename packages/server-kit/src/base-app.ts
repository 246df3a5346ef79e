import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
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
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  closeKeptAliveConnectionsOnShutdown(app);
  return app;
}

export type BaseApp = ReturnType<typeof createBaseApp>;

/**
 * On close, Node drops idle keep-alive sockets and Fastify answers requests arriving afterwards
 * with `Connection: close`, but a request already in flight is answered keep-alive: its socket
 * (a gateway's upstream connection, typically) stays open, the server never finishes closing
 * and the graceful stop runs into its deadline. Telling those clients to close fixes that.
 */
function closeKeptAliveConnectionsOnShutdown(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    if (closing && request.raw.httpVersionMajor === 1) void reply.header('connection', 'close');
  });
}
