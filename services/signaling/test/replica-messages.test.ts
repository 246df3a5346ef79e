import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEAT_LEASE_MS } from '@meshcall/shared';
import { signalingKeys } from '../src/redis/keys.js';
import { replicaMessageSchema, type ReplicaMessage } from '../src/relay/replica-messages.js';
import { SignalRelay } from '../src/relay/signal-relay.js';
import { SeatStore } from '../src/seats/seat-store.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { newRoomId, newUserId } from './support/token-issuer.js';

const MUTED = { audio: false, video: false, screen: false };

/**
 * The producers of replica messages are Lua scripts and the consumer is TypeScript: this drives
 * each script that publishes one, on a real Redis, and parses what reaches the replica channels
 * with the schema the replica inbox uses.
 */
describe('messages between replicas', () => {
  let redis: TestRedis;
  let listener: Redis;
  const published: string[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    listener = new Redis(redis.url);
    listener.on('pmessage', (_pattern: string, _channel: string, raw: string) => published.push(raw));
    await listener.psubscribe(`${signalingKeys.replicaChannelPrefix}*`);
  });

  afterAll(async () => {
    listener?.disconnect();
    await redis?.stop();
  });

  it('parses every signal and eviction the scripts publish', async () => {
    const store = new SeatStore(redis.client);
    const relay = new SignalRelay(redis.client, { mailboxLimit: 16, replicaId: 'replica-a', now: Date.now, splitBySlot: false });
    const roomId = newRoomId();
    const owner = newUserId();
    const member = newUserId();
    const now = Date.now();
    const take = (peerId: string, userId: string, route: string, role: 'owner' | 'member') =>
      store.takeSeat(
        {
          roomId,
          record: { peerId, userId, name: peerId, role, guest: false },
          media: MUTED,
          route,
          resumeTokenHash: `token-of-${peerId}`,
          leaseUntil: now + SEAT_LEASE_MS,
          owner: role === 'owner',
          ticket: { jti: `ticket-of-${peerId}`, issuedAt: Math.floor(now / 1000), expiresAtMs: now + 60_000, capacity: 4, kind: 'business' },
        },
        now,
      );

    expect((await take('owner-peer-1', owner, 'replica-a|socket-1', 'owner')).ok).toBe(true);
    expect((await take('member-peer-1', member, 'replica-b|socket-2', 'member')).ok).toBe(true);
    // relay-signals.lua: the recipient's socket is on replica-b.
    expect(await relay.relay(roomId, 'owner-peer-1', 'member-peer-1', { from: 'owner-peer-1', candidate: null })).toMatchObject({ ok: true, recipientHere: false });
    // take-seat.lua: the same account from another tab on replica-a moves the seat (joined-elsewhere).
    expect((await take('member-peer-2', member, 'replica-a|socket-3', 'member')).ok).toBe(true);
    // resume-seat.lua: the seat is taken back on replica-b while replica-a still holds a socket (replaced).
    expect(
      (
        await store.resumeSeat(
          { roomId, peerId: 'member-peer-2', userId: member, resumeTokenHash: 'token-of-member-peer-2', route: 'replica-b|socket-4', leaseUntil: now + SEAT_LEASE_MS },
          now,
        )
      ).ok,
    ).toBe(true);
    // release-seat.lua: the owner kicks (kicked).
    expect(await store.releaseSeat(roomId, 'member-peer-2', 'kicked', now)).toEqual({ userId: member });
    // release-user.lua: rooms takes the invitation of another member back (uninvited).
    const guest = newUserId();
    expect((await take('guest-peer-1', guest, 'replica-b|socket-5', 'member')).ok).toBe(true);
    expect(await store.releaseUser(roomId, guest, now)).toHaveLength(1);
    // end-call.lua: the owner ends the call for the one seat left, its own (ended).
    expect(await store.endCall(roomId, now)).toBe(1);

    await expect.poll(() => published.length).toBe(6);
    const messages = published.map((raw) => replicaMessageSchema.parse(JSON.parse(raw)));
    const kinds = messages.map((message: ReplicaMessage) => (message.type === 'signal' ? 'signal' : `evict:${message.reason}`));
    expect(kinds).toEqual(['signal', 'evict:joined-elsewhere', 'evict:replaced', 'evict:kicked', 'evict:uninvited', 'evict:ended']);
  });
});
