import type { FastifyServerOptions } from 'fastify';

/**
 * pino options for every service: JSON, the service name on each line, and the headers that
 * carry credentials redacted so tokens and cookies never reach a log file.
 */
export function loggerOptions(service: string, level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'],
      censor: '[redacted]',
    },
  };
}
