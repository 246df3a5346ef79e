import type { AddressInfo } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import type { JoinPayload, JoinResult, JoinRoomResponse, Room } from '@meshcall/shared';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { CallSession, type CallSessionDeps } from './call-session.svelte.js';

// A real Socket.IO server on port 0 plays signaling with the few answers a session needs; rooms
// (the admission) is a function returning tickets. The session opens its socket as in the browser,
// on the page's origin: `location` points at the test server. The real services are covered by
// the e2e suite.
const ROOM_ID = 'room-test-1';
const room = { id: ROOM_ID, name: 'Stand-up', kind: 'business', visibility: 'public', capacity: 4, ownerId: 'owner', ownerName: 'Owner', locked: false } as Room;

let http: HttpServer;
let signaling: Server;
let url: string;
let acceptedTokens: Set<string>;
let joins: JoinPayload[];
let seatGone: boolean;
let seatNumber: number;
let connections: ServerSocket[];
/** Fire-and-forget events the server got, and whether each came with an acknowledgement callback. */
let unanswered: Array<{ event: string; withAck: boolean }>;

function seat(peerId: string, resync = false): JoinResult {
  return { peerId, role: 'member', resumeToken: `resume-token-of-${peerId}`, room: { id: ROOM_ID, kind: 'business', capacity: 4, locked: false }, host: null, peers: [], chat: [], game: null, resync };
}

