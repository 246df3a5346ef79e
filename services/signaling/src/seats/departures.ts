import type { FastifyBaseLogger } from 'fastify';
import type { PeerLeftReason } from '@meshcall/shared';
import type { Notifier } from '../notifier.js';
import type { DepartureLog } from './departure-log.js';
import type { GameSeating } from './seat-neighbours.js';
import type { RemovedSeat } from './seat-store.js';

/**
 * Tells a room that seats are gone (whichever replica noticed: the leaver's, the kicker's, or
 * the sweeper's) and frees a departed player's mark on the game board. The broadcast goes
 * through the adapter, so it reaches the room's sockets on every replica; the departure is
 * logged just before it, for a replica whose subscriber is away at that moment (RoomCatchUp).
 */
export class Departures {
  constructor(
    private readonly deps: { notifier: Notifier; players: GameSeating; log: DepartureLog; logger: FastifyBaseLogger },
  ) {}

  async announce(roomId: string, removed: RemovedSeat[], reason: PeerLeftReason): Promise<void> {
    if (removed.length === 0) return;
    try {
      // Before the broadcast: a catch-up reading the log after missing the broadcast then finds it.
      await this.deps.log.record(roomId, removed.map((seat) => ({ peerId: seat.peerId, reason })));
    } catch (error) {
      // The broadcast still goes out: only a replica reconnecting at this very moment misses it.
      this.deps.logger.warn({ err: error, roomId }, 'could not log a departure for catch-ups');
    }
    for (const seat of removed) this.deps.notifier.toRoomAbout(roomId, seat.peerId, 'peer:left', { peerId: seat.peerId, reason });
    try {
      await this.deps.players.freeMarks(roomId, removed);
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, 'could not update the game after a departure');
    }
  }
}
