import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalComponent } from './component.js';
import { coturnComponent } from './components/coturn.js';
import { gatewayComponent, webServerComponent } from './components/nginx.js';
import { serviceComponent } from './components/service.js';
import { startBackingServices, type BackingServices } from './backing-services.js';
import { loadOrCreateSecrets, lockDataDir, wipeDataDir } from './data-dir.js';
import { assertPortFree, findFreePort } from './ports.js';
import { defaultDataDir, serviceEntry, webBuildDir, type ServiceName } from './repo.js';

export interface StackOptions {
  /** Data and logs; `<repo>/.data` by default, so a restart keeps users and rooms. */
  dataDir?: string;
  /** Wipe the data folder first. */
  fresh?: boolean;
  /** Gateway port on 127.0.0.1; 0 picks a free one (tests). Default: GATEWAY_PORT or 8080. */
  gatewayPort?: number;
  /** Signaling replicas behind the gateway (2 by default, as in production-like runs). */
  signalingReplicas?: number;
  /** Auth replicas (1 by default; the integration suite runs 2 to test cross-replica state). */
  authReplicas?: number;
  /** bcrypt cost for auth; the service default (12) unless given. Tests pass 4. */
  bcryptCost?: number;
  /** Extra environment for every service (ACCESS_TOKEN_TTL for token-expiry tests, for one). */
  serviceEnv?: NodeJS.ProcessEnv;
  /** Where MONGO_URL / REDIS_URL / GATEWAY_PORT are read from. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines ("starting redis"); silent by default. */
  onProgress?: (line: string) => void;
  /** How long each service may take to become ready (60 s by default). */
  serviceReadyTimeoutMs?: number;
  /** Aborting stops start-up between pieces; what was started is stopped again. */
  signal?: AbortSignal;
}

export interface StackUrls {
  gateway: string;
  mongo: string;
  redis: string;
  auth: string[];
  rooms: string[];
  signaling: string[];
}

export interface Stack {
  gatewayUrl: string;
  urls: StackUrls;
  dataDir: string;
  logDir: string;
  turn: { host: string; port: number; secret: string; realm: string };
  /** Every local process by name, for fault injection (restart, SIGKILL, SIGSTOP). */
  components: {
    mongo: LocalComponent | undefined;
    redis: LocalComponent | undefined;
    coturn: LocalComponent;
    auth: LocalComponent[];
    rooms: LocalComponent[];
    signaling: LocalComponent[];
    web: LocalComponent | undefined;
    gateway: LocalComponent;
  };
  /** Services left out because their code does not exist yet. */
  skipped: string[];
  stop(): Promise<void>;
}

const TURN_REALM = 'meshcall.local';

interface ServiceInstance {
  component: LocalComponent;
  /** host:port the instance listens on. */
  address: string;
}

