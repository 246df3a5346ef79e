import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEAT_LEASE_MS, redisKeys } from '@meshcall/shared';
import { leaseMember, ownRoomKey } from '../src/redis/keys.js';
import { SeatStore, type AwayCheck, type HeldSeat } from '../src/seats/seat-store.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { newRoomId, newUserId } from './support/token-issuer.js';

const room = { capacity: 2, kind: 'business' as const };
const MUTED = { audio: false, video: false, screen: false };

/** A seat as its replica remembers it; the resume token hash is the peer's own. */
function seat(peerId: string, route: string, deliveredSeq = 0): HeldSeat {
  return {
    peerId,
    route,
    record: { peerId, userId: newUserId(), name: peerId, role: 'member', guest: false },
    media: MUTED,
    resumeTokenHash: `token-of-${peerId}`,
    deliveredSeq,
  };
}

/** The check of a seat that dropped from the caller; by default one Redis may have lost. */
function away(held: HeldSeat, until: number, restoreIfMissing = true): AwayCheck {
  return { seat: held, until, restoreIfMissing };
}

/**
 * The renewal script after Redis lost a room's data, driven directly: which replica re-asserts
 * first is a race between processes, so these orders are set up here one by one.
 */
describe('seat renewal when Redis lost the room', () => {
  let redis: TestRedis;
  let store: SeatStore;

  beforeAll(async () => {
    redis = await startTestRedis();
    store = new SeatStore(redis.client);
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('puts back a seat awaiting a resume with only the rest of its window, and the sweep frees it when that ends', async () => {
    const roomId = newRoomId();
    const now = Date.now();
    const carol = seat('carol', 'replica-1|socket-c', 3);
    const until = now + 5_000;

    const outcomes = await store.renewSeats(roomId, room, [], [away(carol, until)], now + SEAT_LEASE_MS, now);

    expect(outcomes.away.get('carol')).toBe('restored');
    expect(Number(await redis.client.zscore(redisKeys.roomSeats(roomId), 'carol'))).toBe(until);
    expect(await redis.client.hget(ownRoomKey(roomId, 'routes'), 'carol')).toBe('');
    // Indexed for the sweeper at the end of her window, not a full lease later.
    expect(await store.expiredLeaseCandidates(until + 1, 100)).toContain(leaseMember(roomId, 'carol'));
    expect(await store.sweepRoom(roomId, ['carol'], until + 1)).toEqual([{ peerId: 'carol', userId: carol.record.userId }]);
    // Once swept, a replica that saw her seat since Redis came back leaves her gone.
    expect((await store.renewSeats(roomId, room, [], [away(carol, until, false)], until + SEAT_LEASE_MS, until + 2)).away.get('carol')).toBe('missing');
    expect(await redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(0);
  });

  it('puts back a seat whose window ran out while Redis was away as already lapsed, for the sweep to announce at once', async () => {
    const roomId = newRoomId();
    const now = Date.now();
    const until = now - 1_000;
    const outcomes = await store.renewSeats(roomId, room, [], [away(seat('dora', 'replica-1|socket-d'), until)], now + SEAT_LEASE_MS, now);
    expect(outcomes.away.get('dora')).toBe('restored');
    expect(await redis.client.zcount(redisKeys.roomSeats(roomId), now, '+inf')).toBe(0);
    expect(await store.sweepRoom(roomId, ['dora'], now)).toHaveLength(1);
  });

  it('lets the socket that resumed the seat elsewhere keep it when the replica it dropped from put it back first', async () => {
    const roomId = newRoomId();
    const now = Date.now();
    const dropped = seat('bob', 'replica-1|socket-old', 2);
    await store.renewSeats(roomId, room, [], [away(dropped, now + 10_000)], now + SEAT_LEASE_MS, now);

    const resumed = { ...dropped, route: 'replica-2|socket-new' };
    const live = await store.renewSeats(roomId, room, [resumed], [], now + SEAT_LEASE_MS, now);
    expect(live.held.get('bob')).toBe('renewed');
    expect(await redis.client.hget(ownRoomKey(roomId, 'routes'), 'bob')).toBe(resumed.route);
    // The replica Bob dropped from sees the resume and stops watching the seat.
    const again = await store.renewSeats(roomId, room, [], [away(dropped, now + 10_000)], now + SEAT_LEASE_MS, now);
    expect(again.away.get('bob')).toBe('resumed');

    // A socket holding that peer id without the seat's resume token is not the seat's.
    const impostor = { ...seat('bob', 'replica-3|socket-x'), resumeTokenHash: 'another-token' };
    await redis.client.hset(ownRoomKey(roomId, 'routes'), 'bob', '');
    expect((await store.renewSeats(roomId, room, [impostor], [], now + SEAT_LEASE_MS, now)).held.get('bob')).toBe('replaced');
  });

  it('lets go of a seat awaiting a resume once it is removed on purpose, and reports it lost when the room filled up', async () => {
    const now = Date.now();
    const kickedRoom = newRoomId();
    const kicked = away(seat('dave', 'replica-1|socket-d'), now + 10_000);
    await store.renewSeats(kickedRoom, room, [], [kicked], now + SEAT_LEASE_MS, now);
    await store.releaseSeat(kickedRoom, 'dave', 'kicked', now);
    expect((await store.renewSeats(kickedRoom, room, [], [kicked], now + SEAT_LEASE_MS, now)).away.get('dave')).toBe('gone');

    const fullRoom = newRoomId();
    const newcomers = [seat('erin', 'replica-2|socket-e'), seat('frank', 'replica-2|socket-f')];
    const live = await store.renewSeats(fullRoom, room, newcomers, [], now + SEAT_LEASE_MS, now);
    expect([...live.held.values()]).toEqual(['restored', 'restored']);
    const late = away(seat('gina', 'replica-1|socket-g'), now + 10_000);
    expect((await store.renewSeats(fullRoom, room, [], [late], now + SEAT_LEASE_MS, now)).away.get('gina')).toBe('lost');
    expect(await redis.client.zcard(redisKeys.roomSeats(fullRoom))).toBe(2);
  });
});
