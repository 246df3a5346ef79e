import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinRoomResponseSchema, type IceServer } from '@meshcall/shared';
import { coturnComponent, findFreePort, type LocalComponent } from '@meshcall/stack';
import { createTurnCredentials } from '../src/turn/turn-credentials.js';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth } from './support/fake-auth.js';
import { startRoomsServer, type RoomsServer } from './support/rooms-server.js';

/** The one value rooms and coturn share (the rooms config wants at least 16 characters). */
const TURN_SECRET = 'turn-secret-shared-by-rooms-and-coturn';

const root = mkdtempSync(join(tmpdir(), 'rooms-turn-'));
let coturn: LocalComponent;
let turnPort: number;
let auth: FakeAuth;
let server: RoomsServer;
let peer: { socket: UdpSocket; port: number; received: () => number };
const user = newUser('Tess');
let token: string;

/** A UDP peer on loopback that echoes what the relay sends it. */
async function startEchoPeer(): Promise<typeof peer> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', (message, from) => {
    received += 1;
    socket.send(message, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, port: socket.address().port, received: () => received };
}

/**
 * coturn's own client: allocate a relay with these credentials, then send three packets through
 * it to the echo peer. Its output says how far it got (its exit status does not).
 */
function allocateAndRelay(credentials: { username: string; credential: string }, transport: 'udp' | 'tcp'): Promise<string> {
  const args = ['-v', '-n', '3', '-m', '1', '-c', '-X', ...(transport === 'tcp' ? ['-t'] : []), '-p', String(turnPort), '-u', credentials.username, '-w', credentials.credential, '-e', '127.0.0.1', '-r', String(peer.port), '127.0.0.1'];
  return new Promise((resolve) => {
    execFile('turnutils_uclient', args, { timeout: 60_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

const ALLOCATED = /Received relay addr/;

function turnServerOf(iceServers: IceServer[]): { username: string; credential: string } {
  const turn = iceServers.find((server) => server.urls.some((url) => url.startsWith('turn:')));
  if (!turn?.username || !turn.credential) throw new Error('no TURN server with credentials');
  return { username: turn.username, credential: turn.credential };
}

beforeAll(async () => {
  peer = await startEchoPeer();
  turnPort = await findFreePort();
  const relayMinPort = 40_000 + (turnPort % 20_000);
  // The production config plus the local overlay that lets relays reach a peer on 127.0.0.1.
  coturn = coturnComponent({
    listenPort: turnPort,
    relayMinPort,
    relayMaxPort: relayMinPort + 19,
    secret: TURN_SECRET,
    realm: 'meshcall.test',
    runDir: join(root, 'run'),
    logDir: join(root, 'logs'),
    allowLoopbackPeers: true,
  });
  await coturn.start();
  auth = await startFakeAuth();
  server = await startRoomsServer({
    database: 'rooms_turn',
    authJwksUrl: auth.jwksUrl,
    env: { TURN_SECRET, TURN_HOST: '127.0.0.1', TURN_PORT: String(turnPort) },
  });
  token = await auth.mint(user);
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
  await coturn?.stop();
  peer?.socket.close();
  rmSync(root, { recursive: true, force: true });
});

describe('TURN credentials with a real coturn', () => {
  it('allocates and relays over UDP and TCP with the credentials from POST /:id/join', async () => {
    const room = await call(server.app, 'POST', '/', { token, body: { name: 'Relayed call', kind: 'coding' } });
    const joined = joinRoomResponseSchema.parse((await call(server.app, 'POST', `/${room.body.room.id}/join`, { token })).body);
    const credentials = turnServerOf(joined.iceServers);

    const overUdp = await allocateAndRelay(credentials, 'udp');
    expect(overUdp).toMatch(ALLOCATED);
    expect(overUdp).toContain('tot_recv_msgs=3');
    const overTcp = await allocateAndRelay(credentials, 'tcp');
    expect(overTcp).toMatch(ALLOCATED);
    expect(overTcp).toContain('tot_recv_msgs=3');
    expect(peer.received()).toBe(6);
  });

  it('allocates with the fresh credentials from POST /:id/ice', async () => {
    const room = await call(server.app, 'POST', '/', { token, body: { name: 'Refreshed call', kind: 'coding' } });
    const ice = await call(server.app, 'POST', `/${room.body.room.id}/ice`, { token });
    expect(await allocateAndRelay(turnServerOf(ice.body.iceServers), 'udp')).toMatch(ALLOCATED);
  });

  it('is refused once the credentials have expired', async () => {
    // What the join answered eleven minutes ago, with the default ten-minute lifetime.
    const expired = createTurnCredentials(TURN_SECRET, user.id, 600, Date.now() - 11 * 60_000);
    const output = await allocateAndRelay(expired, 'udp');
    expect(output).not.toMatch(ALLOCATED);
    expect(output).toContain('Cannot complete Allocation');
  });

  it('is refused when signed with another secret', async () => {
    const forged = createTurnCredentials('a-secret-coturn-does-not-know', user.id, 600);
    const output = await allocateAndRelay(forged, 'udp');
    expect(output).not.toMatch(ALLOCATED);
    expect(output).toContain('Cannot complete Allocation');
  });
});
