import { waitUntil } from '@meshcall/stack';
import { GenericContainer, getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer, type WaitStrategy } from 'testcontainers';
import { docker } from './docker-engine.js';

/** The Docker API's handle of one container, as Testcontainers hands it to wait strategies. */
export type ContainerHandle = Parameters<WaitStrategy['waitUntilReady']>[0];

/** Says whether a container is ready to serve: asked at the first start and after every later start. */
export type ReadinessProbe = (handle: ContainerHandle) => Promise<boolean>;

/** Generous: containers start one group after another on two busy cores. */
export const CONTAINER_READY_TIMEOUT_MS = 120_000;
/**
 * `docker stop`'s grace before SIGKILL: the services drain for 1 s and close within 9 s.
 * Testcontainers takes it in milliseconds (a `10` there is a SIGKILL after 10 ms).
 */
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 30;

/**
 * Testcontainers' wait strategy made of a readiness probe, so a container is "started" by exactly
 * the check that later says it came back after a restart.
 */
class ProbeWaitStrategy implements WaitStrategy {
  private startupTimeoutMs = CONTAINER_READY_TIMEOUT_MS;
  private timeoutSet = false;

  constructor(
    private readonly what: string,
    private readonly probe: ReadinessProbe,
  ) {}

  async waitUntilReady(handle: ContainerHandle): Promise<void> {
    // Testcontainers removes a container that never got ready: its log is read in there or never.
    await waitForReadiness(this.what, this.probe, handle, this.startupTimeoutMs);
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
}

/** True when `command` exits 0 inside the container. */
export function commandSucceeds(command: string[]): ReadinessProbe {
  return async (handle) => {
    const client = await getContainerRuntimeClient();
    return (await client.container.exec(handle, command, { log: false })).exitCode === 0;
  };
}

/** A port of the container published on a fixed port of the host's 127.0.0.1. */
export interface PublishedPort {
  container: number;
  host: number;
  protocol?: 'tcp' | 'udp';
}

/**
 * Testcontainers publishes ports on every host address; the suite publishes only on 127.0.0.1
 * (tests send traffic nowhere else, and a test stack is nobody else's business), as compose does
 * with GATEWAY_BIND/TURN_BIND=127.0.0.1.
 */
class LoopbackPublishedContainer extends GenericContainer {
  publishOnLoopback(ports: PublishedPort[]): this {
    this.withExposedPorts(...ports);
    for (const port of ports) {
      this.hostConfig.PortBindings = {
        ...this.hostConfig.PortBindings,
        [`${port.container}/${port.protocol ?? 'tcp'}`]: [{ HostIp: '127.0.0.1', HostPort: String(port.host) }],
      };
    }
    return this;
  }
}

export interface StackContainerSpec {
  /** The piece's name in messages and its own alias on the network (auth-1, signaling-2, ...). */
  name: string;
  image: string;
  /** Further names other containers reach it by (the service name its replicas share). */
  aliases?: string[];
  environment?: Record<string, string>;
  command?: string[];
  ports?: PublishedPort[];
  probe: ReadinessProbe;
}

/**
 * One container of the stack. Ports are published on fixed host ports so a container stopped and
 * started again comes back where the tests (and TURN clients) already point; inside the network it
 * is found by name, whatever address Docker gives it on the next start.
 */
export class StackContainer {
  readonly name: string;
  private readonly started: StartedTestContainer;
  private readonly probe: ReadinessProbe;

  private constructor(name: string, started: StartedTestContainer, probe: ReadinessProbe) {
    this.name = name;
    this.started = started;
    this.probe = probe;
  }

  static async start(network: StartedNetwork, spec: StackContainerSpec): Promise<StackContainer> {
    const container = new LoopbackPublishedContainer(spec.image)
      .withNetwork(network)
      .withNetworkAliases(spec.name, ...(spec.aliases ?? []))
      .withEnvironment(spec.environment ?? {})
      .publishOnLoopback(spec.ports ?? [])
      .withWaitStrategy(new ProbeWaitStrategy(`${spec.name} container`, spec.probe))
      .withStartupTimeout(CONTAINER_READY_TIMEOUT_MS);
    if (spec.command) container.withCommand(spec.command);
    return new StackContainer(spec.name, await container.start(), spec.probe);
  }

  get id(): string {
    return this.started.getId();
  }

  /** Runs a command inside the container; rejects on a non-zero exit with its output. */
  async exec(command: string[]): Promise<string> {
    const result = await this.started.exec(command);
    if (result.exitCode !== 0) throw new Error(`${this.name}: \`${command.join(' ')}\` exited ${result.exitCode}: ${result.output.trim()}`);
    return result.stdout;
  }

  /** SIGKILL, no goodbye; resolves once Docker reports the container stopped. */
  async kill(): Promise<void> {
    const handle = await this.handle();
    await handle.kill({ signal: 'SIGKILL' });
    await handle.wait();
  }

  /** `docker stop`: SIGTERM, SIGKILL after the grace; resolves once the container stopped. */
  async stop(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.stop(await this.handle(), { timeout: STOP_TIMEOUT_MS });
  }

  /** `docker start` of the stopped container (same ports, same file system), then its readiness probe. */
  async start(): Promise<void> {
    const client = await getContainerRuntimeClient();
    const handle = await this.handle();
    await client.container.start(handle);
    await waitForReadiness(`${this.name} after a restart`, this.probe, handle, CONTAINER_READY_TIMEOUT_MS);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** `docker pause`: the cgroup freezer stops every process of the container, SIGSTOP for containers. */
  async pause(): Promise<void> {
    await (await this.handle()).pause();
  }

  async unpause(): Promise<void> {
    await (await this.handle()).unpause();
  }

  /** Kills and removes the container and its anonymous volumes: the end of a test stack needs no grace. */
  async remove(): Promise<void> {
    await this.started.stop({ timeout: 0, removeVolumes: true });
  }

  private async handle(): Promise<ContainerHandle> {
    const client = await getContainerRuntimeClient();
    return client.container.getById(this.id);
  }
}

/** Polls the probe until the container is ready; one that never gets there says why in its own log, whose last lines go into the error. */
async function waitForReadiness(what: string, probe: ReadinessProbe, handle: ContainerHandle, timeoutMs: number): Promise<void> {
  try {
    await waitUntil(what, () => probe(handle), { timeoutMs, intervalMs: 250 });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const logs = await docker(['logs', '--tail', String(LOG_TAIL_LINES), handle.id]).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`.trimEnd(),
      (logError: Error) => `(no log: ${logError.message})`,
    );
    throw new Error(`${error.message}\n--- last lines of its log ---\n${logs}`, { cause: error });
  }
}
