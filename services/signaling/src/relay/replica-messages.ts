import { z } from 'zod';

/**
 * Every message one replica's channel (signalingKeys.replicaChannel) carries. The producers are
 * Lua scripts, run by whichever replica acts, and publish to the replica that holds the socket:
 * - `signal`: relay-signals.lua, for a recipient whose socket is on another replica;
 * - `evict`: publish_evict in room-prelude.lua, called by take-seat.lua (`joined-elsewhere`),
 *   resume-seat.lua (`replaced`), release-seat.lua (`kicked`), release-user.lua
 *   (`uninvited`) and end-call.lua (`ended`).
 * The consumer, ReplicaInbox, parses with this schema; test/replica-messages.test.ts checks that
 * what those scripts publish parses with it.
 */
export const replicaMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('signal'),
    roomId: z.string(),
    /** The recipient. */
    peerId: z.string(),
    seq: z.number().int().positive(),
    /** When the sender's replica built the batch (ms), for the relay latency metric. */
    sentAt: z.number(),
    fromReplica: z.string(),
    /** The `signal` event's payload without its seq. */
    message: z.record(z.string(), z.unknown()),
  }),
  z.object({
    type: z.literal('evict'),
    roomId: z.string(),
    peerId: z.string(),
    /** The socket id the seat had when the script ran, so a socket that took the seat back here since is left alone. */
    conn: z.string().optional(),
    /** Why the replica must let go of the socket's seat. */
    reason: z.enum(['kicked', 'uninvited', 'joined-elsewhere', 'replaced', 'ended']),
  }),
]);
export type ReplicaMessage = z.infer<typeof replicaMessageSchema>;
