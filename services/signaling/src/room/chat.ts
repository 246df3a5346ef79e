import { nanoid } from 'nanoid';
import { AppError, ErrorCode, type ChatMessage } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import { roomChannel, type SignalingSocket } from '../types.js';
import { onClientEvent } from '../transport/client-event.js';
import { requireSeat } from '../seats/require-seat.js';

/**
 * `chat:send`: plain text (the schema trims and bounds it; clients render it as text, never as
 * HTML). Kept in the room's bounded history, sent to the others as `chat:message`; the sender's
 * copy is the acknowledgement.
 */
export function registerChatHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  onClientEvent(ctx, socket, 'chat:send', async ({ text }) => {
    const seat = requireSeat(ctx, socket);
    const now = ctx.now();
    const message: ChatMessage = {
      id: nanoid(),
      peerId: seat.peerId,
      userId: seat.record.userId,
      name: seat.record.name,
      text,
      at: new Date(now).toISOString(),
    };
    if (!(await ctx.chat.append(seat.roomId, seat.peerId, message, now))) throw new AppError(ErrorCode.NOT_IN_ROOM);
    socket.to(roomChannel(seat.roomId)).emit('chat:message', message);
    ctx.metrics.relayed.inc({ kind: 'chat' });
    return message;
  });
}
