import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRoomsClient } from './rooms-client.js';

const iceServers = [{ urls: ['stun:turn.example:3478'] }, { urls: ['turn:turn.example:3478?transport=udp'], username: '1:u', credential: 'c' }];

describe('roomsClient.iceServers', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks rooms for a room's fresh TURN credentials (POST /api/rooms/:id/ice), passing the invite of a private room", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ iceServers, ttl: 600 }), { status: 200, headers: { 'content-type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    const client = createRoomsClient((call) => call('token-1'));

    expect(await client.iceServers('room12345a', 'INVITEcode123456')).toEqual(iceServers);
    // TURN credentials exist only per room: there is no room-less /api/rooms/ice any more.
    expect(fetch).toHaveBeenCalledWith('/api/rooms/room12345a/ice?invite=INVITEcode123456', expect.objectContaining({ method: 'POST' }));
    await client.iceServers('room12345a');
    expect(fetch).toHaveBeenLastCalledWith('/api/rooms/room12345a/ice', expect.objectContaining({ method: 'POST', headers: expect.objectContaining({ authorization: 'Bearer token-1' }) }));
  });
});

describe('roomsClient.list', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks for the next page by cursor and reads the page contract', async () => {
    const page = { items: [], nextCursor: 'eyJ2IjoxfQ.c2ln', total: 10_000, totalIsLowerBound: true };
    const fetch = vi.fn(async () => new Response(JSON.stringify(page), { status: 200, headers: { 'content-type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    const client = createRoomsClient((call) => call('token-1'));

    expect(await client.list({ q: 'chess', kind: 'learning', pageSize: 24, cursor: 'eyJ2IjoxfQ.c2ln' })).toEqual(page);
    expect(fetch).toHaveBeenCalledWith('/api/rooms?q=chess&kind=learning&pageSize=24&cursor=eyJ2IjoxfQ.c2ln', expect.objectContaining({ headers: expect.objectContaining({ authorization: 'Bearer token-1' }) }));
  });
});
