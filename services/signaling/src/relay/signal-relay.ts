import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '@meshcall/shared';
import { COMMAND_TIMEOUT_MS } from '../redis/connections.js';
import { ownRoomKey, roomKeyPrefix, signalingKeys } from '../redis/keys.js';
import { MAILBOX_TTL_MS } from '../redis/room-script.js';

/**
 * Relays every signal of one event-loop tick in one script call. KEYS come in threes per room
 * (seats, signal seqs, routes); ARGV starts with now, the deadline, the mailbox limit and this
 * replica's id, then per room its key prefix, id and entry count, then sender, recipient and
 * message JSON per entry. For each entry both peers must still be seated (Redis stays the judge:
 * a peer id of another room is not found), the signal gets its recipient's next number and is
 * kept in the bounded mailbox a resume replays from. A recipient on this replica is answered
 * LOCAL and delivered by the caller; any other is published to its replica's channel, in the same
 * script, so a resume that reads the mailbox sees every signal not published to its new replica.
 * Results are flat pairs per entry: status (1 local, 2 published or held for a resume, -1 sender
 * not seated, -2 recipient not found) and seq.
 *
 * One call may cover several rooms because a single Redis serves them all; under Redis Cluster
 * the batch must be split by hash slot (each room's keys share its `{roomId}` tag).
 */
const RELAY_SIGNALS_SOURCE = `
local now, deadline, limit, self = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
-- A batch that reaches Redis after its senders were told it failed (Redis was stalled) must not
-- take effect late: the answer the senders got stays the truth.
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) > deadline then return 'EXPIRED' end
local function is_seated(seats, peer_id)
  local score = redis.call('ZSCORE', seats, peer_id)
  return score and tonumber(score) >= now
end
local results = {}
local arg = 5
for group = 1, #KEYS, 3 do
  local seats, seqs, routes = KEYS[group], KEYS[group + 1], KEYS[group + 2]
  local prefix, room_id, count = ARGV[arg], ARGV[arg + 1], tonumber(ARGV[arg + 2])
  arg = arg + 3
  for _ = 1, count do
    local from, to, message = ARGV[arg], ARGV[arg + 1], ARGV[arg + 2]
    arg = arg + 3
    if not is_seated(seats, from) then
      table.insert(results, -1); table.insert(results, 0)
    elseif not is_seated(seats, to) then
      table.insert(results, -2); table.insert(results, 0)
    else
      local seq = redis.call('HINCRBY', seqs, to, 1)
      local mailbox = prefix .. 'mailbox:' .. to
      if redis.call('RPUSH', mailbox, '{"seq":' .. seq .. ',"message":' .. message .. '}') > limit then
        redis.call('LTRIM', mailbox, -limit, -1)
      end
      redis.call('PEXPIRE', mailbox, ${MAILBOX_TTL_MS})
      -- An empty route is a seat waiting for its resume, which replays the mailbox.
      local replica = string.match(redis.call('HGET', routes, to) or '', '^(.-)|')
      if replica == self then
        table.insert(results, 1)
      else
        if replica then
          redis.call('PUBLISH', '${signalingKeys.replicaChannelPrefix}' .. replica,
            '{"type":"signal","roomId":"' .. room_id .. '","peerId":"' .. to .. '","seq":' .. seq .. ',"sentAt":' .. now .. ',"fromReplica":"' .. self .. '","message":' .. message .. '}')
        end
        table.insert(results, 2)
      end
      table.insert(results, seq)
    end
  end
end
return results
`;
const RELAY_SIGNALS_SHA = createHash('sha1').update(RELAY_SIGNALS_SOURCE).digest('hex');

/**
 * A batch still executing this long after it was built is dropped by the script: the senders'
 * command timeout (a little later) has told them their signals did not go out. Assumes the
 * replica's and Redis's clocks agree within a fraction of a second (NTP).
 */
const RELAY_DEADLINE_MS = COMMAND_TIMEOUT_MS - 250;

