import type { FastifyBaseLogger } from 'fastify';
import type { PeerLeftReason } from '@meshcall/shared';
import { releasePlayer } from '../room/tic-tac-toe.js';
import type { GameStore } from '../room/game-store.js';
import type { RemovedSeat, SeatStore } from './seat-store.js';
import type { Notifier } from '../notifier.js';

/**
 * Tells a room that seats are gone (whichever replica noticed: the leaver's, the kicker's, or
 * the sweeper's) and frees a departed player's mark on the game board. The broadcast goes
 * through the adapter, so it reaches the room's sockets on every replica.
 */
export class Departures {
  constructor(
    private readonly deps: { notifier: Notifier; seats: SeatStore; games: GameStore; logger: FastifyBaseLogger; now: () => number },
  ) {}

  async announce(roomId: string, removed: RemovedSeat[], reason: PeerLeftReason): Promise<void> {
    if (removed.length === 0) return;
    for (const seat of removed) this.deps.notifier.toRoomAbout(roomId, seat.peerId, 'peer:left', { peerId: seat.peerId, reason });
    try {
      await this.freeGameMarks(roomId, removed);
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, 'could not update the game after a departure');
    }
  }

  /** A user who left with their last seat in the room stops being a player. */
  private async freeGameMarks(roomId: string, removed: RemovedSeat[]): Promise<void> {
    const now = this.deps.now();
    const { players } = await this.deps.games.current(roomId);
    const departedPlayers = removed.map((seat) => seat.userId).filter((userId) => userId !== '' && (userId === players.X || userId === players.O));
    // Most departures are from rooms without a game, or of spectators: nothing more to look up.
    if (departedPlayers.length === 0) return;
    const stillSeated = await this.deps.seats.seatedUserIds(roomId, now);
    for (const userId of new Set(departedPlayers.filter((id) => !stillSeated.has(id)))) {
      const outcome = await this.deps.games.update(roomId, '', (state) => releasePlayer(state, userId), now);
      if ('state' in outcome) this.deps.notifier.toRoom(roomId, 'game:state', outcome.state);
    }
  }
}
