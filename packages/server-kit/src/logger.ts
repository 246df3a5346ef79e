import type { FastifyServerOptions } from 'fastify';

/**
 * pino options for every service: JSON, the service name on each line, and the headers that
 * carry credentials redacted so tokens and cookies never reach a log file.
 */
export function loggerOptions(service: string, level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
}

/** Fields that hold credentials, at the top of a log line and one level down (pino paths are exact). */
const secretFields = ['password', 'token', 'accessToken', 'refreshToken', 'ticket', 'resumeToken', 'credential'];

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...secretFields,
  ...secretFields.map((field) => `*.${field}`),
];
