import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHealthy, formatSupervisionEvent, masterPortOf, startStack, waitUntil, type LocalComponent, type LocalRedisCluster, type Stack } from '@meshcall/stack';
import type { EnvironmentOptions, RedisMasterKill, ServiceName, ServiceUrls, TestEnvironment } from './test-environment.js';

/** Generous: the services start one after another on two busy cores. */
const SERVICE_READY_TIMEOUT_MS = 60_000;

/**
 * The whole stack as local processes started by the project's launcher: the MongoDB-wire server
 * (mongod or FerretDB), Redis, coturn, the services, the web server and the gateway. Faults are
 * process signals: stop/start on the same port, SIGSTOP/SIGCONT, SIGKILL. Those go through the
 * launcher's fault API, which its supervisor leaves alone; `crashSignalingReplica` kills by pid
 * instead, and the supervisor brings the replica back.
 */
class LocalEnvironment implements TestEnvironment {
  readonly name = 'local' as const;
  private stack: Stack;
  private readonly options: EnvironmentOptions;
  private readonly dataDir: string;

  private constructor(stack: Stack, options: EnvironmentOptions, dataDir: string) {
    this.stack = stack;
    this.options = options;
    this.dataDir = dataDir;
  }

  static async start(options: EnvironmentOptions): Promise<LocalEnvironment> {
    const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-integration-local-'));
    try {
      return new LocalEnvironment(await launch(dataDir, options, 0), options, dataDir);
    } catch (error) {
      // The log named in the error lives in the data folder: read its end before removing it.
      const withLog = withLogTail(error);
      rmSync(dataDir, { recursive: true, force: true });
      throw withLog;
    }
  }

  get description(): string {
    const { mongo, redis, auth, rooms, signaling } = this.stack.components;
    const redisName = this.stack.redisCluster ? `a Redis Cluster of ${this.stack.redisCluster.ports.length} nodes` : (redis?.name ?? 'redis');
    return `local: ${mongo?.name ?? 'mongo'}, ${redisName}, coturn, auth ×${auth.length}, rooms ×${rooms.length}, signaling ×${signaling.length}, web and the nginx gateway as local processes (launcher), gateway ${this.gatewayUrl}`;
  }

  get gatewayUrl(): string {
    return this.stack.gatewayUrl;
  }

  get urls(): ServiceUrls {
    const { auth, rooms, signaling } = this.stack.urls;
    return { auth, rooms, signaling };
  }

  async restartRedis(): Promise<void> {
    await this.piece('redis').restart();
  }

  async freezeRedis(ms: number): Promise<void> {
    const redis = this.piece('redis');
    redis.signal('SIGSTOP');
    try {
      await sleep(ms);
    } finally {
      redis.signal('SIGCONT');
    }
  }

  async stopMongo(): Promise<void> {
    await this.piece('mongo').stop();
  }

  async startMongo(): Promise<void> {
    await this.piece('mongo').start();
  }

  async killSignalingReplica(index: number): Promise<void> {
    const replica = this.replica('signaling', index);
    const running = replica.process;
    if (!running?.running) throw new Error(`${replica.name} is not running`);
    replica.signal('SIGKILL');
    await running.exited;
  }

  async crashSignalingReplica(index: number): Promise<void> {
    const replica = this.replica('signaling', index);
    const running = replica.process;
    if (!running?.running) throw new Error(`${replica.name} is not running`);
    // By pid, not through replica.signal(): a fault the library is told about is deliberate and
    // left alone, while this is the unexpected death the supervisor exists for.
    process.kill(running.pid, 'SIGKILL');
    await running.exited;
  }

  async stopService(service: ServiceName, index: number): Promise<void> {
    await this.replica(service, index).stop();
  }

  async startService(service: ServiceName, index: number): Promise<void> {
    await this.replica(service, index).start();
  }

