import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { ErrorCode, joinTicketClaimsSchema, redisKeys, roomPreviewResponseSchema } from '@meshcall/shared';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth, type TestUser } from './support/fake-auth.js';
import { startRoomsServer, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
const owner = newUser('Olga');
const member = newUser('Mia');

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_guests', authJwksUrl: auth.jwksUrl });
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

async function as(user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  return call(server.app, method, url, { token: await auth.mint(user), body });
}

/** A guest of `roomId`: a random id and a guest token for that room, as auth's POST /guest hands out. */
async function guestOf(roomId: string, name = 'Gwen') {
  const guest = newUser(name);
  const token = await auth.mint(guest, { guestOf: roomId });
  return {
    ...guest,
    request: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => call(server.app, method, url, { token, body }),
  };
}

async function privateRoom(body: Record<string, unknown> = {}) {
  const created = await as(owner, 'POST', '/', { name: 'Friday standup', kind: 'business', visibility: 'private', ...body });
  expect(created.status).toBe(201);
  return created.body.room as { id: string; inviteCode: string; guestAccess: boolean };
}

describe('guest access setting', () => {
  it('is off unless the owner turns it on at creation, and the owner can change it later', async () => {
    expect((await privateRoom()).guestAccess).toBe(false);
    const room = await privateRoom({ guestAccess: true });
    expect(room.guestAccess).toBe(true);
    const off = await as(owner, 'PATCH', `/${room.id}`, { guestAccess: false });
    expect(off.status).toBe(200);
    expect(off.body.room.guestAccess).toBe(false);
    expect((await as(owner, 'GET', `/${room.id}`)).body.room.guestAccess).toBe(false);
  });

  it('is the owner’s alone to change', async () => {
    const room = await privateRoom({ guestAccess: false });
    const withoutInvite = await as(member, 'PATCH', `/${room.id}`, { guestAccess: true });
    expect(withoutInvite.status).toBe(404);
  });
});

describe('GET /:id/preview (no token)', () => {
  it('names the room for the holder of the invite code, and nothing more', async () => {
    const room = await privateRoom({ guestAccess: true });
    const preview = await call(server.app, 'GET', `/${room.id}/preview?invite=${room.inviteCode}`);
    expect(preview.status).toBe(200);
    expect(roomPreviewResponseSchema.strict().parse(preview.body)).toEqual({ room: { id: room.id, name: 'Friday standup', kind: 'business', guestAccess: true } });
    expect(Object.keys(preview.body.room).sort()).toEqual(['guestAccess', 'id', 'kind', 'name']);
  });

  it('says when guests are off', async () => {
    const room = await privateRoom();
    const preview = await call(server.app, 'GET', `/${room.id}/preview?invite=${room.inviteCode}`);
    expect(preview.body.room.guestAccess).toBe(false);
  });

  it('refuses a wrong code (403), a missing code (400), an unknown room and a public room (404)', async () => {
    const room = await privateRoom({ guestAccess: true });
    const wrong = await call(server.app, 'GET', `/${room.id}/preview?invite=not-the-code-123`);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe(ErrorCode.FORBIDDEN);
    expect(wrong.body.error.message).not.toContain('Friday');
    expect((await call(server.app, 'GET', `/${room.id}/preview`)).status).toBe(400);
    expect((await call(server.app, 'GET', `/nosuchroom1/preview?invite=${room.inviteCode}`)).status).toBe(404);
    const open = await as(owner, 'POST', '/', { name: 'Open hall', kind: 'learning' });
    expect((await call(server.app, 'GET', `/${open.body.room.id}/preview?invite=${room.inviteCode}`)).status).toBe(404);
  });

  it('answers 410 for a closed room', async () => {
    const room = await privateRoom({ guestAccess: true });
    expect((await as(owner, 'DELETE', `/${room.id}`)).status).toBe(204);
    expect((await call(server.app, 'GET', `/${room.id}/preview?invite=${room.inviteCode}`)).status).toBe(410);
  });
});

describe('a guest token', () => {
  it('sees and joins its own room with the invite code, with a ticket that marks a guest member', async () => {
    const room = await privateRoom({ guestAccess: true });
    const guest = await guestOf(room.id);
    const seen = await guest.request('GET', `/${room.id}?invite=${room.inviteCode}`);
    expect(seen.status).toBe(200);
    expect(seen.body.room.inviteCode).toBeUndefined();

    const joined = await guest.request('POST', `/${room.id}/join`, { invite: room.inviteCode });
    expect(joined.status).toBe(200);
    expect(joinTicketClaimsSchema.parse(decodeJwt(joined.body.ticket))).toMatchObject({ sub: guest.id, name: 'Gwen', role: 'member', guest: true, room: room.id });
    expect(joined.body.iceServers.length).toBeGreaterThan(0);
    expect((await guest.request('POST', `/${room.id}/ice?invite=${room.inviteCode}`)).status).toBe(200);

    // A guest has no account: not put on the guest list, so it must bring the code every time.
    const ownerView = await as(owner, 'GET', `/${room.id}`);
    expect(ownerView.body.room.invitations).toEqual([]);
    expect((await guest.request('POST', `/${room.id}/join`)).status).toBe(404);
  });

  it('is marked for an account too: an account’s ticket says guest false', async () => {
    const room = await privateRoom({ guestAccess: true });
    const joined = await as(member, 'POST', `/${room.id}/join`, { invite: room.inviteCode });
    expect(joined.status).toBe(200);
    expect(joinTicketClaimsSchema.parse(decodeJwt(joined.body.ticket)).guest).toBe(false);
  });

  it.each([
    ['create a room', 'POST', '/', { name: 'Mine now', kind: 'coding' }],
    ['list the lobby', 'GET', '/', undefined],
    ['list "my rooms"', 'GET', '/mine', undefined],
    ['change its room', 'PATCH', '/:room', { guestAccess: false }],
    ['replace the invite code', 'POST', '/:room/invite', undefined],
    ['see the ban list', 'GET', '/:room/bans', undefined],
    ['close its room', 'DELETE', '/:room', undefined],
    ['accept an invitation', 'POST', '/:room/invitation/accept', undefined],
  ] as const)('cannot %s: 403 GUEST_NOT_ALLOWED', async (_label, method, path, body) => {
    const room = await privateRoom({ guestAccess: true });
    const guest = await guestOf(room.id);
    const response = await guest.request(method, path.replace(':room', room.id), body);
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual({ code: ErrorCode.GUEST_NOT_ALLOWED, message: expect.stringContaining('sign up') });
  });

  it('cannot see or join any other room, even one that lets guests in and with its code', async () => {
    const mine = await privateRoom({ guestAccess: true });
    const other = await privateRoom({ guestAccess: true });
    const guest = await guestOf(mine.id);
    for (const response of [
      await guest.request('GET', `/${other.id}?invite=${other.inviteCode}`),
      await guest.request('POST', `/${other.id}/join`, { invite: other.inviteCode }),
      await guest.request('POST', `/${other.id}/ice?invite=${other.inviteCode}`),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe(ErrorCode.GUEST_NOT_ALLOWED);
    }
  });

  it('gets no ticket once the owner turns guests off (GUESTS_OFF), while accounts with the link still join; on again, it joins', async () => {
    const room = await privateRoom({ guestAccess: true });
    const guest = await guestOf(room.id);
    expect((await as(owner, 'PATCH', `/${room.id}`, { guestAccess: false })).status).toBe(200);
    const refused = await guest.request('POST', `/${room.id}/join`, { invite: room.inviteCode });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: ErrorCode.GUESTS_OFF, message: expect.stringContaining('does not let guests in') });
    expect((await guest.request('POST', `/${room.id}/ice?invite=${room.inviteCode}`)).body.error.code).toBe(ErrorCode.GUESTS_OFF);
    expect((await as(member, 'POST', `/${room.id}/join`, { invite: room.inviteCode })).status).toBe(200);

    expect((await as(owner, 'PATCH', `/${room.id}`, { guestAccess: true })).status).toBe(200);
    expect((await guest.request('POST', `/${room.id}/join`, { invite: room.inviteCode })).status).toBe(200);
  });

  it('stops working with a replaced invite code', async () => {
    const room = await privateRoom({ guestAccess: true });
    const guest = await guestOf(room.id);
    const rotated = await as(owner, 'POST', `/${room.id}/invite`);
    expect(rotated.status).toBe(200);
    const refused = await guest.request('POST', `/${room.id}/join`, { invite: room.inviteCode });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe(ErrorCode.FORBIDDEN);
    expect((await guest.request('POST', `/${room.id}/join`, { invite: rotated.body.room.inviteCode })).status).toBe(200);
  });

  it('of a banned guest gets no ticket', async () => {
    const room = await privateRoom({ guestAccess: true });
    const guest = await guestOf(room.id);
    // As signaling records a kick.
    const redis = testRedis();
    await redis.hset(redisKeys.roomExcluded(room.id), guest.id, JSON.stringify({ name: 'Gwen', at: Date.now(), reason: 'kicked' }));
    redis.disconnect();
    const refused = await guest.request('POST', `/${room.id}/join`, { invite: room.inviteCode });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe(ErrorCode.BANNED);
  });
});
