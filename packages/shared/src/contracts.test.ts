import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  ErrorCode,
  createRoomBodySchema,
  errorBodySchema,
  httpStatusOf,
  joinPayloadSchema,
  loginBodySchema,
  registerBodySchema,
  contextualPasswordProblem,
  signalPayloadSchema,
  chatSendPayloadSchema,
  toPublicError,
  listMyRoomsQuerySchema,
  listRoomsQuerySchema,
  gameMovePayloadSchema,
  lobbyEventSchema,
  ServerEvent,
  serverEventPayloadSchemas,
  roomEventMessageSchema,
} from './index.js';

describe('error catalogue', () => {
  it('gives every code an HTTP status', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(httpStatusOf[code], code).toBeGreaterThanOrEqual(400);
    }
  });

  it('passes AppErrors through and hides everything else', () => {
    expect(toPublicError(new AppError(ErrorCode.ROOM_FULL))).toEqual({ code: 'ROOM_FULL', message: 'The room is full.' });
    const leaky = new Error('connect ECONNREFUSED 10.0.0.5:27017 at Socket.<anonymous> (/srv/node_modules/mongodb/x.js:1:1)');
    const shown = toPublicError(leaky);
    expect(shown).toEqual({ code: 'INTERNAL', message: 'Something went wrong on our side.' });
    expect(JSON.stringify(shown)).not.toContain('10.0.0.5');
  });

  it('describes zod failures field by field', () => {
    const result = registerBodySchema.safeParse({ name: '', email: 'x', password: 1 });
    expect(result.success).toBe(false);
    const shown = toPublicError((result as { error: z.ZodError }).error);
    expect(shown.code).toBe('INVALID_PAYLOAD');
    expect(shown.details?.map((d) => d.path).sort()).toEqual(['email', 'name', 'password']);
    expect(errorBodySchema.safeParse({ error: shown }).success).toBe(true);
  });
});

describe('auth bodies', () => {
  it('normalises the email and accepts a valid sign-up', () => {
    const body = registerBodySchema.parse({ name: ' Ada ', email: '  Ada@Example.COM ', password: 'correct horse' });
    expect(body).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'correct horse' });
  });

  it('counts the minimum in characters and the maximum in bytes', () => {
    // 18 four-byte emoji = 72 bytes (accepted); 19 = 76 bytes (refused, never truncated).
    expect(registerBodySchema.safeParse({ name: 'a', email: 'a@b.co', password: '😀'.repeat(18) }).success).toBe(true);
    expect(registerBodySchema.safeParse({ name: 'a', email: 'a@b.co', password: '😀'.repeat(19) }).success).toBe(false);
    expect(registerBodySchema.safeParse({ name: 'a', email: 'a@b.co', password: 'short' }).success).toBe(false);
    // Four two-byte characters are 8 bytes but only 4 characters: too short, as the form's hint says.
    expect(registerBodySchema.safeParse({ name: 'a', email: 'a@b.co', password: 'éééé' }).success).toBe(false);
    expect(registerBodySchema.safeParse({ name: 'a', email: 'a@b.co', password: 'éééééééé' }).success).toBe(true);
  });

  it('refuses only-space passwords and the email or name as the password, with trivial variants', () => {
    const context = { email: 'Ada.Lovelace@example.com', name: 'Ada Lovelace' };
    expect(contextualPasswordProblem(' '.repeat(8), context)).toBe('must not be only spaces');
    expect(contextualPasswordProblem('\t \n     ', context)).toBe('must not be only spaces');
    for (const variant of ['ada.lovelace@example.com', 'ADA.LOVELACE@EXAMPLE.COM', 'adalovelace', 'Ada_Lovelace', 'ada.lovelace1!']) {
      expect(contextualPasswordProblem(variant, context), variant).toBe('must not be your email address');
    }
    expect(contextualPasswordProblem('Ada Lovelace', { email: 'countess@example.com', name: 'Ada Lovelace' })).toBe('must not be your name');
    expect(contextualPasswordProblem('adalovelace2024', { email: 'countess@example.com', name: 'Ada Lovelace' })).toBe('must not be your name');
    expect(contextualPasswordProblem('correct horse battery', context)).toBeNull();
    expect(contextualPasswordProblem('lovelace analytical engine', context)).toBeNull();
  });

  it('refuses operator objects and extra fields', () => {
    expect(loginBodySchema.safeParse({ email: { $ne: null }, password: 'x' }).success).toBe(false);
    expect(loginBodySchema.safeParse({ email: 'a@b.co', password: { $gt: '' } }).success).toBe(false);
    expect(loginBodySchema.safeParse({ email: 'a@b.co', password: 'x', admin: true }).success).toBe(false);
  });
});

