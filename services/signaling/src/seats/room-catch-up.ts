import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import type { LocalSeats } from './local-seats.js';
import type { SeatStore } from './seat-store.js';
import type { Notifier } from '../notifier.js';
import type { DepartureLog } from './departure-log.js';

/**
 * A catch-up that meets the command connection still reconnecting (it fails fast, and its back-off
 * reaches 2 s) tries again, for about five seconds.
 */
const ATTEMPTS = 10;
const RETRY_DELAY_MS = 500;

/**
 * Pub/sub keeps nothing for a subscriber that is away: whatever the other replicas broadcast to a
 * room while this replica's adapter subscriber was reconnecting never reaches the room's sockets
 * here. After a Redis restart that is exactly when replicas put back the seats Redis lost and
 * announce them, so a peer here could miss a seat put back on another replica, or a peer who
 * joined there in that moment, and never connect to it.
 *
 * So once the subscriber is back, each local socket is told again who is in its room (a
 * `peer:joined` per seated peer; clients ignore the ones they know), and who left it in the last
 * minute and is not seated now (a `peer:left` per departure in the room's DepartureLog, which is
 * written before each broadcast; clients ignore peers they do not know). Both are read only
 * after Redis has confirmed the resubscription, so anything before it is in what is read, and
 * anything after it arrives by pub/sub.
 *
 * On a Redis Cluster the sharded adapter's subscriptions live on per-shard connections of their
 * own, so there the catch-up follows the cluster client's readiness without that confirmation.
 */
export class RoomCatchUp {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly onReconnected = () => {
    this.running = this.catchUp();
  };

  constructor(
    private readonly deps: {
      adapterSubscriber: RedisClient;
      seats: SeatStore;
      departures: DepartureLog;
      localSeats: LocalSeats;
      notifier: Notifier;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {}

  /** After the replica's connections are ready: the subscriber says 'ready' again after every reconnection. */
  start(): void {
    this.deps.adapterSubscriber.on('ready', this.onReconnected);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.adapterSubscriber.off('ready', this.onReconnected);
    await this.running;
  }

  private async catchUp(): Promise<void> {
    const { adapterSubscriber, logger } = this.deps;
    // ioredis writes the resubscriptions before it reports 'ready'; a PING behind them on the same
    // connection is answered only once Redis has processed them.
    if (!adapterSubscriber.isCluster) {
      try {
        await adapterSubscriber.ping();
      } catch {
        return; // Gone again: the next 'ready' catches up.
      }
    }
    for (let attempt = 1; attempt <= ATTEMPTS && !this.stopped; attempt += 1) {
      try {
        await this.tellEveryRoom();
        return;
      } catch (error) {
        if (attempt === ATTEMPTS) logger.warn({ err: error }, 'could not catch the rooms up after the adapter subscriber reconnected');
        else await sleep(RETRY_DELAY_MS);
      }
    }
  }

  private async tellEveryRoom(): Promise<void> {
    const { seats, departures, localSeats, notifier, now } = this.deps;
    for (const roomId of localSeats.roomIds()) {
      // Rooms where this replica only holds seats awaiting a resume have nobody to tell.
      if (localSeats.inRoom(roomId).length === 0) continue;
      const [{ peers }, departed] = await Promise.all([seats.snapshot(roomId, 0, now()), departures.recent(roomId)]);
      const seated = new Set(peers.map((peer) => peer.peerId));
      const gone = departed.filter((departure) => !seated.has(departure.peerId));
      // Read again after the snapshot: sockets may have come or gone meanwhile.
      for (const listener of localSeats.inRoom(roomId)) {
        for (const peer of peers) if (peer.peerId !== listener.peerId) notifier.toSocket(listener.socket, 'peer:joined', peer);
        for (const departure of gone) if (departure.peerId !== listener.peerId) notifier.toSocket(listener.socket, 'peer:left', departure);
      }
    }
  }
}
