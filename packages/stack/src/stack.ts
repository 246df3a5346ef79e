import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalComponent } from './component.js';
import { coturnComponent } from './components/coturn.js';
import { gatewayComponent, hostPort, localAddressOf, webServerComponent } from './components/nginx.js';
import { serviceComponent } from './components/service.js';
import { startBackingServices, type BackingServices } from './backing-services.js';
import type { LocalRedisCluster } from './components/redis-cluster.js';
import { loadOrCreateSecrets, lockDataDir, wipeDataDir } from './data-dir.js';
import { assertPortFree, findFreePort } from './ports.js';
import { defaultDataDir, serviceEntry, webBuildDir, type ServiceName } from './repo.js';
import { readLauncherSettings, tlsFiles } from './settings.js';
import { DEFAULT_SUPERVISION, type SupervisionListener, type SupervisionPolicy } from './supervision.js';

export interface StackOptions {
  /** Data and logs; `<repo>/.data` by default, so a restart keeps users and rooms. */
  dataDir?: string;
  /** Wipe the data folder first. */
  fresh?: boolean;
  /** Gateway port; 0 picks a free one (tests). Default: GATEWAY_PORT or 8080. */
  gatewayPort?: number;
  /**
   * Also serve HTTPS/WSS on GATEWAY_TLS_PORT with TLS_CERT_DIR's fullchain.pem and privkey.pem,
   * as compose does with infra/docker-compose.tls.yml.
   */
  tls?: boolean;
  /** Gateway sign-in/sign-up flood limit in nginx syntax. Default: SIGN_IN_RATE or 30r/m. */
  signInRate?: string;
  /**
   * coturns sharing the TURN secret, 1 to LAUNCHER_MAX_TURN_SERVERS (1 by default). With more than one,
   * rooms gets them all as TURN_SERVERS and hands out one per room, health-checked.
   */
  turnServers?: number;
  /** Signaling replicas behind the gateway (2 by default, as in production-like runs). */
  signalingReplicas?: number;
  /** Auth replicas (1 by default; the integration suite runs 2 to test cross-replica state). */
  authReplicas?: number;
  /** bcrypt cost for auth; the service default (12) unless given. Tests pass 4. */
  bcryptCost?: number;
  /** Extra environment for every service (ACCESS_TOKEN_TTL for token-expiry tests, for one). */
  serviceEnv?: NodeJS.ProcessEnv;
  /**
   * Where the launcher's variables (GATEWAY_PORT, GATEWAY_BIND, SIGN_IN_RATE, GATEWAY_TLS_PORT and
   * TLS_CERT_DIR with `tls`, MONGO_URL, REDIS_URL, NODE_ENV, LOG_LEVEL, BCRYPT_COST, ALLOWED_ORIGINS:
   * see settings.ts) are read from; every bad one is named in one error. process.env by default.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Restart pieces that die on their own once the stack is up (default: on, with
   * DEFAULT_SUPERVISION); false leaves a dead piece dead, as before.
   */
  supervision?: Partial<SupervisionPolicy> | false;
  /** Told when a piece dies, is back, or is given up on; the CLI prints each. */
  onSupervision?: SupervisionListener;
  /** Progress lines ("starting redis"); silent by default. */
  onProgress?: (line: string) => void;
  /** How long each service may take to become ready (60 s by default). */
  serviceReadyTimeoutMs?: number;
  /** Aborting stops start-up between pieces; what was started is stopped again. */
  signal?: AbortSignal;
  /**
   * Where coturn listens and relays, and what rooms advertises: 127.0.0.1 by default. The network
   * tier (tests/networks) runs the stack inside a namespace with a public documentation address.
   */
  turnAddress?: string;
  /**
   * coturn config files appended after the production config, in place of the loopback overlay
   * (turnserver.local-test.conf): a test that relays between addresses other than loopback
   * allows exactly its own.
   */
  turnPeerOverlays?: string[];
  /**
   * Run the services against a real six-node Redis Cluster (3 masters, 3 replicas) on loopback
   * instead of one redis-server (`npm start -- --redis-cluster`). Unused when REDIS_URL or
   * REDIS_CLUSTER_NODES names a Redis.
   */
  redisCluster?: boolean;
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
  /** The HTTPS origin when started with `tls`. */
  tlsUrl: string | undefined;
  urls: StackUrls;
  dataDir: string;
  logDir: string;
  /** The first coturn (the only one unless `turnServers` asked for more). */
  turn: { host: string; port: number; secret: string; realm: string };
  /** The Redis Cluster started with `redisCluster`, its nodes supervised like every piece. */
  redisCluster: LocalRedisCluster | undefined;
  /** Every coturn in start order, by the `host:port` id rooms gives it (TURN_SERVERS, metrics, logs). */
  turnServers: Array<{ id: string; host: string; port: number; component: LocalComponent }>;
  /**
   * Every local process by name, for fault injection (restart, SIGKILL, SIGSTOP). What a test
   * does through these is deliberate and the supervisor leaves it alone; a process killed from
   * outside (its pid) is restarted by the supervisor on the same port.
   */
  components: {
    mongo: LocalComponent | undefined;
    redis: LocalComponent | undefined;
    /** The first coturn; every one is in `coturns` (and `turnServers`). */
    coturn: LocalComponent;
    coturns: LocalComponent[];
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
/** coturns the launcher runs at most: enough to test spreading and failover on one machine. */
export const LAUNCHER_MAX_TURN_SERVERS = 4;
/** Each coturn relays on its own slice of ports from here (the first as before: 49160-49200). */
const RELAY_PORTS_FROM = 49160;
const RELAY_PORTS_EACH = 41;

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
  const settings = readLauncherSettings(env, { tls: options.tls ?? false });
  const progress = options.onProgress ?? (() => undefined);
  const dataDir = options.dataDir ?? defaultDataDir;
  const requestedGatewayPort = options.gatewayPort ?? settings.GATEWAY_PORT;
  if (!Number.isInteger(requestedGatewayPort) || requestedGatewayPort < 0 || requestedGatewayPort > 65535) {
    throw new Error(`gatewayPort must be a port number, got ${requestedGatewayPort}`);
  }
  const gatewayHost = settings.GATEWAY_BIND;
  const gatewayLocalHost = localAddressOf(gatewayHost);
  if (requestedGatewayPort !== 0) await assertPortFree(requestedGatewayPort, 'gateway', gatewayLocalHost);
  const gatewayPort = requestedGatewayPort === 0 ? await findFreePort(gatewayLocalHost) : requestedGatewayPort;
  const tls = options.tls ? { port: settings.GATEWAY_TLS_PORT, ...tlsFiles(settings) } : undefined;
  if (tls) await assertPortFree(tls.port, 'gateway (TLS)', gatewayLocalHost);
  const turnServerCount = options.turnServers ?? 1;
  if (!Number.isInteger(turnServerCount) || turnServerCount < 1 || turnServerCount > LAUNCHER_MAX_TURN_SERVERS) {
    throw new Error(`turnServers must be a whole number from 1 to ${LAUNCHER_MAX_TURN_SERVERS}, got ${turnServerCount}`);
  }
  const supervision = options.supervision === false ? undefined : { ...DEFAULT_SUPERVISION, ...options.supervision };
  const onSupervision = options.onSupervision ?? (() => undefined);

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
    // Nothing is restarted from here on: a service that dies because its database went first is
    // part of the shutdown, not a crash.
    for (const component of [...started, backing?.mongo, backing?.redis, ...(backing?.redisCluster?.nodes ?? [])]) component?.unsupervise();
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

    const turnAddress = options.turnAddress ?? '127.0.0.1';
    const turnPorts: number[] = [];
    for (let index = 0; index < turnServerCount; index++) turnPorts.push(await findFreePort(turnAddress));
    const turnPort = turnPorts[0] as number;
    // With TLS, the first coturn serves TURN over TLS on an internal port with the gateway's
    // certificate, and the gateway's TLS port forwards TURN clients there: turns: shares 443 with
    // HTTPS, as compose's TLS overlay does. The edge forwards to one coturn only, so the others
    // have no TLS listener (their turns: URL names their own port, as without --tls).
    const turnTlsPort = tls ? await findFreePort(turnAddress) : undefined;
    const coturns = turnPorts.map((listenPort, index) => {
      const name = index === 0 ? 'coturn' : `coturn-${index + 1}`;
      const relayMinPort = RELAY_PORTS_FROM + index * RELAY_PORTS_EACH;
      return coturnComponent({
        name,
        listenPort,
        relayMinPort,
        relayMaxPort: relayMinPort + RELAY_PORTS_EACH - 1,
        // Every coturn verifies the same TURN REST credentials: whichever rooms hands out works.
        secret: secrets.turnSecret,
        realm: TURN_REALM,
        runDir: join(runDir, name),
        logDir,
        // coturn listens on 127.0.0.1 only here, and two browsers on this machine relay to each
        // other's loopback relay addresses: the clearly named local overlay allows exactly that.
        // A caller with its own overlay (other addresses) gets only that one.
        allowLoopbackPeers: options.turnPeerOverlays === undefined,
        ...(options.turnAddress === undefined ? {} : { address: options.turnAddress }),
        ...(options.turnPeerOverlays === undefined ? {} : { overlays: options.turnPeerOverlays }),
        ...(index === 0 && tls && turnTlsPort ? { tls: { port: turnTlsPort, certificate: tls.certificate, certificateKey: tls.certificateKey } } : {}),
      });
    });
    // The MongoDB-wire server and Redis (unless given by URL) start beside the coturns. Every start
    // settles before anything is cleaned up: a fast failure of one must not leave another still
    // starting, unseen by stopAll.
    const [backingStart, ...coturnStarts] = await Promise.allSettled([
      startBackingServices({ root: dataDir, env, redisCluster: options.redisCluster, onStarting: (name) => progress(`starting ${name}`) }),
      ...coturns.map((coturn) => launch(coturn)),
    ]);
    if (backingStart.status === 'fulfilled') backing = backingStart.value;
    if (backingStart.status === 'rejected') throw backingStart.reason;
    for (const coturnStart of coturnStarts) if (coturnStart.status === 'rejected') throw coturnStart.reason;
    const { mongoUrl, redisUrl, redisEnv, mongo, redis, redisCluster } = backingStart.value;

    const gatewayUrl = `http://${hostPort(gatewayLocalHost, gatewayPort)}`;
    const tlsUrl = tls ? `https://${hostPort(gatewayLocalHost, tls.port)}` : undefined;
    const origins = [
      ...new Set([
        gatewayUrl,
        `http://127.0.0.1:${gatewayPort}`,
        `http://localhost:${gatewayPort}`,
        ...(tls && tlsUrl ? [tlsUrl, `https://127.0.0.1:${tls.port}`, `https://localhost:${tls.port}`] : []),
      ]),
    ];
    const commonEnv: NodeJS.ProcessEnv = {
      PATH: env.PATH,
      NODE_ENV: settings.NODE_ENV === 'production' ? 'production' : 'development',
      LOG_LEVEL: settings.LOG_LEVEL,
      ALLOWED_ORIGINS: settings.ALLOWED_ORIGINS ?? origins.join(','),
      TRUST_PROXY: 'loopback',
      MONGO_URL: mongoUrl,
      ...redisEnv,
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
        const component = await launch(serviceComponent({ name, service, entry, port, logDir, env, readyTimeoutMs: options.serviceReadyTimeoutMs }));
        replicas.push({ component, address: `127.0.0.1:${port}` });
      }
      return replicas;
    };
    const jwksOf = (instances: ServiceInstance[]) => (instances[0] ? `http://${instances[0].address}/.well-known/jwks.json` : '');

