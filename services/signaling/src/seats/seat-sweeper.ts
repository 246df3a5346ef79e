import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import { parseLeaseMember, signalingKeys } from '../redis/keys.js';
import type { SeatStore } from './seat-store.js';
import type { Departures } from './departures.js';
import { LEASE_RENEW_INTERVAL_MS } from './lease-keeper.js';

export const SWEEP_INTERVAL_MS = 1_000;
/** Expired leases handled per sweep; the rest wait a second. */
const SWEEP_BATCH = 500;

/**
 * Finds seats whose lease ran out (a crashed replica's peers, or a dropped peer whose grace
 * window ended) and announces their departure. Once per interval the replica that wins a short
 * Redis lock sweeps, so a crashed replica's seats are noticed even when no socket of that room
 * is left anywhere. After Redis comes back, a replica waits for everyone's leases to be
 * re-asserted before sweeping, so live peers are not announced as gone.
 */
export class SeatSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private holdUntil = 0;
  private failing = false;
  private connectedBefore = false;
  private readonly onReady = () => {
    if (this.connectedBefore) this.holdUntil = this.deps.now() + 2 * LEASE_RENEW_INTERVAL_MS;
    this.connectedBefore = true;
  };

  constructor(
    private readonly deps: {
      redis: RedisClient;
      replicaId: string;
      seats: SeatStore;
      departures: Departures;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {}

  start(): void {
    this.connectedBefore = this.deps.redis.status === 'ready';
    this.deps.redis.on('ready', this.onReady);
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => {
        this.running = undefined;
      });
    }, SWEEP_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.deps.redis.off('ready', this.onReady);
    await this.running;
  }

  private async sweep(): Promise<void> {
    const { redis, seats, departures, now } = this.deps;
    if (now() < this.holdUntil) return;
    try {
      const won = await redis.set(signalingKeys.sweeperLock, this.deps.replicaId, 'PX', SWEEP_INTERVAL_MS, 'NX');
      if (won !== 'OK') return;
      const candidates = await seats.expiredLeaseCandidates(now(), SWEEP_BATCH);
      const byRoom = new Map<string, string[]>();
      for (const member of candidates) {
        const lease = parseLeaseMember(member);
        if (!lease) {
          await redis.zrem(signalingKeys.leaseIndex, member);
          continue;
        }
        byRoom.set(lease.roomId, [...(byRoom.get(lease.roomId) ?? []), lease.peerId]);
      }
      for (const [roomId, peerIds] of byRoom) {
        const removed = await seats.sweepRoom(roomId, peerIds, now());
        await departures.announce(roomId, removed, 'disconnected');
      }
      this.failing = false;
    } catch (error) {
      // Once per outage, not once a second.
      if (!this.failing) this.deps.logger.warn({ err: error }, 'seat sweep failed; will retry');
      this.failing = true;
    }
  }
}
