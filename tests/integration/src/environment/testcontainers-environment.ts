import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DOCKER_TEST_TRUSTED_PROXIES, findFreePorts, httpOk, stunBindingOk, waitUntil } from '@meshcall/stack';
import { Network, type StartedNetwork } from 'testcontainers';
import { STACK_IMAGES, type ContainerImages } from './images.js';
import { StackContainer, commandSucceeds, type ReadinessProbe, type StackContainerSpec } from './stack-container.js';
import type { EnvironmentOptions, ServiceName, ServiceUrls, TestEnvironment } from './test-environment.js';

/** Ports inside the containers, as the images and docker-compose.yml have them. */
const SERVICE_PORT = 3000;
const NGINX_PORT = 8080;
const TURN_PORT = 3478;

/** How the services reach the databases: by name on the stack's network, as in docker-compose.yml. */
const MONGO_URL = 'mongodb://mongo:27017/meshcall';
const REDIS_URL = 'redis://redis:6379';

/** The lowest cost the service images accept: they run with NODE_ENV=production, as users run them. */
const BCRYPT_COST = '10';

/** docker-compose.yml's mongo health check: mongosh for mongod, the image's own probe for FerretDB. */
const mongoReady = commandSucceeds([
  'sh',
  '-c',
  `if command -v mongosh >/dev/null; then mongosh --quiet --eval 'quit(db.adminCommand("ping").ok ? 0 : 1)'; else ferretdb-healthcheck; fi`,
]);
const redisReady = commandSucceeds(['sh', '-c', 'redis-cli ping | grep -q PONG']);
/** docker-compose.yml's web health check: the web server is reached only through the gateway. */
const webReady = commandSucceeds(['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${NGINX_PORT}/healthz`]);
const answersOk =
  (url: string): ReadinessProbe =>
  () =>
    httpOk(url);

/**
 * The gateway's worker processes that take new connections (not those finishing old ones after a
 * reload), read from /proc: the nginx images have no ps.
 */
const LIST_ACTIVE_WORKERS = `for d in /proc/[0-9]*; do
  c=$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
  case "$c" in *"shutting down"*) ;; "nginx: worker process"*) echo "\${d#/proc/}" ;; esac
done`;

/** A fresh ES256 key as the services take it (PKCS8 PEM), so no two runs share a key. */
function signingKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The gateway's upstream servers: every replica by its own name (nginx resolves them when it (re)loads). */
function upstreamServers(replicas: readonly StackContainer[], port: number): string {
  return replicas.map((replica) => `server ${replica.name}:${port};`).join(' ');
}

/** A service replica with the host port its SERVICE_PORT is published on (metrics, direct calls). */
interface ServiceReplica {
  container: StackContainer;
  url: string;
}

type ServiceReplicas = Record<ServiceName, ServiceReplica[]>;

/**
 * Starts containers in one go and waits until every start settled, so a failure never leaves a
 * container still starting that cleanup cannot see.
 */
async function startTogether(network: StartedNetwork, specs: StackContainerSpec[], started: StackContainer[]): Promise<StackContainer[]> {
  const results = await Promise.allSettled(specs.map((spec) => StackContainer.start(network, spec)));
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<StackContainer>).value);
}

/**
 * The whole stack as containers on one Docker network, started with Testcontainers from the images
 * docker-compose.yml runs: the MongoDB-wire server, Redis, coturn, auth, rooms, signaling, web and
 * the gateway. Only the gateway, coturn and each service's port are published, on 127.0.0.1 (the
 * services' for the checks the gateway hides: metrics, one replica's readiness). Faults go through
 * the Docker API: kill, stop/start, pause/unpause.
 */
class ContainerEnvironment implements TestEnvironment {
  readonly name = 'testcontainers' as const;
  readonly gatewayUrl: string;
  private readonly network: StartedNetwork;
  /** Start order, a group at a time; stopping goes the other way. */
  private readonly groups: StackContainer[][];
  private readonly replicas: ServiceReplicas;
  private readonly images: ContainerImages;

  private constructor(network: StartedNetwork, gatewayUrl: string, groups: StackContainer[][], replicas: ServiceReplicas, images: ContainerImages) {
    this.network = network;
    this.gatewayUrl = gatewayUrl;
    this.groups = groups;
    this.replicas = replicas;
    this.images = images;
  }

