import { setTimeout as sleep } from 'node:timers/promises';
import mongoose, { type Connection } from 'mongoose';
import type { FastifyBaseLogger } from 'fastify';

export interface MongoHandle {
  connection: Connection;
  /** Resolves once the first connection succeeded. */
  connected: Promise<void>;
  /** Readiness: the driver has a live connection and the server answers a ping. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens a mongoose connection that keeps retrying with backoff until the server answers:
 * mongoose itself gives up after a failed initial connect, and a service started before its
 * database must still come up (with /readyz 503 meanwhile). Commands are not buffered while
 * disconnected, so a request during an outage fails fast (mapped to 503) instead of hanging.
 */
export function connectMongo(url: string, logger: FastifyBaseLogger): MongoHandle {
  const connection = mongoose.createConnection();
  connection.set('bufferCommands', false);
  let closing = false;
  const connected = (async () => {
    for (let attempt = 1; !closing; attempt++) {
      try {
        // A 2 s heartbeat (driver default 10 s) notices a restarted server sooner after an outage.
        await connection.openUri(url, { serverSelectionTimeoutMS: 2_000, heartbeatFrequencyMS: 2_000, bufferCommands: false });
        logger.info({ attempt }, 'connected to the database');
        return;
      } catch (error) {
        const delayMs = Math.min(200 * 2 ** attempt, 5_000);
        logger.warn({ attempt, delayMs, reason: (error as Error).message }, 'database not reachable yet; retrying');
        await sleep(delayMs);
      }
    }
  })();
  return {
    connection,
    connected,
    async isReady() {
      if (connection.readyState !== 1 || !connection.db) return false;
      await connection.db.admin().ping();
      return true;
    },
    async close() {
      closing = true;
      await connection.close();
    },
  };
}
