import { AppError, ErrorCode, type GameState } from '@meshcall/shared';
import type { Notifier } from '../notifier.js';
import type { LocalSeat } from '../seats/local-seats.js';
import type { GameSeating } from '../seats/seat-neighbours.js';
import type { RemovedSeat, SeatStore } from '../seats/seat-store.js';
import type { GameStore } from './game-store.js';
import { assignPlayer, releasePlayer } from './tic-tac-toe.js';

/** Who plays in a game room, kept in step with the seats (see GameSeating). */
export class GamePlayers implements GameSeating {
  constructor(private readonly deps: { games: GameStore; seats: SeatStore; notifier: Notifier; now: () => number }) {}

  board(roomId: string): Promise<GameState> {
    return this.deps.games.current(roomId);
  }

  /** X for the first seated player, O for the second; the others learn of it through `game:state`. */
  async takeMark(seat: LocalSeat): Promise<GameState> {
    const outcome = await this.deps.games.update(seat.roomId, seat.peerId, (state) => assignPlayer(state, seat.record.userId), this.deps.now());
    if ('state' in outcome) {
      this.deps.notifier.fromSocketToRoom(seat.socket, seat.roomId, 'game:state', outcome.state);
      return outcome.state;
    }
    if ('unchanged' in outcome) return outcome.unchanged;
    throw new AppError(ErrorCode.NOT_IN_ROOM);
  }

  /** A user who left with their last seat in the room stops being a player. */
  async freeMarks(roomId: string, removed: RemovedSeat[]): Promise<void> {
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
