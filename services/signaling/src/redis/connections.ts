import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The four Redis connections a replica holds, each tuned for its job:
 * - `commands` fails fast (no offline queue, short timeout) so a relay fails closed instead of
 *   hanging or acting on stale state while Redis is away;
 * - `publisher` (the adapter's pub client) queues while disconnected, because the adapter does
 *   not handle a rejected publish and a rejection would crash the process;
 * - `adapterSubscriber` and `subscriber` are subscriber-mode connections (the adapter's own, and
 *   ours for room events and this replica's delivery channel); ioredis resubscribes on reconnect.
 */
export interface RedisConnections {
  commands: Redis;
  publisher: Redis;
  adapterSubscriber: Redis;
  subscriber: Redis;
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

function waitReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

export function createRedisConnections(url: string, logger: Logger): RedisConnections {
  const base: RedisOptions = {
    lazyConnect: false,
    // Reconnect forever with a capped back-off: Redis coming back must heal the replica by itself.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  };
  const commands = new Redis(url, {
    ...base,
    connectionName: 'signaling-commands',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  const publisher = new Redis(url, { ...base, connectionName: 'signaling-adapter-pub', maxRetriesPerRequest: null });
  const adapterSubscriber = new Redis(url, { ...base, connectionName: 'signaling-adapter-sub', maxRetriesPerRequest: null });
  const subscriber = new Redis(url, { ...base, connectionName: 'signaling-sub', maxRetriesPerRequest: null });
  const all = [commands, publisher, adapterSubscriber, subscriber];
  for (const client of all) {
    // Without a listener ioredis prints every reconnect failure; one warning line per event is enough.
    client.on('error', (error: Error) => logger.warn({ connection: client.options.connectionName, err: error.message }, 'redis connection error'));
  }
  return {
    commands,
    publisher,
    adapterSubscriber,
    subscriber,
    async ready() {
      await Promise.all(all.map(waitReady));
    },
    async quit() {
      // QUIT waits for Redis to answer; when it is away, just close the sockets.
      await Promise.all(all.map((client) => (client.status === 'ready' ? withDeadline(client.quit(), QUIT_DEADLINE_MS) : undefined)));
      for (const client of all) client.disconnect();
    },
  };
}