  async restartStack(): Promise<void> {
    const gatewayPort = Number(new URL(this.stack.gatewayUrl).port);
    await this.stack.stop();
    // Same gateway port, so the origin (and what the services allow as Origin) stays the same.
    this.stack = await launch(this.dataDir, this.options, gatewayPort);
  }

  async killRedisMasterOf(key: string): Promise<RedisMasterKill> {
    const cluster = this.cluster();
    const killedPort = await masterPortOf(cluster.ports, key);
    const node = this.clusterNode(killedPort);
    const running = node.process;
    const killedAt = Date.now();
    node.signal('SIGKILL');
    await running?.exited;
    const alive = cluster.ports.filter((port) => port !== killedPort);
    // The survivors see the master fail after the node timeout, then its replica wins the election.
    await waitUntil('the cluster after a master was killed', async () => (await masterPortOf(alive, key)) !== killedPort && clusterHealthy(alive, cluster.ports.length), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    return { killedPort, promotedPort: await masterPortOf(alive, key), failoverMs: Date.now() - killedAt };
  }

  async restartRedisNode(port: number): Promise<void> {
    await this.clusterNode(port).start();
    const { ports } = this.cluster();
    await waitUntil('the restarted node rejoined the cluster', () => clusterHealthy(ports), { timeoutMs: 30_000, intervalMs: 250 });
  }

  async stop(): Promise<void> {
    try {
      await this.stack.stop();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  private cluster(): LocalRedisCluster {
    if (!this.stack.redisCluster) throw new Error('this stack runs one Redis, not a cluster (start it with redisCluster)');
    return this.stack.redisCluster;
  }

  private clusterNode(port: number): LocalComponent {
    const cluster = this.cluster();
    const node = cluster.nodes[cluster.ports.indexOf(port)];
    if (!node) throw new Error(`no cluster node listens on ${port}`);
    return node;
  }

  private piece(name: 'mongo' | 'redis'): LocalComponent {
    const piece = this.stack.components[name];
    if (!piece) throw new Error(`the launcher did not start ${name}`);
    return piece;
  }

  private replica(service: ServiceName, index: number): LocalComponent {
    const replica = this.stack.components[service][index];
    if (!replica) throw new Error(`${service} has no replica ${index} (there are ${this.stack.components[service].length})`);
    return replica;
  }
}

async function launch(dataDir: string, options: EnvironmentOptions, gatewayPort: number): Promise<Stack> {
  const stack = await startStack({
    dataDir,
    gatewayPort,
    signalingReplicas: options.signalingReplicas ?? 2,
    authReplicas: options.authReplicas ?? 1,
    bcryptCost: 4,
    serviceEnv: { LOG_LEVEL: 'info', ...options.serviceEnv },
    // Only PATH: a developer's MONGO_URL or REDIS_URL must not point the suite at other servers.
    env: { PATH: process.env.PATH },
    // The launcher's supervisor is on, as under `npm start`; its messages go to the test output.
    onSupervision: (event) => console.log(`[integration] launcher: ${formatSupervisionEvent(event)}`),
    serviceReadyTimeoutMs: SERVICE_READY_TIMEOUT_MS,
    redisCluster: options.redisCluster ?? false,
  });
  if (stack.skipped.length > 0) {
    await stack.stop();
    throw new Error(`the integration suite needs the whole stack, but these were not started: ${stack.skipped.join(', ')} (run \`npm run build\` first)`);
  }
  return stack;
}

/** The launcher names the log of a piece that did not start; the log goes with the data folder, so its end goes into the error. */
function withLogTail(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const logFile = /see its log at (\S+)/.exec(error.message)?.[1];
  if (!logFile || !existsSync(logFile)) return error;
  const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  return new Error(`${error.message}\n--- last lines of ${logFile} ---\n${tail}`, { cause: error });
}

const LOG_TAIL_LINES = 20;

/** The whole stack as local processes started by the project's launcher. */
export function startLocalEnvironment(options: EnvironmentOptions): Promise<TestEnvironment> {
  return LocalEnvironment.start(options);
}
