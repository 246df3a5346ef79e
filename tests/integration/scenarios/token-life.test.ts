import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, REFRESH_COOKIE_NAME } from '@meshcall/shared';
import { HttpClient, cookieFromResponse } from '../src/client/http-client.js';
import { GatewayClient, directAuth, madeUpClientAddress } from '../src/client/meshcall-api.js';
import { CallParticipant, connectSocket, dataOf, disconnection, request } from '../src/client/signaling-client.js';
import { useEnvironment } from './support/fixture.js';
import { createRoom } from './support/rooms.js';

/** Short enough to expire during a test, long enough to sign up, create a room and join first. */
const ACCESS_TOKEN_TTL_SECONDS = 20;
/** When Alice refreshes: her new token then outlives the first by TTL minus this (12 s). */
const REFRESH_BEFORE_EXPIRY_MS = 8_000;

const environment = useEnvironment({ authReplicas: 2, serviceEnv: { ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS) } });

function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number };
  return payload.exp * 1000;
}

describe('token life', () => {
  it('an access token expiring mid-call drops the socket unless it is refreshed', async () => {
    const gateway = new GatewayClient(environment().gatewayUrl);
    const [alice, bob] = await Promise.all([gateway.auth.signUp('Alice'), gateway.auth.signUp('Bob')]);
    const room = await createRoom(gateway, alice, { name: 'Short tokens' });
    const [aliceCall, bobCall] = await Promise.all([CallParticipant.connect(gateway.gatewayUrl, alice.accessToken), CallParticipant.connect(gateway.gatewayUrl, bob.accessToken)]);
    try {
      dataOf(await aliceCall.join(await gateway.rooms.ticket(alice.accessToken, room.id)));
      const bobSeat = dataOf(await bobCall.join(await gateway.rooms.ticket(bob.accessToken, room.id)));
      const aliceExpiry = expiryOf(alice.accessToken);
      const bobExpiry = expiryOf(bob.accessToken);

      // Both are warned; Alice does what the web client does: refresh through the cookie, hand the token over.
      await aliceCall.log.waitFor('session:expiring');
      await bobCall.log.waitFor('session:expiring');
      // Refreshing late in the first token's life puts the new expiry well after the first one.
      await sleep(Math.max(0, aliceExpiry - REFRESH_BEFORE_EXPIRY_MS - Date.now()));
      const refreshed = await gateway.auth.refresh(alice.refreshToken);
      expect(refreshed.status).toBe(200);
      const handedOver = dataOf(await request(aliceCall.socket, 'session:refresh', { token: refreshed.body.accessToken }));
      expect(Date.parse(handedOver.expiresAt)).toBeGreaterThan(aliceExpiry + 5_000);

      // Bob did not: the server drops his socket once his token expires (bounded wait past the expiry).
      const reason = await disconnection(bobCall.socket, bobExpiry - Date.now() + 10_000);
      expect(reason).toBe('io server disconnect');
      // A reconnect with the expired token is refused at the handshake.
      await expect(connectSocket(gateway.gatewayUrl, bob.accessToken)).rejects.toMatchObject({ data: { code: ErrorCode.UNAUTHORIZED } });

      // Alice is still in the call after her first token's expiry.
      await sleep(Math.max(0, aliceExpiry + 2_000 - Date.now()));
      expect(aliceCall.socket.connected).toBe(true);
      expect((await request(aliceCall.socket, 'chat:send', { text: 'still here' })).ok).toBe(true);

      // Bob refreshes and resumes his seat: the drop cost him a reconnect, not his place.
      const bobRefresh = await gateway.auth.refresh(bob.refreshToken);
      expect(bobRefresh.status).toBe(200);
      const resumed = dataOf(await bobCall.resume(gateway.gatewayUrl, bobRefresh.body.accessToken));
      expect(resumed.peerId).toBe(bobSeat.peerId);
      expect(aliceCall.log.of('peer:left')).toEqual([]);
    } finally {
      aliceCall.close();
      bobCall.close();
    }
  });

  it('reusing a spent refresh token on another auth replica revokes the family on both', async () => {
    const [firstReplica, secondReplica] = environment().urls.auth as [string, string];
    const user = await new GatewayClient(environment().gatewayUrl).auth.signUp('Replayed');
    // One client (one address) talking to each replica directly, as a gateway would route it.
    const client = new HttpClient({ forwardedFor: madeUpClientAddress() });
    const onFirst = directAuth(firstReplica, client);
    const onSecond = directAuth(secondReplica, client);

    const rotated = await onFirst.refresh(user.refreshToken);
    expect(rotated.status).toBe(200);
    const current = cookieFromResponse(rotated.headers, REFRESH_COOKIE_NAME);
    expect(current).toEqual(expect.any(String));

    // The spent token comes back on the other replica: refused, and the cookie cleared.
    const replay = await onSecond.refresh(user.refreshToken);
    expect(replay.status).toBe(401);
    expect(cookieFromResponse(replay.headers, REFRESH_COOKIE_NAME)).toBe('');
    // The whole family is gone, whichever replica is asked.
    expect((await onFirst.refresh(current)).status).toBe(401);
    expect((await onSecond.refresh(current)).status).toBe(401);

    // Signing in again starts a new family that works on both replicas.
    const signIn = await onSecond.login({ email: user.email, password: user.password });
    expect(signIn.status).toBe(200);
    const fresh = cookieFromResponse(signIn.headers, REFRESH_COOKIE_NAME);
    const next = await onFirst.refresh(fresh);
    expect(next.status).toBe(200);
    // A token minted by the second replica is accepted everywhere behind the gateway.
    expect((await new GatewayClient(environment().gatewayUrl).rooms.mine(signIn.body.accessToken)).status).toBe(200);
  });

  it('signing out ends the session at once: auth, rooms and signaling refuse its access token and drop its live socket', async () => {
    const gateway = new GatewayClient(environment().gatewayUrl);
    const carol = await gateway.auth.signUp('Carol');
    const otherDevice = await gateway.auth.login({ email: carol.email, password: carol.password });
    expect(otherDevice.status).toBe(200);
    const live = await CallParticipant.connect(gateway.gatewayUrl, carol.accessToken);
    try {
      expect((await gateway.auth.me(carol.accessToken)).status).toBe(200);
      expect((await gateway.rooms.mine(carol.accessToken)).status).toBe(200);

      // Watched from before the sign-out: the drop follows it within milliseconds.
      const dropped = disconnection(live.socket, 10_000);
      expect((await gateway.auth.logout(carol.refreshToken)).status).toBe(204);

      // Well within the token's lifetime, every service now refuses it.
      expect(expiryOf(carol.accessToken)).toBeGreaterThan(Date.now() + 5_000);
      expect((await gateway.auth.me(carol.accessToken)).status).toBe(401);
      expect((await gateway.rooms.mine(carol.accessToken)).status).toBe(401);
      await expect(connectSocket(gateway.gatewayUrl, carol.accessToken)).rejects.toMatchObject({ data: { code: ErrorCode.UNAUTHORIZED } });
      // The socket it had opened before is dropped, not left until the token expires.
      expect(await dropped).toBe('io server disconnect');

      // The other device's session is a different one and goes on.
      expect((await gateway.rooms.mine(otherDevice.body.accessToken)).status).toBe(200);
    } finally {
      live.close();
    }
  });
});
