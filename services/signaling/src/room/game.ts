import { AppError, ErrorCode, type GameState } from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import type { Notifier } from '../notifier.js';
import { applyMove, moveRefusalMessages, resetGame, type GameTransition } from './tic-tac-toe.js';
import type { LocalSeat, LocalSeats } from '../seats/local-seats.js';
import { requireSeat } from '../seats/require-seat.js';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';
import type { SignalingSocket } from '../types.js';
import type { GameStore } from './game-store.js';

export interface GameDeps extends ClientEventDeps {
  localSeats: LocalSeats;
  games: GameStore;
  notifier: Notifier;
  metrics: Pick<SignalingMetrics, 'reject' | 'relayed'>;
  now(): number;
}

function requireGameRoom(seat: LocalSeat): void {
  if (seat.room.kind !== 'game') throw new AppError(ErrorCode.ILLEGAL_MOVE, 'There is no game in this room.');
}

/** Applies a rule to the board in Redis, tells the others, and answers the mover with the new board. */
async function play<E extends string>(
  deps: GameDeps,
  socket: SignalingSocket,
  seat: LocalSeat,
  rule: (state: GameState) => GameTransition<E>,
  refusal: (reason: E) => AppError,
): Promise<GameState> {
  const outcome = await deps.games.update(seat.roomId, seat.peerId, rule, deps.now());
  if ('notSeated' in outcome) throw new AppError(ErrorCode.NOT_IN_ROOM);
  if ('refused' in outcome) throw refusal(outcome.refused);
  if ('unchanged' in outcome) return outcome.unchanged;
  deps.notifier.fromSocketToRoom(socket, seat.roomId, 'game:state', outcome.state);
  deps.metrics.relayed.inc({ kind: 'game' });
  return outcome.state;
}

/** Tic-tac-toe in game rooms; the server's board in Redis is the only truth. */
export function registerGameHandlers(deps: GameDeps, events: ClientEventRouter): void {
  events.on('game:move', async (socket, { cell }) => {
    const seat = requireSeat(deps.localSeats, socket);
    requireGameRoom(seat);
    return play(
      deps,
      socket,
      seat,
      (state) => applyMove(state, seat.record.userId, cell),
      (reason) => new AppError(ErrorCode.ILLEGAL_MOVE, moveRefusalMessages[reason]),
    );
  });

  events.on('game:reset', async (socket) => {
    const seat = requireSeat(deps.localSeats, socket);
    requireGameRoom(seat);
    return play(
      deps,
      socket,
      seat,
      (state) => resetGame(state, seat.record.userId, seat.role === 'owner'),
      () => new AppError(ErrorCode.FORBIDDEN, 'Only a player or the owner may start a new game.'),
    );
  });
}