beforeEach(async () => {
  acceptedTokens = new Set(['good-token']);
  joins = [];
  seatGone = false;
  seatNumber = 0;
  connections = [];
  unanswered = [];
  http = createServer();
  signaling = new Server(http, { transports: ['websocket'] });
  signaling.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: string }).token;
    if (token && acceptedTokens.has(token)) return next();
    const refused = new Error('UNAUTHORIZED') as Error & { data: unknown };
    refused.data = { code: 'UNAUTHORIZED' };
    next(refused);
  });
  signaling.on('connection', (socket) => {
    connections.push(socket);
    for (const event of ['signal', 'media:state', 'room:leave']) {
      socket.on(event, (...args: unknown[]) => unanswered.push({ event, withAck: typeof args.at(-1) === 'function' }));
    }
    socket.on('room:join', (payload: JoinPayload, ack: (response: unknown) => void) => {
      joins.push(payload);
      if ('resume' in payload) {
        if (seatGone) return ack({ ok: false, error: { code: 'NOT_IN_ROOM', message: 'The seat is gone.' } });
        return ack({ ok: true, data: seat(payload.resume.peerId, true) });
      }
      seatNumber += 1;
      ack({ ok: true, data: seat(`peer-seat-${seatNumber}`) });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  Object.assign(globalThis, { location: new URL(url) });
});

afterEach(async () => {
  await signaling.close();
  Reflect.deleteProperty(globalThis, 'location');
});

function callSession(token = 'good-token') {
  const seated: { peerId: string; sameSeat: boolean; afterReconnect: boolean; resync: boolean }[] = [];
  const lost: string[] = [];
  let admissions = 0;
  const deps: CallSessionDeps = {
    rooms: {
      join: async () => {
        admissions += 1;
        return { room, ticket: `ticket-${admissions}`, ticketExpiresIn: 60, iceServers: [{ urls: ['stun:127.0.0.1:3478'] }], videoUploadBudgetKbps: 1800 } as JoinRoomResponse;
      },
      iceServers: async () => [],
    },
    tokens: { freshToken: async () => token, tokenOutliving: async () => token, onToken: () => () => undefined },
    hooks: {
      seated: (result, change) => seated.push({ peerId: result.peerId, resync: result.resync, ...change }),
      lost: (code) => lost.push(code),
    },
  };
  return { session: new CallSession(deps), seated, lost, admissions: () => admissions };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('CallSession', () => {
  it('is admitted, connects and takes a seat with the ticket', async () => {
    const { session, seated } = callSession();
    await session.open(ROOM_ID, undefined);
    expect(joins).toEqual([{ ticket: 'ticket-1' }]);
    expect(seated).toEqual([{ peerId: 'peer-seat-1', sameSeat: false, afterReconnect: false, resync: false }]);
    expect(session.selfPeerId).toBe('peer-seat-1');
    expect(session.room?.name).toBe('Stand-up');
    expect(session.videoUploadBudgetKbps).toBe(1800);
    expect(session.ice.servers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }]);
    session.close();
  });

  it('after the server drops the socket, shows it is reconnecting and takes the same seat back', async () => {
    const { session, seated } = callSession();
    await session.open(ROOM_ID, undefined);
    session.noteSignalSeq(7);
    connections[0]!.disconnect(true);
    await until(() => session.connection === 'reconnecting', 'the reconnecting state');
    await until(() => seated.length === 2, 'the resume');
    expect(joins[1]).toEqual({ resume: { roomId: ROOM_ID, peerId: 'peer-seat-1', resumeToken: 'resume-token-of-peer-seat-1', lastSignalSeq: 7 } });
    expect(seated[1]).toEqual({ peerId: 'peer-seat-1', sameSeat: true, afterReconnect: true, resync: true });
    expect(session.connection).toBe('connected');
    session.close();
  });

  it('takes a new seat with a new admission when the old seat is gone', async () => {
    const { session, seated, admissions } = callSession();
    await session.open(ROOM_ID, undefined);
    seatGone = true;
    connections[0]!.disconnect(true);
    await until(() => seated.length === 2, 'the new seat');
    expect(admissions()).toBe(2);
    expect(joins.at(-1)).toEqual({ ticket: 'ticket-2' });
    expect(seated[1]).toEqual({ peerId: 'peer-seat-2', sameSeat: false, afterReconnect: true, resync: false });
    expect(session.selfPeerId).toBe('peer-seat-2');
    session.close();
  });

  it('joins under the name chosen for this call, resumes without it, and sends it again with a new seat', async () => {
    const { session, seated } = callSession();
    await session.open(ROOM_ID, undefined, 'Ada (work)');
    expect(joins).toEqual([{ ticket: 'ticket-1', name: 'Ada (work)' }]);
    // The seat keeps its name on the server: a resume does not (and may not) carry one.
    connections[0]!.disconnect(true);
    await until(() => seated.length === 2, 'the resume');
    expect(joins[1]).toEqual({ resume: { roomId: ROOM_ID, peerId: 'peer-seat-1', resumeToken: 'resume-token-of-peer-seat-1' } });
    seatGone = true;
    connections[1]!.disconnect(true);
    await until(() => seated.length === 3, 'the new seat');
    expect(joins.at(-1)).toEqual({ ticket: 'ticket-2', name: 'Ada (work)' });
    session.close();
  });

  it('gives up with UNAUTHORIZED after the server refused the handshake four times', async () => {
    const { session } = callSession('revoked-token');
    const opened = session.open(ROOM_ID, undefined);
    await expect(opened).rejects.toBeInstanceOf(ApiError);
    await expect(opened).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    session.close();
  }, 15_000);

  it('sends signals, media state and a leave on page hide without asking for an acknowledgement', async () => {
    const { session } = callSession();
    await session.open(ROOM_ID, undefined);
    session.send('signal', { to: 'peer-seat-9', candidate: null });
    session.send('media:state', { audio: true, video: false, screen: false });
    session.leaveNow();
    await until(() => unanswered.length === 3, 'the three events');
    expect(unanswered).toEqual([
      { event: 'signal', withAck: false },
      { event: 'media:state', withAck: false },
      { event: 'room:leave', withAck: false },
    ]);
    session.close();
  });

  it('refuses requests before the socket exists', async () => {
    const { session } = callSession();
    await expect(session.request('chat:send', { text: 'hi' })).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
  });
});
