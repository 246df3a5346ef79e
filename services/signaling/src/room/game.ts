import { AppError, ErrorCode, type GameState } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import { applyMove, moveRefusalMessages, resetGame, type GameTransition } from './tic-tac-toe.js';
import type { LocalSeat } from '../seats/local-seats.js';
import { roomChannel, type SignalingSocket } from '../types.js';
import { onClientEvent } from '../transport/client-event.js';
import { requireSeat } from '../seats/require-seat.js';

function requireGameRoom(seat: LocalSeat): void {
  if (seat.room.kind !== 'game') throw new AppError(ErrorCode.ILLEGAL_MOVE, 'There is no game in this room.');
}

/** Applies a rule to the board in Redis, tells the others, and answers the mover with the new board. */
async function play<E extends string>(
  ctx: SignalingContext,
  socket: SignalingSocket,
  seat: LocalSeat,
  rule: (state: GameState) => GameTransition<E>,
  refusal: (reason: E) => AppError,
): Promise<GameState> {
  const outcome = await ctx.games.update(seat.roomId, seat.peerId, rule, ctx.now());
  if ('notSeated' in outcome) throw new AppError(ErrorCode.NOT_IN_ROOM);
  if ('refused' in outcome) throw refusal(outcome.refused);
  if ('unchanged' in outcome) return outcome.unchanged;
  socket.to(roomChannel(seat.roomId)).emit('game:state', outcome.state);
  ctx.metrics.relayed.inc({ kind: 'game' });
  return outcome.state;
}

/** Tic-tac-toe in game rooms; the server's board in Redis is the only truth. */
export function registerGameHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  onClientEvent(ctx, socket, 'game:move', async ({ cell }) => {
    const seat = requireSeat(ctx, socket);
    requireGameRoom(seat);
    return play(
      ctx,
      socket,
      seat,
      (state) => applyMove(state, seat.record.userId, cell),
      (reason) => new AppError(ErrorCode.ILLEGAL_MOVE, moveRefusalMessages[reason]),
    );
  });

  onClientEvent(
    ctx,
    socket,
    'game:reset',
    async () => {
      const seat = requireSeat(ctx, socket);
      requireGameRoom(seat);
      return play(
        ctx,
        socket,
        seat,
        (state) => resetGame(state, seat.record.userId, seat.role === 'owner'),
        () => new AppError(ErrorCode.FORBIDDEN, 'Only a player or the owner may start a new game.'),
      );
    },
  );
}
