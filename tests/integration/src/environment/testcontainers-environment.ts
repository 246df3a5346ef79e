import { setTimeout as sleep } from 'node:timers/promises';
import { MongoDBContainer } from '@testcontainers/mongodb';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { findFreePort, waitUntil } from '@meshcall/stack';
import type { BackingServices } from './backing-services.js';
import { isFerretDbImage, type ContainerImages } from './images.js';
import { StackEnvironment } from './stack-environment.js';
import type { EnvironmentOptions } from './test-environment.js';

const MONGO_PORT = 27017;
const REDIS_PORT = 6379;
const CONTAINER_READY_TIMEOUT_MS = 120_000;

/**
 * Containers are reached only through ports published on this machine's loopback: the suite
 * sends traffic to 127.0.0.1 and nowhere else (inside a container, Testcontainers would otherwise
 * pick the Docker bridge's address).
 */
const CONTAINER_HOST = '127.0.0.1';

/**
 * Containers get fixed host ports: a restarted container must come back where the services are
 * already pointed (Docker hands a container a new random port when it starts again).
 */
async function startRedis(image: string): Promise<StartedTestContainer> {
  const hostPort = await findFreePort();
  return new RedisContainer(image).withExposedPorts({ container: REDIS_PORT, host: hostPort }).start();
}

async function startMongo(image: string): Promise<{ container: StartedTestContainer; url: string }> {
  const hostPort = await findFreePort();
  if (isFerretDbImage(image)) {
    // FerretDB has no replica set to initiate; its image's HEALTHCHECK pings the backend.
    const container = await new GenericContainer(image)
      .withExposedPorts({ container: MONGO_PORT, host: hostPort })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(CONTAINER_READY_TIMEOUT_MS)
      .start();
    return { container, url: `mongodb://${CONTAINER_HOST}:${container.getMappedPort(MONGO_PORT)}/meshcall` };
  }
  const container = await new MongoDBContainer(image).withExposedPorts({ container: MONGO_PORT, host: hostPort }).start();
  // The module starts a one-member replica set; directConnection keeps the driver on this member.
  return { container, url: `mongodb://${CONTAINER_HOST}:${container.getMappedPort(MONGO_PORT)}/meshcall?directConnection=true` };
}

/** Waits until Docker reports the container running and, if it has a health check, healthy. */
async function waitForContainer(container: StartedTestContainer, what: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  const handle = client.container.getById(container.getId());
  await waitUntil(
    what,
    async () => {
      const state = (await client.container.inspect(handle)).State;
      return state.Running && (state.Health === undefined || state.Health.Status === 'healthy');
    },
    { timeoutMs: CONTAINER_READY_TIMEOUT_MS, intervalMs: 250 },
  );
}

/** MongoDB and Redis as containers, faulted through the Docker API (stop/start, pause/unpause). */
class ContainerBackingServices implements BackingServices {
  readonly description: string;
  readonly launcherEnv: Record<string, string>;
  private readonly mongo: StartedTestContainer;
  private readonly redis: StartedTestContainer;

  constructor(images: ContainerImages, mongo: { container: StartedTestContainer; url: string }, redis: StartedTestContainer) {
    this.mongo = mongo.container;
    this.redis = redis;
    this.description = `${images.mongo} and ${images.redis} as containers (Testcontainers)`;
    this.launcherEnv = { MONGO_URL: mongo.url, REDIS_URL: `redis://${CONTAINER_HOST}:${redis.getMappedPort(REDIS_PORT)}` };
  }

  static async start(images: ContainerImages): Promise<ContainerBackingServices> {
    const [mongo, redis] = await Promise.allSettled([startMongo(images.mongo), startRedis(images.redis)]);
    if (mongo.status === 'rejected' || redis.status === 'rejected') {
      if (mongo.status === 'fulfilled') await mongo.value.container.stop();
      if (redis.status === 'fulfilled') await redis.value.stop();
      throw mongo.status === 'rejected' ? mongo.reason : (redis as PromiseRejectedResult).reason;
    }
    return new ContainerBackingServices(images, mongo.value, redis.value);
  }

  async restartRedis(): Promise<void> {
    // A real stop (SIGTERM, then the process is gone and the port closed) and a start, same port.
    await this.redis.restart({ timeout: 10 });
  }

  async freezeRedis(ms: number): Promise<void> {
    const client = await getContainerRuntimeClient();
    const handle = client.container.getById(this.redis.getId());
    // `docker pause` freezes the container's processes with the cgroup freezer: SIGSTOP for containers.
    await handle.pause();
    try {
      await sleep(ms);
    } finally {
      await handle.unpause();
    }
  }

  async stopMongo(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.stop(client.container.getById(this.mongo.getId()), { timeout: 10 });
  }

  async startMongo(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.start(client.container.getById(this.mongo.getId()));
    await waitForContainer(this.mongo, 'mongo container');
  }

  async restartBetweenStacks(): Promise<void> {
    await Promise.all([this.mongo.restart({ timeout: 10 }), this.redis.restart({ timeout: 10 })]);
    await waitForContainer(this.mongo, 'mongo container');
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([this.mongo.stop(), this.redis.stop()]);
  }
}

/**
 * MongoDB and Redis in containers, the services and gateway by the launcher on top. Ryuk (the
 * reaper container) is off unless asked for: its image would have to be pulled, and nothing is
 * downloaded during a run; every container is stopped and removed by stop() instead.
 */
export async function startTestcontainersEnvironment(options: EnvironmentOptions, dockerHost: string, images: ContainerImages): Promise<StackEnvironment> {
  process.env.DOCKER_HOST ??= dockerHost;
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = CONTAINER_HOST;
  return StackEnvironment.start('testcontainers', options, () => ContainerBackingServices.start(images));
}
