import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occupancyMessageSchema, redisChannels, redisKeys, type OccupancyMessage } from '@meshcall/shared';
import { errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, seatUser, type Participant } from './support/participant.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { startReplica, type InProcessReplica } from './support/replicas.js';
import { TestTokenIssuer, newRoomId } from './support/token-issuer.js';

describe('room capacity under concurrent joins on two replicas', () => {
  let redis: TestRedis;
  let issuer: TestTokenIssuer;
  let replicas: InProcessReplica[];
  let occupancyListener: Redis;
  const occupancy: OccupancyMessage[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    issuer = await TestTokenIssuer.start();
    replicas = [
      await startReplica({ redisUrl: redis.url, issuer, replicaId: 'capacity-1' }),
      await startReplica({ redisUrl: redis.url, issuer, replicaId: 'capacity-2' }),
    ];
    // Stands in for the rooms service's live lobby.
    occupancyListener = new Redis(redis.url);
    await occupancyListener.subscribe(redisChannels.occupancy);
    occupancyListener.on('message', (_channel, raw: string) => occupancy.push(occupancyMessageSchema.parse(JSON.parse(raw))));
  });

  afterAll(async () => {
    occupancyListener?.disconnect();
    await Promise.all(replicas.map((replica) => replica.close()));
    await issuer?.stop();
    await redis?.stop();
  });

  for (const capacity of [2, 6]) {
    it(`admits exactly ${capacity} of 50 simultaneous joiners and refuses the rest with ROOM_FULL`, async () => {
      const roomId = newRoomId();
      const users: Participant[] = [];
      try {
        for (let i = 0; i < 50; i += 1) users.push(await connectUser(replicas[i % 2]!.url, issuer));
        const tickets = await Promise.all(users.map((user) => issuer.ticket({ userId: user.userId, roomId, capacity })));
        const answers = await Promise.all(users.map((user, i) => request(user.socket, 'room:join', { ticket: tickets[i]! })));

        const admitted = answers.filter((answer) => answer.ok);
        expect(admitted).toHaveLength(capacity);
        expect(answers.filter((answer) => errorCodeOf(answer) === 'ROOM_FULL')).toHaveLength(50 - capacity);
        // Both replicas took part in the race.
        const admittedOn = new Set(answers.flatMap((answer, i) => (answer.ok ? [i % 2] : [])));
        const refusedOn = new Set(answers.flatMap((answer, i) => (answer.ok ? [] : [i % 2])));
        expect(refusedOn.size).toBe(2);
        expect(admittedOn.size).toBeGreaterThan(0);

        expect(await redis.client.zcount(redisKeys.roomSeats(roomId), Date.now(), '+inf')).toBe(capacity);
        await expect.poll(() => occupancy.filter((m) => m.roomId === roomId).at(-1)?.occupancy).toEqual({ count: capacity, capacity });
        // Counts went up one seat at a time and never past the capacity.
        expect(occupancy.filter((m) => m.roomId === roomId).map((m) => m.occupancy.count)).toEqual(Array.from({ length: capacity }, (_, i) => i + 1));
      } finally {
        closeAll(...users);
      }
    });
  }

  it('tells the joiner who is seated and the seated about the joiner; a leave frees the seat for the next one', async () => {
    const roomId = newRoomId();
    const first = await seatUser(replicas[0]!.url, issuer, { roomId, capacity: 2 });
    const second = await seatUser(replicas[1]!.url, issuer, { roomId, capacity: 2 });
    const third = await connectUser(replicas[0]!.url, issuer);
    try {
      expect(second.joined.peers).toEqual([
        { peerId: first.joined.peerId, userId: first.userId, name: expect.any(String), role: 'member', guest: false, media: { audio: false, video: false, screen: false } },
      ]);
      expect(await first.log.waitFor('peer:joined')).toMatchObject({ peerId: second.joined.peerId, userId: second.userId });

      const ticket = await issuer.ticket({ userId: third.userId, roomId, capacity: 2 });
      expect(errorCodeOf(await request(third.socket, 'room:join', { ticket }))).toBe('ROOM_FULL');

      expect((await request(second.socket, 'room:leave', {})).ok).toBe(true);
      expect(await first.log.waitFor('peer:left')).toEqual({ peerId: second.joined.peerId, reason: 'left' });
      const retry = await request(third.socket, 'room:join', { ticket: await issuer.ticket({ userId: third.userId, roomId, capacity: 2 }) });
      expect(retry.ok).toBe(true);
    } finally {
      closeAll(first, second, third);
    }
  });
});
