import type { Redis } from 'ioredis';
import { z } from 'zod';
import { COMMAND_TIMEOUT_MS } from '../redis.js';
import { signalingKeys } from './keys.js';
import { MAILBOX_TTL_MS, RoomScript } from './room-script.js';

/** One signal kept for its recipient: `message` is the `signal` payload without its seq. */
export const mailboxEntrySchema = z.object({ seq: z.number().int().positive(), message: z.record(z.string(), z.unknown()) });
export type MailboxEntry = z.infer<typeof mailboxEntrySchema>;

const relaySignalScript = new RoomScript(
  'relay-signal',
  `
local from, to, message, limit, sent_at, from_replica = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9]
-- A relay that reaches Redis after the sender was already told it failed (Redis was stalled)
-- must not happen late: the answer the sender got stays the truth.
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) > tonumber(ARGV[10]) then return {'EXPIRED', 0} end
if not is_seated(from) then return {'NOT_IN_ROOM', 0} end
if not is_seated(to) then return {'PEER_NOT_FOUND', 0} end
local seq = redis.call('HINCRBY', seqs, to, 1)
local mailbox = prefix .. 'mailbox:' .. to
redis.call('RPUSH', mailbox, '{"seq":' .. seq .. ',"message":' .. message .. '}')
redis.call('LTRIM', mailbox, -limit, -1)
redis.call('PEXPIRE', mailbox, ${MAILBOX_TTL_MS})
-- Appending and publishing in one script orders them: a resume that reads the mailbox sees
-- every signal that was not published to its new replica, and none is published to it twice.
local replica = route_replica(redis.call('HGET', routes, to))
if replica then
  redis.call('PUBLISH', '${signalingKeys.replicaChannelPrefix}' .. replica,
    '{"type":"signal","roomId":"' .. room_id .. '","peerId":"' .. to .. '","seq":' .. seq .. ',"sentAt":' .. sent_at .. ',"fromReplica":"' .. from_replica .. '","message":' .. message .. '}')
end
return {'OK', seq}
`,
);

/**
 * A relay still executing this long after it was sent is dropped by the script: the sender's
 * command timeout (a little later) has told it the signal did not go out. Assumes the replica's
 * and Redis's clocks agree within a fraction of a second (NTP).
 */
const RELAY_DEADLINE_MS = COMMAND_TIMEOUT_MS - 250;

export type RelayResult = { ok: true; seq: number } | { ok: false; reason: 'NOT_IN_ROOM' | 'PEER_NOT_FOUND' };

/**
 * Signals on their way to one peer. Every signal is numbered per recipient and kept in a short
 * bounded list, so a peer that reconnects (to any replica) gets exactly what it missed.
 */
export class SignalMailbox {
  constructor(
    private readonly redis: Redis,
    private readonly limit: number,
    private readonly replicaId: string,
  ) {}

  /**
   * Checks that both peers sit in the room (Redis is the judge: if it cannot answer this throws
   * and the relay fails closed), numbers and keeps the signal, and publishes it to the replica
   * holding the recipient's socket, all in one script.
   */
  async relay(roomId: string, from: string, to: string, message: Record<string, unknown>, now: number): Promise<RelayResult> {
    const deadline = now + RELAY_DEADLINE_MS;
    const reply = (await relaySignalScript.run(this.redis, roomId, now, [from, to, JSON.stringify(message), this.limit, now, this.replicaId, deadline])) as unknown[];
    const status = String(reply[0]);
    if (status === 'OK') return { ok: true, seq: Number(reply[1]) };
    if (status === 'EXPIRED') throw new Error('Command timed out: the relay reached Redis after its deadline');
    return { ok: false, reason: status as 'NOT_IN_ROOM' | 'PEER_NOT_FOUND' };
  }
}

export interface ReplayPlan {
  /** Entries to emit, oldest first. */
  replay: MailboxEntry[];
  /** The client must renegotiate: what it missed cannot be replayed. */
  resync: boolean;
  /** The highest seq the client holds after the replay. */
  deliveredSeq: number;
}

/**
 * Decides what a resumed peer gets: the signals after the last one it saw, if all of them are
 * still kept; otherwise nothing and `resync`. `lastSeen` is the client's own count, or failing
 * that what the previous replica had emitted (undefined when that replica crashed).
 */
export function planReplay(mailbox: MailboxEntry[], currentSeq: number, lastSeen: number | undefined): ReplayPlan {
  if (lastSeen === undefined) return { replay: [], resync: currentSeq > 0, deliveredSeq: currentSeq };
  if (lastSeen > currentSeq) return { replay: [], resync: true, deliveredSeq: currentSeq };
  const missed = mailbox.filter((entry) => entry.seq > lastSeen).sort((a, b) => a.seq - b.seq);
  const complete = missed.length === currentSeq - lastSeen && missed.every((entry, i) => entry.seq === lastSeen + 1 + i);
  if (!complete) return { replay: [], resync: true, deliveredSeq: currentSeq };
  return { replay: missed, resync: false, deliveredSeq: currentSeq };
}
