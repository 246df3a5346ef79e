import type { z } from 'zod';
import { joinResultSchema, serverEventPayloadSchemas, type JoinResult, type ServerEventPayload, type ServerToClientEvents } from '@meshcall/shared';
import type { IncomingSignal } from '../rtc/perfect-negotiation.js';

/**
 * Server events are outside input like any other: each is checked against its schema in
 * packages/shared (serverEventPayloadSchemas, the map the server's emits are typed from) before
 * the call state touches it, and anything malformed is dropped.
 */

function parserOf<T>(schema: z.ZodType<T>): (payload: unknown) => T | null {
  return (payload) => {
    const result = schema.safeParse(payload);
    return result.success ? result.data : null;
  };
}

function parser<E extends keyof ServerToClientEvents>(event: E): (payload: unknown) => ServerEventPayload<E> | null {
  // Indexing the map by a generic name widens the schema to the union of all; the name pins it.
  return parserOf(serverEventPayloadSchemas[event] as unknown as z.ZodType<ServerEventPayload<E>>);
}

/** The `room:join` acknowledgement's data. */
export const parseJoinResult: (payload: unknown) => JoinResult | null = parserOf(joinResultSchema);
export const parsePeer = parser('peer:joined');
export const parsePeerLeft = parser('peer:left');
export const parsePeerMedia = parser('peer:media');
export const parseChatMessage = parser('chat:message');
export const parseGameState = parser('game:state');
/** `room:kicked`: a reason code the web words itself (call-end.ts); an unknown code parses as null. */
export const parseReason = parser('room:kicked');
export const parseLocked = parser('room:locked');
export const parseMuteRequest = parser('peer:mute-requested');
export const parseHost = parser('room:host');
export const parseKnockRequest = parser('room:knock-request');
export const parseKnockWithdrawn = parser('room:knock-withdrawn');
export const parseKnockResult = parser('room:knock-result');
export const parseExpiring = parser('session:expiring');

export interface RelayedSignal {
  from: string;
  /** The server's per-recipient sequence number, echoed on resume so missed signals are replayed. */
  seq: number | undefined;
  signal: IncomingSignal;
}

const parseSignalMessage = parser('signal');

/** A relayed description or candidate, or null when it carries neither or is malformed. */
export function parseSignal(payload: unknown): RelayedSignal | null {
  const message = parseSignalMessage(payload);
  if (!message) return null;
  const { from, seq, description, candidate } = message;
  if (description) return { from, seq, signal: { description } };
  if (candidate !== undefined) return { from, seq, signal: { candidate } };
  return null;
}