describe('rooms bodies', () => {
  it('applies defaults and bounds capacity', () => {
    expect(createRoomBodySchema.parse({ name: 'Standup', kind: 'business' })).toMatchObject({ visibility: 'public', capacity: 4 });
    expect(createRoomBodySchema.safeParse({ name: 'Big', kind: 'business', capacity: 9 }).success).toBe(false);
    expect(createRoomBodySchema.safeParse({ name: 'x', kind: 'party' }).success).toBe(false);
  });

  it('coerces list query numbers from strings and rejects unknown parameters', () => {
    expect(listRoomsQuerySchema.parse({ pageSize: '10' })).toMatchObject({ pageSize: 10, sort: 'newest' });
    expect(listRoomsQuerySchema.safeParse({ q: 'x', $where: '1' }).success).toBe(false);
    // Pages go on by cursor; page numbers are gone from the public list.
    expect(listRoomsQuerySchema.safeParse({ page: '2' }).success).toBe(false);
    expect(listRoomsQuerySchema.safeParse({ cursor: 'eyJ2IjoxfQ.c2ln' }).success).toBe(true);
    expect(listRoomsQuerySchema.safeParse({ cursor: 'not a cursor' }).success).toBe(false);
    expect(listMyRoomsQuerySchema.parse({ page: '2', pageSize: '10' })).toMatchObject({ page: 2, pageSize: 10 });
  });

  it('lobby events are a closed set', () => {
    expect(lobbyEventSchema.safeParse({ type: 'rooms:occupancy', changes: [{ roomId: 'abcdef12', occupancy: { count: 1, capacity: 2 } }] }).success).toBe(true);
    expect(lobbyEventSchema.safeParse({ type: 'rooms:occupancy', changes: [] }).success).toBe(false);
    expect(lobbyEventSchema.safeParse({ type: 'room:deleted', roomId: 'abcdef12' }).success).toBe(false);
  });
});

