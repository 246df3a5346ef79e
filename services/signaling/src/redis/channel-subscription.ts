import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import type { z } from 'zod';
import { UNSUBSCRIBE_DEADLINE_MS, withDeadline } from './connections.js';

export interface ChannelSubscription {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows one pub/sub channel on the shared subscriber connection: each message on it is parsed
 * with `schema` and handed to `onMessage`; a malformed one is logged (`malformed` says what it
 * was meant to be) and dropped. ioredis resubscribes by itself after a reconnection.
 */
export function channelSubscription<T>(options: {
  subscriber: RedisClient;
  channel: string;
  schema: z.ZodType<T>;
  logger: FastifyBaseLogger;
  malformed: string;
  onMessage(message: T): void;
}): ChannelSubscription {
  const { subscriber, channel, schema, logger } = options;
  const listener = (from: string, raw: string) => {
    if (from !== channel) return;
    let message: T;
    try {
      message = schema.parse(JSON.parse(raw));
    } catch {
      logger.warn(`ignored a malformed ${options.malformed}`);
      return;
    }
    options.onMessage(message);
  };
  return {
    async start() {
      subscriber.on('message', listener);
      await subscriber.subscribe(channel);
    },
    async stop() {
      subscriber.off('message', listener);
      await withDeadline(subscriber.unsubscribe(channel), UNSUBSCRIBE_DEADLINE_MS);
    },
  };
}
