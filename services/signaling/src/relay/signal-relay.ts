import { slotOf, type RedisClient } from '@meshcall/server-kit';
import { redisKeys } from '@meshcall/shared';
import { COMMAND_TIMEOUT_MS } from '../redis/connections.js';
import { ownRoomKey, roomKeyPrefix, signalingKeys } from '../redis/keys.js';
import { LuaScript, luaConstants, readLua } from '../redis/lua-script.js';
import { MAILBOX_TTL_MS } from '../redis/room-script.js';

/** Positional, unlike the room scripts: the header of relay-signals.lua says why. */
const relaySignalsScript = new LuaScript(
  'relay-signals',
  [
    luaConstants({ MAILBOX_TTL_MS, REPLICA_CHANNEL_PREFIX: signalingKeys.replicaChannelPrefix }),
    readLua(new URL('./scripts/relay-signals.lua', import.meta.url)),
  ].join('\n'),
);

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
 * Every signal goes through here. The signals that arrive while the previous batch is on its way
 * to Redis (at least those of one event-loop tick) go as one script call, so under load Redis runs
 * one script per round trip instead of one per signal, and a recipient on this replica costs no
 * publish and no subscriber round trip. A sender learns the outcome only once
 * its batch is stored: signals are delivered and acknowledged after they are durable, so a
 * replica killed at any moment loses nothing it acknowledged.
 */
export class SignalRelay {
  private batch = new Map<string, PendingSignal[]>();
  private flushScheduled = false;
  /** A batch sent to Redis and not answered yet: signals arriving meanwhile wait for the next one. */
  private inFlight = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: {
      mailboxLimit: number;
      replicaId: string;
      now: () => number;
      /**
       * On a Redis Cluster a script may only touch keys of one hash slot: the batch then goes as
       * one call per slot (rooms whose ids share a slot together), all at once.
       */
      splitBySlot: boolean;
    },
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
      await Promise.all(this.slotGroups(batch).map((group) => this.send(group)));
    } finally {
      this.inFlight = false;
      this.scheduleFlush();
    }
  }

  private slotGroups(batch: Map<string, PendingSignal[]>): Array<Map<string, PendingSignal[]>> {
    if (!this.options.splitBySlot) return [batch];
    const groups = new Map<number, Map<string, PendingSignal[]>>();
    for (const [roomId, signals] of batch) {
      const slot = slotOf(redisKeys.roomSeats(roomId));
      const group = groups.get(slot) ?? new Map<string, PendingSignal[]>();
      group.set(roomId, signals);
      groups.set(slot, group);
    }
    return [...groups.values()];
  }

  /** One script call for `batch`; never rejects: each signal learns its own outcome. */
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
      const reply = await relaySignalsScript.run(this.redis, keys, args);
      if (reply === 'EXPIRED') throw new Error('Command timed out: the signal batch reached Redis after its deadline');
      if (!Array.isArray(reply) || reply.length !== pending.length * 2) throw new Error('unexpected reply to the signal batch');
      pending.forEach((signal, i) => signal.resolve(outcomeOf(Number(reply[2 * i]), Number(reply[2 * i + 1]))));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const signal of pending) signal.reject(failure);
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
