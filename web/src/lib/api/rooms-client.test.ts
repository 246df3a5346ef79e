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
