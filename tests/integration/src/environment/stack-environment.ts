import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type LocalComponent, type Stack } from '@meshcall/stack';
import type { BackingServices } from './backing-services.js';
import type { EnvironmentName, EnvironmentOptions, ServiceName, ServiceUrls, TestEnvironment } from './test-environment.js';

/** Generous: five services start one after another on two busy cores. */
const SERVICE_READY_TIMEOUT_MS = 60_000;

/**
 * The services, web build and gateway run by the project's launcher as local processes, on top
 * of whichever backing services the environment chose. Both environments share this: what
 * differs between them is only where MongoDB and Redis live.
 */
export class StackEnvironment implements TestEnvironment {
  readonly name: EnvironmentName;
  private stack: Stack;
  private readonly backing: BackingServices;
  private readonly options: EnvironmentOptions;
  private readonly dataDir: string;

  private constructor(name: EnvironmentName, stack: Stack, backing: BackingServices, options: EnvironmentOptions, dataDir: string) {
    this.name = name;
    this.stack = stack;
    this.backing = backing;
    this.options = options;
    this.dataDir = dataDir;
  }

  /**
   * Starts the services over `backing`. `makeBacking` receives a getter for the running stack,
   * because the local backing services are pieces of the stack itself.
   */
  static async start(name: EnvironmentName, options: EnvironmentOptions, makeBacking: (currentStack: () => Stack) => Promise<BackingServices>): Promise<StackEnvironment> {
    const dataDir = mkdtempSync(join(tmpdir(), `meshcall-integration-${name}-`));
    let environment: StackEnvironment | undefined;
    const backing = await makeBacking(() => {
      if (!environment) throw new Error('the stack is not running yet');
      return environment.stack;
    });
    try {
      const stack = await launch(dataDir, options, backing, 0);
      environment = new StackEnvironment(name, stack, backing, options, dataDir);
      return environment;
    } catch (error) {
      const withLog = withLogTail(error);
      await backing.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      throw withLog;
    }
  }

  get description(): string {
    const { auth, rooms, signaling } = this.stack.urls;
    return `${this.name}: ${this.backing.description}; auth ×${auth.length}, rooms ×${rooms.length}, signaling ×${signaling.length}, web and the nginx gateway as local processes (launcher), gateway ${this.gatewayUrl}`;
  }

  get gatewayUrl(): string {
    return this.stack.gatewayUrl;
  }

  get urls(): ServiceUrls {
    const { auth, rooms, signaling } = this.stack.urls;
    return { auth, rooms, signaling };
  }

  restartRedis(): Promise<void> {
    return this.backing.restartRedis();
  }

  freezeRedis(ms: number): Promise<void> {
    return this.backing.freezeRedis(ms);
  }

  stopMongo(): Promise<void> {
    return this.backing.stopMongo();
  }

  startMongo(): Promise<void> {
    return this.backing.startMongo();
  }

  async killSignalingReplica(index: number): Promise<void> {
    const replica = this.replica('signaling', index);
    const running = replica.process;
    if (!running?.running) throw new Error(`${replica.name} is not running`);
    replica.signal('SIGKILL');
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
    await this.backing.restartBetweenStacks();
    // Same gateway port, so the origin (and what the services allow as Origin) stays the same.
    this.stack = await launch(this.dataDir, this.options, this.backing, gatewayPort);
  }

  async stop(): Promise<void> {
    try {
      await this.stack.stop();
    } finally {
      await this.backing.dispose();
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  private replica(service: ServiceName, index: number): LocalComponent {
    const replica = this.stack.components[service][index];
    if (!replica) throw new Error(`${service} has no replica ${index} (there are ${this.stack.components[service].length})`);
    return replica;
  }
}

async function launch(dataDir: string, options: EnvironmentOptions, backing: BackingServices, gatewayPort: number): Promise<Stack> {
  const stack = await startStack({
    dataDir,
    gatewayPort,
    signalingReplicas: options.signalingReplicas ?? 2,
    authReplicas: options.authReplicas ?? 1,
    bcryptCost: 4,
    serviceEnv: { LOG_LEVEL: 'info', ...options.serviceEnv },
    // Only what the environment decides: a developer's MONGO_URL must not leak into the suite.
    env: { PATH: process.env.PATH, ...backing.launcherEnv },
    serviceReadyTimeoutMs: SERVICE_READY_TIMEOUT_MS,
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
