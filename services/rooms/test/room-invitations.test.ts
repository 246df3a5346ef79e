import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exclusionEntrySchema, redisChannels, redisKeys, roomEventMessageSchema, roomListResponseSchema, type RoomEventMessage } from '@meshcall/shared';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth, type TestUser } from './support/fake-auth.js';
import { startRoomsServer, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
let redis: Redis;
let listener: Redis;
const roomEvents: RoomEventMessage[] = [];
const owner = newUser('Olga');
const guest = newUser('Gus');
const other = newUser('Oli');

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_invitations', authJwksUrl: auth.jwksUrl });
  redis = testRedis();
  // Stands in for signaling: it follows room events.
  listener = testRedis();
  await listener.subscribe(redisChannels.roomEvents);
  listener.on('message', (_channel, raw: string) => roomEvents.push(roomEventMessageSchema.parse(JSON.parse(raw))));
});

afterAll(async () => {
  listener?.disconnect();
  redis?.disconnect();
  await server?.stop();
  await auth?.stop();
});

async function as(user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  return call(server.app, method, url, { token: await auth.mint(user), body });
}

async function mine(user: TestUser) {
  const response = await as(user, 'GET', '/mine');
  expect(response.status).toBe(200);
  return roomListResponseSchema.parse(response.body).items;
}

describe('invitations', () => {
  it('keeps an invitation pending, shown with the inviter, until accepted; only then does it grant access', async () => {
    const created = await as(owner, 'POST', '/', { name: 'Account suspended - verify at evil.example', kind: 'business', visibility: 'private', allowedUsers: [guest.id] });
    expect(created.status).toBe(201);
    const room = created.body.room;
    expect(room.invitations).toEqual([{ userId: guest.id, status: 'pending' }]);

    // Listed as an invitation from its owner, not as one of the guest's rooms.
    const [listed] = await mine(guest);
    expect(listed).toMatchObject({ id: room.id, ownerName: 'Olga', invitation: 'pending' });
    expect(listed?.inviteCode).toBeUndefined();
    // A pending invitation lets nobody in.
    expect((await as(guest, 'POST', `/${room.id}/join`)).status).toBe(404);
    expect((await as(guest, 'GET', `/${room.id}`)).status).toBe(404);

    const accepted = await as(guest, 'POST', `/${room.id}/invitation/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.room).toMatchObject({ id: room.id, invitation: 'accepted' });
    expect((await as(guest, 'POST', `/${room.id}/join`)).status).toBe(200);
    expect((await mine(guest)).map((r) => [r.id, r.invitation])).toEqual([[room.id, 'accepted']]);
    const ownerView = await as(owner, 'GET', `/${room.id}`);
    expect(ownerView.body.room.invitations).toEqual([{ userId: guest.id, status: 'accepted', name: 'Gus' }]);

    // Nobody accepts an invitation they do not have.
    expect((await as(other, 'POST', `/${room.id}/invitation/accept`)).status).toBe(404);
  });

  it('lets the invitee decline, after which the room is gone from their list and the owner sees it', async () => {
    const room = (await as(owner, 'POST', '/', { name: 'Unwanted', kind: 'coding', visibility: 'private', allowedUsers: [guest.id, other.id] })).body.room;
    expect((await as(guest, 'POST', `/${room.id}/invitation/decline`)).status).toBe(204);
    expect((await mine(guest)).map((r) => r.id)).not.toContain(room.id);
    expect((await as(guest, 'POST', `/${room.id}/invitation/accept`)).status).toBe(404);
    const ownerView = await as(owner, 'GET', `/${room.id}`);
    expect(ownerView.body.room.allowedUsers).toEqual([other.id]);
  });

  it('removing an accepted guest refuses their joins at once, even by invite link, and tells signaling to end their seat', async () => {
    const room = (await as(owner, 'POST', '/', { name: 'Team', kind: 'business', visibility: 'private', allowedUsers: [guest.id] })).body.room;
    expect((await as(guest, 'POST', `/${room.id}/invitation/accept`)).status).toBe(200);
    expect((await as(guest, 'POST', `/${room.id}/join`)).status).toBe(200);

    expect((await as(owner, 'PATCH', `/${room.id}`, { allowedUsers: [] })).status).toBe(200);
    // The shared exclusion entry is what signaling checks against tickets issued before now.
    const entry = exclusionEntrySchema.parse(JSON.parse((await redis.hget(redisKeys.roomExcluded(room.id), guest.id)) ?? 'null'));
    expect(entry).toMatchObject({ reason: 'removed', name: 'Gus' });
    await expect.poll(() => roomEvents.some((e) => e.type === 'excluded' && e.roomId === room.id && e.userId === guest.id)).toBe(true);
    const withLink = await call(server.app, 'POST', `/${room.id}/join`, { token: await auth.mint(guest), body: { invite: room.inviteCode } });
    expect(withLink.status).toBe(403);
    expect(withLink.body.error.code).toBe('BANNED');
    expect((await mine(guest)).map((r) => r.id)).not.toContain(room.id);

    // Invited again, and accepted: in again.
    expect((await as(owner, 'PATCH', `/${room.id}`, { allowedUsers: [guest.id] })).status).toBe(200);
    expect(await redis.hexists(redisKeys.roomExcluded(room.id), guest.id)).toBe(0);
    expect((await as(guest, 'POST', `/${room.id}/join`)).status).toBe(404);
    expect((await as(guest, 'POST', `/${room.id}/invitation/accept`)).status).toBe(200);
    expect((await as(guest, 'POST', `/${room.id}/join`)).status).toBe(200);
  });

  it('leaves a kick in force when the owner invites the kicked account again', async () => {
    const room = (await as(owner, 'POST', '/', { name: 'Strict', kind: 'business' })).body.room;
    await redis.hset(redisKeys.roomExcluded(room.id), other.id, JSON.stringify({ name: 'Oli', at: Date.now(), reason: 'kicked' }));
    expect((await as(owner, 'PATCH', `/${room.id}`, { allowedUsers: [other.id] })).status).toBe(200);
    expect((await as(other, 'POST', `/${room.id}/invitation/accept`)).status).toBe(200);
    expect((await as(other, 'POST', `/${room.id}/join`)).body.error.code).toBe('BANNED');
  });
});
