import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DOCKER_TEST_TRUSTED_PROXIES } from '@meshcall/stack';

/** Base images docker-compose.yml and the Dockerfiles read; defaults are the official images. */
export const IMAGE_VARIABLES = ['NODE_IMAGE', 'NGINX_IMAGE', 'COTURN_IMAGE', 'MONGO_IMAGE', 'REDIS_IMAGE'] as const;

/** The gateway's upstream blocks; an nginx without `resolve` (the offline set's 1.22) needs them. */
export const GATEWAY_UPSTREAM_VARIABLES = ['GATEWAY_AUTH_SERVERS', 'GATEWAY_ROOMS_SERVERS', 'GATEWAY_SIGNALING_SERVERS', 'GATEWAY_WEB_SERVERS'] as const;

/** The images the stack runs: images used as they are, and the bases of the images compose builds. */
export type ImageSettings = Record<(typeof IMAGE_VARIABLES)[number] | (typeof GATEWAY_UPSTREAM_VARIABLES)[number], string>;

/**
 * Image settings for a run: a variable set in the caller's environment wins (even when empty,
 * which selects compose's default), then the offline set's images.env, then compose's default.
 */
export function chooseImageSettings(offlineSet: Record<string, string>, env: NodeJS.ProcessEnv): Partial<ImageSettings> {
  const chosen: Partial<ImageSettings> = {};
  for (const name of [...IMAGE_VARIABLES, ...GATEWAY_UPSTREAM_VARIABLES]) {
    const value = env[name] ?? offlineSet[name];
    if (value !== undefined && value !== '') chosen[name] = value;
  }
  return chosen;
}

export interface StackSecrets {
  TURN_SECRET: string;
  AUTH_SIGNING_KEY: string;
  ROOMS_SIGNING_KEY: string;
}

/** An ES256 private key as .env.example asks for it: PKCS8 PEM on one line, with literal `\n`. */
function oneLinePkcs8Key(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return pem.trimEnd().split('\n').join('\\n') + '\\n';
}

/** Fresh secrets for one run, as an operator makes them (.env.example): nothing is reused or committed. */
export function generateStackSecrets(): StackSecrets {
  return {
    TURN_SECRET: randomBytes(32).toString('base64'),
    AUTH_SIGNING_KEY: oneLinePkcs8Key(),
    ROOMS_SIGNING_KEY: oneLinePkcs8Key(),
  };
}

export interface StackPorts {
  gateway: number;
  /** The TLS overlay's edge: HTTPS and TURN over TLS on one port (443 in production). */
  gatewayTls: number;
  turn: number;
  turnTls: number;
}

/** Every published port binds here during tests: nothing may listen beyond loopback. */
export const TEST_BIND_ADDRESS = '127.0.0.1';

/** The gateway's origin as a browser on this machine would see it. */
export function gatewayOrigin(ports: StackPorts): string {
  return `http://${TEST_BIND_ADDRESS}:${ports.gateway}`;
}

/** The gateway's HTTPS origin (the TLS overlay's edge port). */
export function gatewayTlsOrigin(ports: StackPorts): string {
  return `https://${TEST_BIND_ADDRESS}:${ports.gatewayTls}`;
}

/**
 * The `.env` of a smoke run: what an operator's `.env` holds (secrets, ports, origins, TURN
 * address, and for the TLS overlay its port and certificate folder) plus the image settings,
 * with every published port bound to loopback.
 */
export function composeEnvironment(images: Partial<ImageSettings>, ports: StackPorts, secrets: StackSecrets, tlsCertDir: string): Record<string, string> {
  return {
    ...images,
    ...secrets,
    NODE_ENV: 'production',
    TRUST_PROXY: DOCKER_TEST_TRUSTED_PROXIES,
    GATEWAY_BIND: TEST_BIND_ADDRESS,
    GATEWAY_PORT: String(ports.gateway),
    GATEWAY_TLS_BIND: TEST_BIND_ADDRESS,
    GATEWAY_TLS_PORT: String(ports.gatewayTls),
    TLS_CERT_DIR: tlsCertDir,
    ALLOWED_ORIGINS: `${gatewayOrigin(ports)},${gatewayTlsOrigin(ports)}`,
    TURN_BIND: TEST_BIND_ADDRESS,
    TURN_HOST: TEST_BIND_ADDRESS,
    TURN_PORT: String(ports.turn),
    TURN_TLS_PORT: String(ports.turnTls),
  };
}
