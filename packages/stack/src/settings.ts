import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { ConfigError, env, loadConfig, redisClusterNodes } from '@meshcall/shared';
import { z } from 'zod';
import { repoRoot } from './repo.js';

/** An nginx request rate ("30r/m", "5r/s"), as the gateway template's `limit_req_zone` takes it. */
export const NGINX_RATE = /^[1-9][0-9]*r\/[sm]$/;

/**
 * Every environment variable the launcher reads, validated once: the same names as compose (and
 * `.env.example`), so one `.env` configures both. Empty counts as unset. Defaults that differ from
 * compose's say why in `LAUNCHER_VARIABLES`.
 */
const settingsSchema = z.object({
  GATEWAY_PORT: env.port(8080),
  GATEWAY_BIND: z
    .string()
    .default('127.0.0.1')
    .refine((value) => isIP(value) !== 0, 'must be an IP address to listen on, like 127.0.0.1, 0.0.0.0 or ::'),
  // Read only with --tls (compose: the infra/docker-compose.tls.yml overlay). 8443 rather than
  // compose's 443, which needs root here: compose maps 443 on the host to 8443 in the container.
  GATEWAY_TLS_PORT: env.port(8443).refine((port) => port > 0, 'must be a port from 1 to 65535'),
  TLS_CERT_DIR: z.string().default('./certs'),
  SIGN_IN_RATE: z.string().default('30r/m').refine((value) => NGINX_RATE.test(value), 'must be an nginx rate like "30r/m" or "5r/s"'),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']).optional(),
  REDIS_URL: env.url(['redis', 'rediss']).optional(),
  REDIS_CLUSTER_NODES: redisClusterNodes().optional(),
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  // The auth service's own bounds; checked here too so a typo fails before anything starts.
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).optional(),
  ALLOWED_ORIGINS: z
    .string()
    .refine((v) => v.split(',').map((s) => s.trim()).filter(Boolean).every((o) => /^https?:\/\/[^/\s]+$/.test(o)), 'must be comma-separated origins like https://host:port')
    .optional(),
}).superRefine((settings, context) => {
  if (settings.REDIS_URL && settings.REDIS_CLUSTER_NODES) {
    context.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'set either REDIS_URL or REDIS_CLUSTER_NODES, not both' });
  }
});

export type LauncherSettings = z.infer<typeof settingsSchema>;

/** The names of every variable the launcher reads. */
export const LAUNCHER_VARIABLE_NAMES: readonly string[] = Object.keys(settingsSchema.shape);

/** The certificate files compose's TLS overlay mounts, in the same folder layout. */
export interface TlsFiles {
  certificate: string;
  certificateKey: string;
}

/** TLS_CERT_DIR resolved as compose resolves it: relative to the repository root. */
export function tlsFiles(settings: LauncherSettings): TlsFiles {
  const dir = resolve(repoRoot, settings.TLS_CERT_DIR);
  return { certificate: join(dir, 'fullchain.pem'), certificateKey: join(dir, 'privkey.pem') };
}

/**
 * Reads and checks the launcher's environment; throws one error naming every bad variable. With
 * `tls`, the certificate files must be readable too (nginx would otherwise fail later, less clearly).
 */
export function readLauncherSettings(source: NodeJS.ProcessEnv, options: { tls?: boolean } = {}): LauncherSettings {
  const settings = loadConfig('launcher', settingsSchema, source);
  if (options.tls) {
    const unreadable = Object.values(tlsFiles(settings)).filter((file) => {
      try {
        accessSync(file, constants.R_OK);
        return false;
      } catch {
        return true;
      }
    });
    if (unreadable.length > 0) {
      throw new ConfigError('launcher', [{ variable: 'TLS_CERT_DIR', problem: `--tls needs ${unreadable.join(' and ')} (not found or not readable)` }]);
    }
  }
  return settings;
}

export interface VariableDoc {
  name: string;
  /** The default as the help shows it. */
  fallback: string;
  meaning: string;
}

/** What `--help` and the README list; a test keeps it equal to the schema above. */
export const LAUNCHER_VARIABLES: VariableDoc[] = [
  { name: 'GATEWAY_PORT', fallback: '8080', meaning: 'the gateway port (the one URL to open)' },
  {
    name: 'GATEWAY_BIND',
    fallback: '127.0.0.1',
    meaning: 'address the gateway listens on; 0.0.0.0 to reach it from other machines (compose defaults to 0.0.0.0)',
  },
  { name: 'GATEWAY_TLS_PORT', fallback: '8443', meaning: 'with --tls: the HTTPS/WSS port (compose publishes 443)' },
  { name: 'TLS_CERT_DIR', fallback: './certs', meaning: 'with --tls: folder with fullchain.pem and privkey.pem, relative to the repository' },
  { name: 'SIGN_IN_RATE', fallback: '30r/m', meaning: 'sign-in and sign-up flood limit per client address at the gateway (nginx rate; bursts of 10 pass)' },
  { name: 'MONGO_URL', fallback: 'unset', meaning: 'use this MongoDB-wire server instead of starting mongod or FerretDB' },
  { name: 'REDIS_URL', fallback: 'unset', meaning: 'use this Redis instead of starting redis-server' },
  { name: 'REDIS_CLUSTER_NODES', fallback: 'unset', meaning: 'use this Redis Cluster (host:port,host:port seeds) instead of starting redis-server' },
  { name: 'NODE_ENV', fallback: 'development', meaning: 'passed to the services; production requires their signing keys from the environment' },
  { name: 'LOG_LEVEL', fallback: 'info', meaning: "the services' log level (fatal, error, warn, info, debug, trace, silent)" },
  { name: 'BCRYPT_COST', fallback: '12 (auth default)', meaning: "auth's password hashing cost, 4 to 15" },
  { name: 'ALLOWED_ORIGINS', fallback: "the gateway's own origins", meaning: 'origins allowed for cookies and WebSockets, comma separated' },
];

/**
 * Variables docker-compose.yml reads for its gateway that the launcher does not, and why; `--help`
 * says so, and a test fails when compose's gateway gains a variable that is in neither list.
 */
export const COMPOSE_ONLY_GATEWAY_VARIABLES: Array<{ names: string[]; why: string }> = [
  {
    names: ['GATEWAY_AUTH_SERVERS', 'GATEWAY_ROOMS_SERVERS', 'GATEWAY_SIGNALING_SERVERS', 'GATEWAY_WEB_SERVERS'],
    why: "upstream lists for Docker's DNS; the launcher writes the ports of the processes it starts",
  },
  { names: ['NGINX_IMAGE'], why: "the image to build from; the launcher runs Debian's nginx" },
  { names: ['GATEWAY_TLS_BIND'], why: "the host address Docker publishes the TLS port on; the launcher's TLS port listens where GATEWAY_BIND says" },
];