/**
 * Starts the whole stack as local processes in dependency order and waits for each piece's
 * readiness. On any failure it stops everything it started and throws an error naming the piece
 * and its log. Also the library behind tests, e2e and benchmarks: one way to start the stack.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  const dataDir = options.dataDir ?? defaultDataDir;
  const requestedGatewayPort = options.gatewayPort ?? Number(env.GATEWAY_PORT || 8080);
  if (!Number.isInteger(requestedGatewayPort) || requestedGatewayPort < 0 || requestedGatewayPort > 65535) {
    throw new Error(`GATEWAY_PORT must be a port number, got '${env.GATEWAY_PORT}'`);
  }
  if (requestedGatewayPort !== 0) await assertPortFree(requestedGatewayPort, 'gateway');
  const gatewayPort = requestedGatewayPort === 0 ? await findFreePort() : requestedGatewayPort;

  const unlock = lockDataDir(dataDir);
  if (options.fresh) wipeDataDir(dataDir);
  const logDir = join(dataDir, 'logs');
  const runDir = join(dataDir, 'run');
  rmSync(runDir, { recursive: true, force: true });
  for (const dir of [logDir, runDir]) mkdirSync(dir, { recursive: true });
  const secrets = loadOrCreateSecrets(dataDir);

  const started: LocalComponent[] = [];
  let backing: BackingServices | undefined;
  async function launch(component: LocalComponent): Promise<LocalComponent> {
    options.signal?.throwIfAborted();
    progress(`starting ${component.name}`);
    try {
      await component.start();
    } finally {
      // Tracked even when readiness failed half-way, so stopAll leaves nothing behind.
      started.push(component);
    }
    options.signal?.throwIfAborted();
    return component;
  }
  async function stopAll(): Promise<void> {
    // Reverse order: the gateway stops taking traffic first, the databases go last.
    for (const component of [...started].reverse()) await component.stop();
    started.length = 0;
    await backing?.stop();
    backing = undefined;
  }

  try {
    const skipped: string[] = [];
    const entryOf = (service: ServiceName): string | undefined => {
      const found = serviceEntry(service);
      if (!found) {
        skipped.push(service);
        return undefined;
      }
      if (!found.built) throw new Error(`${service}: not built (${found.entry} is missing); run \`npm run build\` first`);
      return found.entry;
    };

    const turnPort = await findFreePort();
    const coturn = coturnComponent({
      listenPort: turnPort,
      relayMinPort: 49160,
      relayMaxPort: 49200,
      secret: secrets.turnSecret,
      realm: TURN_REALM,
      runDir: join(runDir, 'coturn'),
      logDir,
      // coturn listens on 127.0.0.1 only here, and two browsers on this machine relay to each
      // other's loopback relay addresses: the clearly named local overlay allows exactly that.
      allowLoopbackPeers: true,
    });
    // The MongoDB-wire server and Redis (unless given by URL) start beside coturn. Both starts
    // settle before anything is cleaned up: a fast failure of one must not leave the other
    // still starting, unseen by stopAll.
    const [backingStart, coturnStart] = await Promise.allSettled([
      startBackingServices({ root: dataDir, env, onStarting: (name) => progress(`starting ${name}`) }),
      launch(coturn),
    ]);
    if (backingStart.status === 'fulfilled') backing = backingStart.value;
    if (backingStart.status === 'rejected') throw backingStart.reason;
    if (coturnStart.status === 'rejected') throw coturnStart.reason;
    const { mongoUrl, redisUrl, mongo, redis } = backingStart.value;

    const origins = [`http://127.0.0.1:${gatewayPort}`, `http://localhost:${gatewayPort}`];
    const commonEnv: NodeJS.ProcessEnv = {
      PATH: env.PATH,
      NODE_ENV: env.NODE_ENV === 'production' ? 'production' : 'development',
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
      ALLOWED_ORIGINS: env.ALLOWED_ORIGINS ?? origins.join(','),
      TRUST_PROXY: 'loopback',
      MONGO_URL: mongoUrl,
      REDIS_URL: redisUrl,
      ...options.serviceEnv,
    };

    const startReplicas = async (service: ServiceName, count: number, extraEnv: NodeJS.ProcessEnv): Promise<ServiceInstance[]> => {
      const entry = entryOf(service);
      if (!entry) return [];
      const replicas: ServiceInstance[] = [];
      for (let i = 1; i <= count; i++) {
        const name = count === 1 ? service : `${service}-${i}`;
        const port = await findFreePort();
        const env = { ...commonEnv, ...extraEnv, DATA_DIR: join(dataDir, service), REPLICA_ID: name };
        const component = await launch(serviceComponent({ name, entry, port, logDir, env, readyTimeoutMs: options.serviceReadyTimeoutMs }));
        replicas.push({ component, address: `127.0.0.1:${port}` });
      }
      return replicas;
    };
    const jwksOf = (instances: ServiceInstance[]) => (instances[0] ? `http://${instances[0].address}/.well-known/jwks.json` : '');

    const auth = await startReplicas('auth', options.authReplicas ?? 1, options.bcryptCost ? { BCRYPT_COST: String(options.bcryptCost) } : {});
    const rooms = await startReplicas('rooms', 1, {
      AUTH_JWKS_URL: jwksOf(auth),
      TURN_SECRET: secrets.turnSecret,
      TURN_HOST: '127.0.0.1',
      TURN_PORT: String(turnPort),
      // No TLS listener locally: the turns: URL is still advertised and browsers fall back to UDP/TCP.
      TURN_TLS_PORT: String(turnPort),
    });
    const signaling = await startReplicas('signaling', options.signalingReplicas ?? 2, {
      AUTH_JWKS_URL: jwksOf(auth),
      ROOMS_JWKS_URL: jwksOf(rooms),
    });

    const webRoot = webBuildDir();
    let web: LocalComponent | undefined;
    const webPort = await findFreePort();
    if (webRoot) {
      web = await launch(webServerComponent({ port: webPort, root: webRoot, runDir: join(runDir, 'web'), logDir }));
    } else {
      skipped.push('web (no build in web/build)');
    }
    const addresses = (instances: ServiceInstance[]) => instances.map((i) => i.address);
    const gateway = await launch(
      gatewayComponent({
        port: gatewayPort,
        upstreams: { auth: addresses(auth), rooms: addresses(rooms), signaling: addresses(signaling), web: `127.0.0.1:${webPort}` },
        runDir: join(runDir, 'gateway'),
        logDir,
      }),
    );
    const components = (instances: ServiceInstance[]) => instances.map((i) => i.component);
    const urls = (instances: ServiceInstance[]) => instances.map((i) => `http://${i.address}`);

    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    return {
      gatewayUrl,
      urls: {
        gateway: gatewayUrl,
        mongo: mongoUrl,
        redis: redisUrl,
        auth: urls(auth),
        rooms: urls(rooms),
        signaling: urls(signaling),
      },
      dataDir,
      logDir,
      turn: { host: '127.0.0.1', port: turnPort, secret: secrets.turnSecret, realm: TURN_REALM },
      components: { mongo, redis, coturn, auth: components(auth), rooms: components(rooms), signaling: components(signaling), web, gateway },
      skipped,
      async stop() {
        await stopAll();
        unlock();
      },
    };
  } catch (error) {
    await stopAll();
    unlock();
    throw error;
  }
}
