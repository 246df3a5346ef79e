import { nanoid } from 'nanoid';
import { AppError, ErrorCode, type ChatMessage } from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import type { Notifier } from '../notifier.js';
import type { LocalSeats } from '../seats/local-seats.js';
import { requireSeat } from '../seats/require-seat.js';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';
import type { ChatHistory } from './chat-history.js';

export interface ChatDeps extends ClientEventDeps {
  localSeats: LocalSeats;
  chat: ChatHistory;
  notifier: Notifier;
  metrics: Pick<SignalingMetrics, 'reject' | 'relayed'>;
  now(): number;
}

/**
 * `chat:send`: plain text (the schema trims and bounds it; clients render it as text, never as
 * HTML). Kept in the room's bounded history, sent to the others as `chat:message`; the sender's
 * copy is the acknowledgement.
 */
export function registerChatHandlers(deps: ChatDeps, events: ClientEventRouter): void {
  events.on('chat:send', async (socket, { text }) => {
    const seat = requireSeat(deps.localSeats, socket);
    const now = deps.now();
    const message: ChatMessage = {
      id: nanoid(),
      peerId: seat.peerId,
      userId: seat.record.userId,
      name: seat.record.name,
      text,
      at: new Date(now).toISOString(),
    };
    if (!(await deps.chat.append(seat.roomId, seat.peerId, message, now))) throw new AppError(ErrorCode.NOT_IN_ROOM);
    deps.notifier.fromSocketToRoom(socket, seat.roomId, 'chat:message', message);
    deps.metrics.relayed.inc({ kind: 'chat' });
    return message;
  });
}
