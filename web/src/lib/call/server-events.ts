import { z } from 'zod';
import {
  chatMessageSchema,
  gameStateSchema,
  iceCandidateSchema,
  joinResultSchema,
  mediaStateSchema,
  peerIdSchema,
  peerLeftReasonSchema,
  peerSchema,
  sessionDescriptionSchema,
  type ChatMessage,
  type GameState,
  type JoinResult,
  type MediaState,
  type Peer,
  type PeerLeftReason,
} from '@meshcall/shared';
import type { IncomingSignal } from '../rtc/perfect-negotiation.js';

/**
 * Server events are outside input like any other: each is checked against the shared schema
 * before the call state touches it, and anything malformed is dropped.
 */

const signalMessageSchema = z.object({
  from: peerIdSchema,
  seq: z.number().int().min(0).optional(),
  description: sessionDescriptionSchema.optional(),
  candidate: iceCandidateSchema.nullable().optional(),
});

const peerMediaSchema = mediaStateSchema.extend({ peerId: peerIdSchema });
const peerLeftSchema = z.object({ peerId: peerIdSchema, reason: peerLeftReasonSchema });
const reasonSchema = z.object({ reason: z.string().max(500).catch('') });
const lockedSchema = z.object({ locked: z.boolean() });
const expiringSchema = z.object({ expiresAt: z.iso.datetime() });

function parser<T>(schema: z.ZodType<T>) {
  return (payload: unknown): T | null => {
    const result = schema.safeParse(payload);
    return result.success ? result.data : null;
  };
}

export const parseJoinResult: (payload: unknown) => JoinResult | null = parser(joinResultSchema);
export const parsePeer: (payload: unknown) => Peer | null = parser(peerSchema);
export const parsePeerLeft: (payload: unknown) => { peerId: string; reason: PeerLeftReason } | null = parser(peerLeftSchema);
export const parsePeerMedia: (payload: unknown) => ({ peerId: string } & MediaState) | null = parser(peerMediaSchema);
export const parseChatMessage: (payload: unknown) => ChatMessage | null = parser(chatMessageSchema);
export const parseGameState: (payload: unknown) => GameState | null = parser(gameStateSchema);
export const parseReason: (payload: unknown) => { reason: string } | null = parser(reasonSchema);
export const parseLocked: (payload: unknown) => { locked: boolean } | null = parser(lockedSchema);
export const parseExpiring: (payload: unknown) => { expiresAt: string } | null = parser(expiringSchema);

export interface RelayedSignal {
  from: string;
  /** The server's per-recipient sequence number, echoed on resume so missed signals are replayed. */
  seq: number | undefined;
  signal: IncomingSignal;
}

/** A relayed description or candidate, or null when it carries neither or is malformed. */
export function parseSignal(payload: unknown): RelayedSignal | null {
  const result = signalMessageSchema.safeParse(payload);
  if (!result.success) return null;
  const { from, seq, description, candidate } = result.data;
  if (description) return { from, seq, signal: { description } };
  if (candidate !== undefined) return { from, seq, signal: { candidate } };
  return null;
}
