import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalComponent, Stack } from '@meshcall/stack';
import type { BackingServices } from './backing-services.js';
import { StackEnvironment } from './stack-environment.js';
import type { EnvironmentOptions } from './test-environment.js';

/**
 * MongoDB-wire server and Redis as the launcher's own processes (mongod or FerretDB, and
 * redis-server), faulted with process signals: stop/start on the same port, SIGSTOP/SIGCONT.
 */
class LauncherBackingServices implements BackingServices {
  readonly launcherEnv: Record<string, string> = {};
  private readonly currentStack: () => Stack;

  constructor(currentStack: () => Stack) {
    this.currentStack = currentStack;
  }

  get description(): string {
    const { mongo, redis } = this.currentStack().components;
    return `${mongo?.name ?? 'mongo'} and ${redis?.name ?? 'redis'} as local processes`;
  }

  async restartRedis(): Promise<void> {
    await this.redis().restart();
  }

  async freezeRedis(ms: number): Promise<void> {
    const redis = this.redis();
    redis.signal('SIGSTOP');
    try {
      await sleep(ms);
    } finally {
      redis.signal('SIGCONT');
    }
  }

  async stopMongo(): Promise<void> {
    await this.mongo().stop();
  }

  async startMongo(): Promise<void> {
    await this.mongo().start();
  }

  async restartBetweenStacks(): Promise<void> {
    // Nothing to do: the launcher stops and starts its own MongoDB and Redis with the stack.
  }

  async dispose(): Promise<void> {
    // The stack's stop() already stopped them.
  }

  private redis(): LocalComponent {
    const redis = this.currentStack().components.redis;
    if (!redis) throw new Error('the launcher did not start Redis (REDIS_URL was set?)');
    return redis;
  }

  private mongo(): LocalComponent {
    const mongo = this.currentStack().components.mongo;
    if (!mongo) throw new Error('the launcher did not start a MongoDB-wire server (MONGO_URL was set?)');
    return mongo;
  }
}

/** The whole stack as local processes started by the project's launcher. */
export function startLocalEnvironment(options: EnvironmentOptions): Promise<StackEnvironment> {
  return StackEnvironment.start('local', options, async (currentStack) => new LauncherBackingServices(currentStack));
}
