import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisTarget } from '@meshcall/shared';
import { createRedisClient, redisReady, type RedisClient, type RedisClientOptions } from '@meshcall/server-kit';

/**
 * The four Redis connections a replica holds, each tuned for its job:
 * - `commands` fails fast (no offline queue, short timeout) so a relay fails closed instead of
 *   hanging or acting on stale state while Redis is away;
 * - `publisher` (the adapter's pub client) queues while disconnected, because the adapter does
 *   not handle a rejected publish and a rejection would crash the process;
 * - `adapterSubscriber` and `subscriber` are subscriber-mode connections (the adapter's own, and
 *   ours for room events and this replica's delivery channel); ioredis resubscribes on reconnect.
 * On a Redis Cluster each is a cluster client over every node; the adapter's pair then uses
 * sharded pub/sub (one subscriber per shard), while ours keeps classic pub/sub, because the Lua
 * scripts publish to a replica's channel from whichever shard holds the room.
 */
export interface RedisConnections {
  /** Whether the target is a Redis Cluster (the adapter and the relay's batching follow it). */
  cluster: boolean;
  commands: RedisClient;
  publisher: RedisClient;
  adapterSubscriber: RedisClient;
  subscriber: RedisClient;
  /** Resolves once every connection is ready. */
  ready(): Promise<void>;
  quit(): Promise<void>;
}

/** A command Redis has not answered by then fails, so callers fail closed instead of hanging. */
export const COMMAND_TIMEOUT_MS = 2_000;

const QUIT_DEADLINE_MS = 1_000;
/** Unsubscribing on shutdown is a courtesy to Redis, not worth waiting long for. */
export const UNSUBSCRIBE_DEADLINE_MS = 1_000;

/**
 * Waits for `work` at most `ms`, never rejecting: for clean-up steps that talk to Redis, which
 * must not hold a shutdown hostage while Redis is unreachable.
 */
export async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function createRedisConnections(target: RedisTarget, logger: Logger): RedisConnections {
  const base: RedisOptions = {
    lazyConnect: false,
    // Reconnect forever with a capped back-off: Redis coming back must heal the replica by itself.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  };
  const connect = (connectionName: string, options: RedisClientOptions) => {
    const client = createRedisClient(target, { ...base, connectionName, ...options });
    // Without a listener ioredis prints every reconnect failure; one warning line per event is enough.
    client.on('error', (error: Error) => logger.warn({ connection: connectionName, err: error.message }, 'redis connection error'));
    return client;
  };
  const commands = connect('signaling-commands', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  const publisher = connect('signaling-adapter-pub', { maxRetriesPerRequest: null });
  const adapterSubscriber = connect('signaling-adapter-sub', { maxRetriesPerRequest: null, shardedSubscribers: true });
  const subscriber = connect('signaling-sub', { maxRetriesPerRequest: null });
  const all = [commands, publisher, adapterSubscriber, subscriber];
  return {
    cluster: target.kind === 'cluster',
    commands,
    publisher,
    adapterSubscriber,
    subscriber,
    async ready() {
      await Promise.all(all.map(redisReady));
    },
    async quit() {
      // QUIT waits for Redis to answer; when it is away, just close the sockets.
      await Promise.all(all.map((client) => (client.status === 'ready' ? withDeadline(client.quit(), QUIT_DEADLINE_MS) : undefined)));
      for (const client of all) client.disconnect();
    },
  };
}
