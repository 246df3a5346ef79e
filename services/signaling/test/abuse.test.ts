import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '@meshcall/shared';
import { dataOf, disconnection, errorCodeOf, request, requestRaw } from './support/client.js';
import { closeAll, seatUser } from './support/participant.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { startReplica, type InProcessReplica } from './support/replicas.js';
import { TestTokenIssuer, newRoomId } from './support/token-issuer.js';

describe('malformed, oversized, unknown and flooding events', () => {
  let redis: TestRedis;
  let issuer: TestTokenIssuer;
  let replica: InProcessReplica;
  /** Same code, a small event budget, so a flood is quick to provoke. */
  let strict: InProcessReplica;

  beforeAll(async () => {
    redis = await startTestRedis();
    issuer = await TestTokenIssuer.start();
    replica = await startReplica({ redisUrl: redis.url, issuer, replicaId: 'abuse-1' });
    strict = await startReplica({
      redisUrl: redis.url,
      issuer,
      replicaId: 'abuse-strict',
      env: { SOCKET_RATE_LIMIT_PER_SECOND: '5', SOCKET_RATE_LIMIT_BURST: '10' },
    });
  });

  afterAll(async () => {
    await Promise.all([replica?.close(), strict?.close()]);
    await issuer?.stop();
    await redis?.stop();
  });

  it('answers INVALID_PAYLOAD for payloads that do not match the schema', async () => {
    const roomId = newRoomId();
    const user = await seatUser(replica.url, issuer, { roomId, kind: 'game', capacity: 2 });
    try {
      const attempts: Array<[string, unknown[]]> = [
        ['room:join', [{}]],
        ['room:join', [{ ticket: 42 }]],
        ['room:join', [{ ticket: 'x', resume: { roomId, peerId: user.joined.peerId, resumeToken: 'x'.repeat(20) } }]],
        ['signal', []],
        ['signal', [{ to: '../../etc', description: { type: 'offer', sdp: 'v=0' } }]],
        ['signal', [{ to: user.joined.peerId, description: { type: 'bogus' } }]],
        ['signal', [{ to: user.joined.peerId }]],
        ['media:state', [{ audio: true, video: 'yes', screen: false }]],
        ['media:state', [{ audio: true, video: true, screen: false, admin: true }]],
        ['chat:send', [{ text: '   ' }]],
        ['chat:send', [{ text: 'x'.repeat(2001) }]],
        ['game:move', [{ cell: 9 }]],
        ['game:move', [{ cell: '4' }]],
        ['room:kick', [{ peerId: 42 }]],
        ['room:lock', [{ locked: 'true' }]],
        ['room:end', [{ everyone: true }]],
        ['peer:ask-mute', [{ peerId: '../x' }]],
        ['peer:ask-mute', [{}]],
        ['session:refresh', ['a string']],
      ];
      for (const [event, args] of attempts) {
        const answer = await requestRaw(user.socket, event, ...args);
        expect({ event, args, code: errorCodeOf(answer) }).toEqual({ event, args, code: 'INVALID_PAYLOAD' });
      }
      // The socket is still a working member of its room.
      expect(dataOf(await request(user.socket, 'chat:send', { text: 'still here' })).text).toBe('still here');
    } finally {
      closeAll(user);
    }
  });

  it('refuses unknown events with INVALID_PAYLOAD and ignores them without an acknowledgement', async () => {
    const user = await seatUser(replica.url, issuer, { roomId: newRoomId() });
    try {
      expect(errorCodeOf(await requestRaw(user.socket, 'room:nuke', { everyone: true }))).toBe('INVALID_PAYLOAD');
      expect(errorCodeOf(await requestRaw(user.socket, 'peer:joined', { peerId: 'fake-peer-123' }))).toBe('INVALID_PAYLOAD');
      (user.socket as unknown as { emit(event: string): void }).emit('admin:shutdown');
      expect((await request(user.socket, 'media:state', { audio: true, video: false, screen: false })).ok).toBe(true);
    } finally {
      closeAll(user);
    }
  });

  it('closes a socket that sends a frame over 64 KiB, and only that socket', async () => {
    const roomId = newRoomId();
    const sender = await seatUser(replica.url, issuer, { roomId });
    const bystander = await seatUser(replica.url, issuer, { roomId });
    try {
      const closed = disconnection(sender.socket);
      sender.socket.emit('chat:send', { text: 'x'.repeat(70 * 1024) }, () => undefined);
      expect(await closed).toBe('transport close');
      expect(bystander.socket.connected).toBe(true);
      expect(dataOf(await request(bystander.socket, 'chat:send', { text: 'served' })).text).toBe('served');
      // The oversized message never reached the room.
      expect(bystander.log.of('chat:message')).toEqual([]);
    } finally {
      closeAll(sender, bystander);
    }
  });

  it('rate limits a flooding socket with RATE_LIMITED while another socket is served normally', async () => {
    const roomId = newRoomId();
    const flooder = await seatUser(strict.url, issuer, { roomId });
    const neighbour = await seatUser(strict.url, issuer, { roomId });
    try {
      const flood: Array<Promise<Ack<unknown>>> = [];
      for (let i = 0; i < 60; i += 1) flood.push(requestRaw(flooder.socket, 'media:state', { audio: i % 2 === 0, video: false, screen: false }));
      // Unknown events spend the same budget.
      flood.push(requestRaw(flooder.socket, 'room:nuke', {}));
      const neighbourAnswers = [];
      for (let i = 0; i < 4; i += 1) neighbourAnswers.push(await request(neighbour.socket, 'chat:send', { text: `message ${i}` }));
      const answers = await Promise.all(flood);

      expect(neighbourAnswers.every((answer) => answer.ok)).toBe(true);
      const mediaAnswers = answers.slice(0, 60);
      const limited = mediaAnswers.filter((answer) => errorCodeOf(answer) === 'RATE_LIMITED');
      const served = mediaAnswers.filter((answer) => answer.ok);
      expect(limited.length).toBeGreaterThan(0);
      expect(served.length).toBeGreaterThan(0);
      // Every event got exactly one of the two answers: nothing was dropped unanswered.
      expect(served.length + limited.length).toBe(60);
      expect(errorCodeOf(answers[60] as Ack<unknown>)).toBe('RATE_LIMITED');
      expect(flooder.socket.connected).toBe(true);
      // The room saw the flooder's media changes only as far as its budget went.
      await neighbour.log.waitFor('peer:media');
      expect(neighbour.log.of('peer:media').length).toBeLessThanOrEqual(served.length);
    } finally {
      closeAll(flooder, neighbour);
    }
  });
});
