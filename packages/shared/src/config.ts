import { z } from 'zod';

/**
 * Thrown when the environment does not satisfy a service's schema. The message names every bad
 * variable at once, so an operator fixes them in one go instead of one restart per mistake.
 */
export class ConfigError extends Error {
  readonly problems: ReadonlyArray<{ variable: string; problem: string }>;

  constructor(service: string, problems: Array<{ variable: string; problem: string }>) {
    const lines = problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n');
    super(`${service}: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type EnvSource = Record<string, string | undefined>;

/**
 * Validates the environment once at boot against `schema` (an object whose keys are variable
 * names) and returns the typed, defaulted result. Empty strings count as unset, so `FOO=` falls
 * back to the default instead of failing a number parse.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  service: string,
  schema: S,
  env: EnvSource = process.env,
): z.infer<S> {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const result = schema.safeParse(relevant);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)',
    problem: issue.code === 'invalid_type' && issue.input === undefined ? 'is required but not set' : issue.message,
  }));
  throw new ConfigError(service, problems);
}

/** Reusable pieces for environment schemas; each parses the raw string a variable holds. */
export const env = {
  port: (fallback?: number) => {
    const base = z.coerce.number().int().min(0).max(65535);
    return fallback === undefined ? base : base.default(fallback);
  },
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** Seconds as a plain positive integer ("900"). */
  seconds: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  url: (protocols: string[]) =>
    z.string().refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    }, `must be a URL with scheme ${protocols.join(' or ')}`),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** Comma-separated list of origins such as "https://call.example.com,http://127.0.0.1:8080". */
  origins: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .refine((list) => list.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), 'must be comma-separated origins like https://host:port'),
  /**
   * `TRUST_PROXY` as Fastify takes it: true/false, or comma-separated addresses, CIDR ranges and
   * proxy-addr names ("loopback", "uniquelocal,198.18.0.0/15"). Hop counts are not offered:
   * Fastify 5 treats them as "trust nobody", since a count alone cannot tell a proxy from a client.
   */
  trustProxy: () =>
    z
      .string()
      .default('loopback')
      .transform((value): boolean | string => (value === 'true' || value === 'false' ? value === 'true' : value)),
  nodeEnv: () => z.enum(['development', 'production', 'test']).default('development'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
