import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyServerOptions } from 'fastify';
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
  return app;
}

export type BaseApp = ReturnType<typeof createBaseApp>;