    const bcryptCost = options.bcryptCost ?? settings.BCRYPT_COST;
    const auth = await startReplicas('auth', options.authReplicas ?? 1, bcryptCost ? { BCRYPT_COST: String(bcryptCost) } : {});
    // With --tls, the first coturn's turns: goes to the gateway's TLS port, which hands TURN on to
    // it. Without a TLS listener the turns: URL is still advertised and browsers use UDP/TCP.
    const turnTlsPortOf = (index: number) => (index === 0 && tls ? tls.port : (turnPorts[index] as number));
    const turnServers = turnPorts.map((port, index) => ({ id: hostPort(turnAddress, port), host: turnAddress, port, component: coturns[index] as LocalComponent }));
    const rooms = await startReplicas('rooms', 1, {
      AUTH_JWKS_URL: jwksOf(auth),
      TURN_SECRET: secrets.turnSecret,
      ...(turnServerCount === 1
        ? { TURN_HOST: turnAddress, TURN_PORT: String(turnPort), TURN_TLS_PORT: String(turnTlsPortOf(0)) }
        : { TURN_SERVERS: turnServers.map((server, index) => `${server.id}/${turnTlsPortOf(index)}`).join(',') }),
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
        host: gatewayHost,
        signInRate: options.signInRate ?? settings.SIGN_IN_RATE,
        ...(tls ? { tls: { ...tls, ...(turnTlsPort ? { turns: hostPort(turnAddress, turnTlsPort) } : {}) } } : {}),
        upstreams: { auth: addresses(auth), rooms: addresses(rooms), signaling: addresses(signaling), web: `127.0.0.1:${webPort}` },
        runDir: join(runDir, 'gateway'),
        logDir,
      }),
    );
    const components = (instances: ServiceInstance[]) => instances.map((i) => i.component);
    const urls = (instances: ServiceInstance[]) => instances.map((i) => `http://${i.address}`);

    // Supervised only once everything is up: a piece failing during start-up fails the start.
    if (supervision) {
      for (const component of [...started, mongo, redis, ...(redisCluster?.nodes ?? [])]) component?.supervise(supervision, onSupervision);
    }
    return {
      gatewayUrl,
      tlsUrl,
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
      turn: { host: turnAddress, port: turnPort, secret: secrets.turnSecret, realm: TURN_REALM },
      redisCluster,
      turnServers,
      components: { mongo, redis, coturn: coturns[0] as LocalComponent, coturns, auth: components(auth), rooms: components(rooms), signaling: components(signaling), web, gateway },
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