describe('signaling payloads', () => {
  it('takes a ticket or a resume, not both and not neither', () => {
    expect(joinPayloadSchema.safeParse({ ticket: 'a.b.c' }).success).toBe(true);
    expect(
      joinPayloadSchema.safeParse({ resume: { roomId: 'abcdef12', peerId: 'peer_12345', resumeToken: 'x'.repeat(32) } }).success,
    ).toBe(true);
    expect(joinPayloadSchema.safeParse({}).success).toBe(false);
    expect(joinPayloadSchema.safeParse({ ticket: 'a', resume: {} }).success).toBe(false);
  });

  it('takes a name for this call with a ticket, held to the account name rules', () => {
    expect(joinPayloadSchema.parse({ ticket: 'a', name: '  Ada at work  ' })).toEqual({ ticket: 'a', name: 'Ada at work' });
    expect(joinPayloadSchema.safeParse({ ticket: 'a', name: 'x'.repeat(60) }).success).toBe(true);
    for (const name of ['', '   ', 'x'.repeat(61), 'Ada\nLovelace', 'tab\there', 'bell\u0007', 'c1\u0085']) {
      expect(joinPayloadSchema.safeParse({ ticket: 'a', name }).success, JSON.stringify(name)).toBe(false);
    }
    // A resume keeps the seat's name: it cannot carry a new one.
    const resume = { roomId: 'abcdef12', peerId: 'peer_12345', resumeToken: 'x'.repeat(32) };
    expect(joinPayloadSchema.safeParse({ resume, name: 'Other' }).success).toBe(false);
  });

  it('signal carries exactly one of description or candidate', () => {
    const to = 'peer_12345';
    expect(signalPayloadSchema.safeParse({ to, description: { type: 'offer', sdp: 'v=0' } }).success).toBe(true);
    expect(signalPayloadSchema.safeParse({ to, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } }).success).toBe(true);
    expect(signalPayloadSchema.safeParse({ to, candidate: null }).success).toBe(true);
    expect(signalPayloadSchema.safeParse({ to }).success).toBe(false);
    expect(signalPayloadSchema.safeParse({ to, description: { type: 'offer' }, candidate: null }).success).toBe(false);
    expect(signalPayloadSchema.safeParse({ to: '../../etc', description: { type: 'offer' } }).success).toBe(false);
  });

  it('bounds chat text and game cells', () => {
    expect(chatSendPayloadSchema.safeParse({ text: '   ' }).success).toBe(false);
    expect(chatSendPayloadSchema.safeParse({ text: 'x'.repeat(2001) }).success).toBe(false);
    expect(chatSendPayloadSchema.parse({ text: ' hi ' })).toEqual({ text: 'hi' });
    expect(gameMovePayloadSchema.safeParse({ cell: 9 }).success).toBe(false);
    expect(gameMovePayloadSchema.safeParse({ cell: 4.5 }).success).toBe(false);
  });
});

describe('server event payloads', () => {
  it('has a schema for every server event name', () => {
    expect(Object.keys(serverEventPayloadSchemas).sort()).toEqual(Object.values(ServerEvent).sort());
  });

  it('carries reason codes, not free text, for removal and closure', () => {
    expect(serverEventPayloadSchemas['room:kicked'].safeParse({ reason: 'uninvited' }).success).toBe(true);
    expect(serverEventPayloadSchemas['room:kicked'].safeParse({ reason: 'you were rude' }).success).toBe(false);
    expect(serverEventPayloadSchemas['room:closed'].safeParse({ reason: 'closed' }).success).toBe(true);
    expect(serverEventPayloadSchemas['room:closed'].safeParse({ reason: 'bye' }).success).toBe(false);
  });

  it('names the owner who asks to mute by peer id, and ends a call with nothing to word', () => {
    expect(serverEventPayloadSchemas['peer:mute-requested'].safeParse({ from: 'peer_12345' }).success).toBe(true);
    expect(serverEventPayloadSchemas['peer:mute-requested'].safeParse({ from: 'Alice <b>' }).success).toBe(false);
    expect(serverEventPayloadSchemas['room:ended'].safeParse({}).success).toBe(true);
  });

  it('names the new host by peer id and display name, and tells every replica through the room events', () => {
    expect(serverEventPayloadSchemas['room:host'].safeParse({ peerId: 'peer_12345', name: 'Bob' }).success).toBe(true);
    expect(serverEventPayloadSchemas['room:host'].safeParse({ peerId: 'Bob' }).success).toBe(false);
    expect(roomEventMessageSchema.safeParse({ type: 'host', roomId: 'room_1', peerId: 'peer_12345', name: 'Bob' }).success).toBe(true);
    expect(roomEventMessageSchema.safeParse({ type: 'host', roomId: 'room_1', name: 'Bob' }).success).toBe(false);
  });

  it('accepts fields a newer server adds, and refuses a signal from a malformed peer id', () => {
    expect(serverEventPayloadSchemas['room:locked'].safeParse({ locked: true, by: 'owner' }).success).toBe(true);
    expect(serverEventPayloadSchemas.signal.safeParse({ from: 'peer_12345', seq: 3, candidate: null }).success).toBe(true);
    expect(serverEventPayloadSchemas.signal.safeParse({ from: '<script>', seq: 3, candidate: null }).success).toBe(false);
    expect(serverEventPayloadSchemas.signal.safeParse({ from: 'peer_12345', seq: -1, candidate: null }).success).toBe(false);
  });
});
