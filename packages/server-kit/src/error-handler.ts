import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ErrorCode, defaultMessageOf, toPublicError, type ErrorBody, type Issue } from '@meshcall/shared';
import { isDependencyUnavailable } from './dependency-errors.js';

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type) mapped to our codes. */
const codeForClientStatus: Record<number, ErrorCode> = {
  400: ErrorCode.INVALID_PAYLOAD,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.INVALID_PAYLOAD,
  429: ErrorCode.RATE_LIMITED,
};

function validationIssues(error: FastifyError): Issue[] {
  const context = (error as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  return (error.validation ?? []).map((v) => ({
    path: [context, ...v.instancePath.split('/').filter(Boolean)].join('.'),
    message: v.message ?? 'is invalid',
  }));
}

/** Decides what the client sees for any error. 5xx bodies are always generic. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: error.status, body: { error: toPublicError(error) } };
  }
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    return {
      status: 400,
      body: { error: { code: ErrorCode.INVALID_PAYLOAD, message: defaultMessageOf.INVALID_PAYLOAD, details: validationIssues(fastifyError) } },
    };
  }
  if (isDependencyUnavailable(error)) {
    return { status: 503, body: { error: { code: ErrorCode.UNAVAILABLE, message: defaultMessageOf.UNAVAILABLE } } };
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  const code = codeForClientStatus[status];
  if (status < 500 && code) {
    // Fastify's own messages for these are safe and useful ("Body is not valid JSON ...").
    return { status, body: { error: { code, message: fastifyError.message || defaultMessageOf[code] } } };
  }
  return { status: 500, body: { error: { code: ErrorCode.INTERNAL, message: defaultMessageOf.INTERNAL } } };
}

/** The one error handler and not-found handler of every service. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorBody(error);
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: body.error.code, status }, 'request refused');
    }
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: ErrorCode.NOT_FOUND, message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}