  static async start(options: EnvironmentOptions, images: ContainerImages): Promise<ContainerEnvironment> {
    if (options.redisCluster) throw new Error('a Redis Cluster runs under the local launcher only (npm start -- --redis-cluster); Testcontainers starts one Redis');
    const network = await new Network().start();
    const started: StackContainer[] = [];
    try {
      // Every host port of this stack at once, all different: probed one by one, the kernel can
      // hand the same ephemeral port out twice, and the second container then fails to start
      // ("port is already allocated"). UDP too, for coturn.
      const signalingReplicas = options.signalingReplicas ?? 2;
      const authReplicas = options.authReplicas ?? 1;
      const roomsReplicas = 1;
      // The gateway and coturn, then one per service replica.
      const hostPortCount = 2 + authReplicas + roomsReplicas + signalingReplicas;
      const hostPorts = await findFreePorts('127.0.0.1', hostPortCount, { udp: true });
      const nextHostPort = (): number => {
        const port = hostPorts.shift();
        if (port === undefined) throw new Error('the Testcontainers stack needs more host ports than it picked');
        return port;
      };
      const gatewayPort = nextHostPort();
      const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
      const turnPort = nextHostPort();
      const turnSecret = randomBytes(32).toString('base64url');

      const backing = await startTogether(
        network,
        [
          { name: 'mongo', image: images.mongo, probe: mongoReady },
          // No snapshot and no append-only file: a restart loses Redis's data here, while the local
          // environment's Redis keeps it, so the same scenario covers both kinds of restart.
          { name: 'redis', image: images.redis, command: ['redis-server', '--save', '', '--appendonly', 'no'], probe: redisReady },
          {
            name: 'coturn',
            image: STACK_IMAGES.coturn,
            environment: { TURN_SECRET: turnSecret, TURN_REALM: 'meshcall' },
            ports: [
              { container: TURN_PORT, host: turnPort, protocol: 'udp' },
              { container: TURN_PORT, host: turnPort, protocol: 'tcp' },
            ],
            probe: () => stunBindingOk(turnPort),
          },
        ],
        started,
      );

      const common: Record<string, string> = {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        ALLOWED_ORIGINS: `${gatewayUrl},http://localhost:${gatewayPort}`,
        // Only the gateway (and the tests, from the network's gateway address) reach the services.
        TRUST_PROXY: DOCKER_TEST_TRUSTED_PROXIES,
        ...options.serviceEnv,
      };
      const serviceSpecs = (service: ServiceName, count: number, environment: Record<string, string>) => {
        const specs: Array<StackContainerSpec & { url: string }> = [];
        for (let index = 1; index <= count; index++) {
          const port = nextHostPort();
          const url = `http://127.0.0.1:${port}`;
          const name = `${service}-${index}`;
          specs.push({
            name,
            url,
            image: STACK_IMAGES[service],
            aliases: [service],
            environment: { ...common, ...environment, REPLICA_ID: name },
            ports: [{ container: SERVICE_PORT, host: port }],
            probe: answersOk(`${url}/readyz`),
          });
        }
        return specs;
      };
      const startService = async (service: ServiceName, count: number, environment: Record<string, string>): Promise<ServiceReplica[]> => {
        const specs = serviceSpecs(service, count, environment);
        const containers = await startTogether(network, specs, started);
        return containers.map((container, index) => ({ container, url: (specs[index] as { url: string }).url }));
      };

      // Replicas of a service share its key, as the replicas of a compose service share .env.
      const auth = await startService('auth', authReplicas, {
        MONGO_URL,
        REDIS_URL,
        AUTH_SIGNING_KEY: signingKeyPem(),
        BCRYPT_COST,
      });
      const authJwks = `http://auth:${SERVICE_PORT}/.well-known/jwks.json`;
      const rooms = await startService('rooms', roomsReplicas, {
        MONGO_URL,
        REDIS_URL,
        AUTH_JWKS_URL: authJwks,
        ROOMS_SIGNING_KEY: signingKeyPem(),
        TURN_SECRET: turnSecret,
        // Where a browser on this machine reaches coturn; no TLS listener is published here, the
        // turns: URL is still advertised and browsers fall back to UDP/TCP (as with the launcher).
        TURN_HOST: '127.0.0.1',
        TURN_PORT: String(turnPort),
        TURN_TLS_PORT: String(turnPort),
        // As docker-compose.yml sets it: TURN_HOST is the host's view of coturn, which a probe from
        // inside this container would never reach (packages/stack's turn-servers suite checks it).
        TURN_HEALTH_CHECK: 'false',
      });
      // Signaling and the web server need nothing of each other: they start together.
      const signalingSpecs = serviceSpecs('signaling', signalingReplicas, {
        REDIS_URL,
        AUTH_JWKS_URL: authJwks,
        ROOMS_JWKS_URL: `http://rooms:${SERVICE_PORT}/.well-known/jwks.json`,
      });
      const [web, ...signalingContainers] = await startTogether(network, [{ name: 'web', image: STACK_IMAGES.web, probe: webReady }, ...signalingSpecs], started);
      const signaling = signalingContainers.map((container, index) => ({ container, url: (signalingSpecs[index] as { url: string }).url }));
      const containersOf = (replicas: ServiceReplica[]) => replicas.map((replica) => replica.container);

      const [gateway] = await startTogether(
        network,
        [
          {
            name: 'gateway',
            image: STACK_IMAGES.gateway,
            environment: {
              AUTH_SERVERS: upstreamServers(containersOf(auth), SERVICE_PORT),
              ROOMS_SERVERS: upstreamServers(containersOf(rooms), SERVICE_PORT),
              SIGNALING_SERVERS: upstreamServers(containersOf(signaling), SERVICE_PORT),
              WEB_SERVERS: upstreamServers([web as StackContainer], NGINX_PORT),
            },
            ports: [{ container: NGINX_PORT, host: gatewayPort }],
            probe: answersOk(`${gatewayUrl}/healthz`),
          },
        ],
        started,
      );
      const groups = [backing, containersOf(auth), containersOf(rooms), [web as StackContainer, ...containersOf(signaling)], [gateway as StackContainer]];
      return new ContainerEnvironment(network, gatewayUrl, groups, { auth, rooms, signaling }, images);
    } catch (error) {
      await Promise.allSettled(started.map((container) => container.remove()));
      await network.stop().catch(() => undefined);
      throw error;
    }
  }