export type RelayOutcome =
  /** Numbered and kept; the recipient's socket is on this replica, so the caller delivers it. */
  | { ok: true; seq: number; recipientHere: true }
  /** Numbered, kept, and published to the recipient's replica (or left for its resume). */
  | { ok: true; seq: number; recipientHere: false }
  | { ok: false; reason: 'NOT_IN_ROOM' | 'PEER_NOT_FOUND' };

interface PendingSignal {
  from: string;
  to: string;
  message: string;
  resolve(outcome: RelayOutcome): void;
  reject(error: Error): void;
}

/**
 * Every signal goes through here. Signals sent in one event-loop tick go to Redis as one script
 * call, so Redis runs one script per tick instead of one per signal, and a recipient on this
 * replica costs no publish and no subscriber round trip. A sender learns the outcome only once
 * its batch is stored: signals are delivered and acknowledged after they are durable, so a
 * replica killed at any moment loses nothing it acknowledged.
 */
export class SignalRelay {
  private batch = new Map<string, PendingSignal[]>();
  private flushScheduled = false;
  /** A batch sent to Redis and not answered yet: signals arriving meanwhile wait for the next one. */
  private inFlight = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: { mailboxLimit: number; replicaId: string; now: () => number },
  ) {}

  relay(roomId: string, from: string, to: string, message: Record<string, unknown>): Promise<RelayOutcome> {
    return new Promise((resolve, reject) => {
      let room = this.batch.get(roomId);
      if (!room) {
        room = [];
        this.batch.set(roomId, room);
      }
      room.push({ from, to, message: JSON.stringify(message), resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * One batch in flight at a time, sent after the I/O callbacks of the current turn of the loop
   * (every signal read from the sockets in it joins). Under light load that adds no wait; under
   * heavy load the signals that arrive during one round trip to Redis share the next call, so
   * Redis runs a script and the replica writes a command per round trip, not per signal.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight || this.batch.size === 0) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = new Map();
    this.flushScheduled = false;
    this.inFlight = true;
    try {
      await this.send(batch);
    } finally {
      this.inFlight = false;
      this.scheduleFlush();
    }
  }

  private async send(batch: Map<string, PendingSignal[]>): Promise<void> {
    const now = this.options.now();
    const keys: string[] = [];
    const args: Array<string | number> = [now, now + RELAY_DEADLINE_MS, this.options.mailboxLimit, this.options.replicaId];
    const pending: PendingSignal[] = [];
    for (const [roomId, signals] of batch) {
      keys.push(redisKeys.roomSeats(roomId), ownRoomKey(roomId, 'signal-seqs'), ownRoomKey(roomId, 'routes'));
      args.push(roomKeyPrefix(roomId), roomId, signals.length);
      for (const signal of signals) {
        args.push(signal.from, signal.to, signal.message);
        pending.push(signal);
      }
    }
    try {
      const reply = await this.run(keys, args);
      if (reply === 'EXPIRED') throw new Error('Command timed out: the signal batch reached Redis after its deadline');
      if (!Array.isArray(reply) || reply.length !== pending.length * 2) throw new Error('unexpected reply to the signal batch');
      pending.forEach((signal, i) => signal.resolve(outcomeOf(Number(reply[2 * i]), Number(reply[2 * i + 1]))));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const signal of pending) signal.reject(failure);
    }
  }

  /** EVALSHA, falling back to EVAL when Redis does not know the script (first use, or after a restart). */
  private async run(keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.redis.evalsha(RELAY_SIGNALS_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return this.redis.eval(RELAY_SIGNALS_SOURCE, keys.length, ...keys, ...args);
      throw error;
    }
  }
}

function outcomeOf(status: number, seq: number): RelayOutcome {
  switch (status) {
    case 1:
      return { ok: true, seq, recipientHere: true };
    case 2:
      return { ok: true, seq, recipientHere: false };
    case -1:
      return { ok: false, reason: 'NOT_IN_ROOM' };
    default:
      return { ok: false, reason: 'PEER_NOT_FOUND' };
  }
}