  get description(): string {
    const { auth, rooms, signaling } = this.replicas;
    return (
      `testcontainers: ${this.images.mongo}, ${this.images.redis}, coturn, auth ×${auth.length}, rooms ×${rooms.length}, ` +
      `signaling ×${signaling.length}, web and the gateway as containers (meshcall/stack-*:local) on network ${this.network.getName()}, gateway ${this.gatewayUrl}`
    );
  }

  get urls(): ServiceUrls {
    const urlsOf = (replicas: ServiceReplica[]) => replicas.map((replica) => replica.url);
    return { auth: urlsOf(this.replicas.auth), rooms: urlsOf(this.replicas.rooms), signaling: urlsOf(this.replicas.signaling) };
  }

  async restartRedis(): Promise<void> {
    await this.piece('redis').restart();
  }

  async freezeRedis(ms: number): Promise<void> {
    const redis = this.piece('redis');
    await redis.pause();
    try {
      await sleep(ms);
    } finally {
      await redis.unpause();
    }
  }

  async stopMongo(): Promise<void> {
    await this.piece('mongo').stop();
  }

  async startMongo(): Promise<void> {
    await this.piece('mongo').start();
  }

  async killSignalingReplica(index: number): Promise<void> {
    await this.replica('signaling', index).kill();
  }

  async stopService(service: ServiceName, index: number): Promise<void> {
    await this.replica(service, index).stop();
  }

  async startService(service: ServiceName, index: number): Promise<void> {
    await this.replica(service, index).start();
    // A container started again may get another address on the network, and the gateway's nginx
    // resolves upstream names when it loads its configuration (the offline set's nginx 1.22 has no
    // `resolve`): a reload points it at the replica's current address.
    await this.reloadGateway();
  }

  async restartStack(): Promise<void> {
    for (const group of [...this.groups].reverse()) await Promise.all(group.map((container) => container.stop()));
    // The gateway starts last, so it resolves every replica's new address.
    for (const group of this.groups) await Promise.all(group.map((container) => container.start()));
  }

  async stop(): Promise<void> {
    try {
      for (const group of [...this.groups].reverse()) await Promise.allSettled(group.map((container) => container.remove()));
    } finally {
      await this.network.stop();
    }
  }

  /** `nginx -s reload`, then waits until only workers of the new configuration take connections. */
  private async reloadGateway(): Promise<void> {
    const gateway = this.piece('gateway');
    const activeWorkers = async () => (await gateway.exec(['sh', '-c', LIST_ACTIVE_WORKERS])).split(/\s+/).filter(Boolean);
    const before = new Set(await activeWorkers());
    await gateway.exec(['nginx', '-s', 'reload']);
    await waitUntil(
      'gateway reload',
      async () => {
        const workers = await activeWorkers();
        return workers.length > 0 && workers.every((pid) => !before.has(pid));
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  private piece(name: 'mongo' | 'redis' | 'gateway'): StackContainer {
    const found = this.groups.flat().find((container) => container.name === name);
    if (!found) throw new Error(`no ${name} container in this environment`);
    return found;
  }

  private replica(service: ServiceName, index: number): StackContainer {
    const replica = this.replicas[service][index];
    if (!replica) throw new Error(`${service} has no replica ${index} (there are ${this.replicas[service].length})`);
    return replica.container;
  }
}

/**
 * The Testcontainers environment. Ryuk (the reaper container) is off unless asked for: its image
 * would have to be pulled, and nothing is downloaded during a run; stop() removes every container
 * and the network instead.
 */
export async function startTestcontainersEnvironment(options: EnvironmentOptions, dockerHost: string, images: ContainerImages): Promise<TestEnvironment> {
  process.env.DOCKER_HOST ??= dockerHost;
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Published ports are reached on this machine's loopback, where they are bound.
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  return ContainerEnvironment.start(options, images);
}
