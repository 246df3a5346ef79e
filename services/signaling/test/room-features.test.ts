import { describe, expect, it } from 'vitest';
import { CHAT_HISTORY_LIMIT, CHAT_HISTORY_ON_JOIN } from '@meshcall/shared';
import { ownRoomKey } from '../src/redis/keys.js';
import { dataOf, errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, seatUser } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

describe('chat, media state and tic-tac-toe across replicas', () => {
  // A large event budget: these tests send a few hundred chat messages on purpose.
  const cluster = twoReplicasForSuite('features', { SOCKET_RATE_LIMIT_BURST: '1000' });

  it('keeps the last 200 chat messages and hands a joiner the last 50, oldest first', async () => {
    const roomId = newRoomId();
    const author = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const listener = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      const sent = [];
      for (let i = 0; i < CHAT_HISTORY_LIMIT + 10; i += 1) sent.push(dataOf(await request(author.socket, 'chat:send', { text: `  line ${i}  ` })));
      expect(sent[0]).toMatchObject({ text: 'line 0', peerId: author.joined.peerId, userId: author.userId });

      await listener.log.waitFor('chat:message', (m) => m.text === `line ${CHAT_HISTORY_LIMIT + 9}`);
      expect(listener.log.of('chat:message').map((m) => m.id)).toEqual(sent.map((m) => m.id));
      // The sender's copy is its acknowledgement, not an echo.
      expect(author.log.of('chat:message')).toEqual([]);

      expect(await cluster.redis.client.llen(ownRoomKey(roomId, 'chat'))).toBe(CHAT_HISTORY_LIMIT);
      const late = await seatUser(cluster.one.url, cluster.issuer, { roomId });
      expect(late.joined.chat).toEqual(sent.slice(-CHAT_HISTORY_ON_JOIN));
      closeAll(late);
    } finally {
      closeAll(author, listener);
    }
  });

  it('refuses chat from a socket without a seat', async () => {
    const outsider = await connectUser(cluster.one.url, cluster.issuer);
    try {
      expect(errorCodeOf(await request(outsider.socket, 'chat:send', { text: 'hello?' }))).toBe('NOT_IN_ROOM');
    } finally {
      closeAll(outsider);
    }
  });

  it('shows media state changes to the room and to later joiners', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      dataOf(await request(alice.socket, 'media:state', { audio: true, video: false, screen: true }));
      expect(await bob.log.waitFor('peer:media')).toEqual({ peerId: alice.joined.peerId, audio: true, video: false, screen: true });
      expect(alice.log.of('peer:media')).toEqual([]);
      const carol = await seatUser(cluster.two.url, cluster.issuer, { roomId });
      expect(carol.joined.peers.find((p) => p.peerId === alice.joined.peerId)?.media).toEqual({ audio: true, video: false, screen: true });
      closeAll(carol);
    } finally {
      closeAll(alice, bob);
    }
  });

  it('plays tic-tac-toe by the rules: X first, turns alternate, no taken cells, nothing after a win', async () => {
    const roomId = newRoomId();
    const x = await seatUser(cluster.one.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
    const o = await seatUser(cluster.two.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
    try {
      expect(x.joined.game?.players).toEqual({ X: x.userId, O: null });
      expect(o.joined.game?.players).toEqual({ X: x.userId, O: o.userId });
      expect((await x.log.waitFor('game:state')).players).toEqual({ X: x.userId, O: o.userId });

      const move = (player: typeof x, cell: number) => request(player.socket, 'game:move', { cell });
      expect(errorCodeOf(await move(o, 4))).toBe('ILLEGAL_MOVE');
      dataOf(await move(x, 0));
      expect(errorCodeOf(await move(x, 1))).toBe('ILLEGAL_MOVE');
      expect(errorCodeOf(await move(o, 0))).toBe('ILLEGAL_MOVE');
      dataOf(await move(o, 3));
      dataOf(await move(x, 1));
      dataOf(await move(o, 4));
      const won = dataOf(await move(x, 2));
      expect(won).toEqual({ board: ['X', 'X', 'X', 'O', 'O', null, null, null, null], turn: 'O', winner: 'X', players: { X: x.userId, O: o.userId } });
      expect(await o.log.waitFor('game:state', (s) => s.winner === 'X')).toEqual(won);
      expect(errorCodeOf(await move(o, 5))).toBe('ILLEGAL_MOVE');

      const fresh = dataOf(await request(o.socket, 'game:reset', {}));
      // X won, so O, the loser, opens the next game.
      expect(fresh).toEqual({ board: Array(9).fill(null), turn: 'O', winner: null, players: { X: x.userId, O: o.userId } });
      expect(errorCodeOf(await move(x, 4))).toBe('ILLEGAL_MOVE');
      dataOf(await move(o, 4));
      expect(await x.log.waitFor('game:state', (s) => s.board.every((c) => c === null) && s.winner === null && s.turn === 'O')).toEqual(fresh);
      expect((await x.log.waitFor('game:state', (s) => s.board[4] === 'O')).turn).toBe('X');
    } finally {
      closeAll(x, o);
    }
  });

  it('lets only one of two simultaneous moves by the same player count', async () => {
    const roomId = newRoomId();
    const x = await seatUser(cluster.one.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
    const o = await seatUser(cluster.two.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
    try {
      const answers = await Promise.all([request(x.socket, 'game:move', { cell: 0 }), request(x.socket, 'game:move', { cell: 8 })]);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      expect(answers.filter((a) => errorCodeOf(a) === 'ILLEGAL_MOVE')).toHaveLength(1);
      const board = dataOf(await request(o.socket, 'game:move', { cell: 4 })).board;
      expect(board.filter((c) => c === 'X')).toHaveLength(1);
    } finally {
      closeAll(x, o);
    }
  });

  it('refuses moves by a spectator, resets by non-players, and games outside game rooms', async () => {
    const roomId = newRoomId();
    const x = await seatUser(cluster.one.url, cluster.issuer, { roomId, kind: 'game', capacity: 3 });
    const o = await seatUser(cluster.two.url, cluster.issuer, { roomId, kind: 'game', capacity: 3 });
    const spectator = await seatUser(cluster.one.url, cluster.issuer, { roomId, kind: 'game', capacity: 3 });
    const meeting = await seatUser(cluster.two.url, cluster.issuer, { roomId: newRoomId(), kind: 'business' });
    try {
      expect(spectator.joined.game?.players).toEqual({ X: x.userId, O: o.userId });
      dataOf(await request(x.socket, 'game:move', { cell: 0 }));
      expect(errorCodeOf(await request(spectator.socket, 'game:move', { cell: 4 }))).toBe('ILLEGAL_MOVE');
      expect(errorCodeOf(await request(spectator.socket, 'game:reset', {}))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(meeting.socket, 'game:move', { cell: 4 }))).toBe('ILLEGAL_MOVE');
      expect(meeting.joined.game).toBeNull();
    } finally {
      closeAll(x, o, spectator, meeting);
    }
  });

  it('frees a departed player’s mark: the one who stays plays X and the next joiner O', async () => {
    const roomId = newRoomId();
    const x = await seatUser(cluster.one.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
    const o = await seatUser(cluster.two.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
    try {
      dataOf(await request(x.socket, 'game:move', { cell: 0 }));
      dataOf(await request(x.socket, 'room:leave', {}));
      expect(await o.log.waitFor('game:state', (s) => s.players.O === null)).toEqual({
        board: Array(9).fill(null),
        turn: 'X',
        winner: null,
        players: { X: o.userId, O: null },
      });
      const next = await seatUser(cluster.one.url, cluster.issuer, { roomId, kind: 'game', capacity: 2 });
      expect(next.joined.game?.players).toEqual({ X: o.userId, O: next.userId });
      closeAll(next);
    } finally {
      closeAll(x, o);
    }
  });
});
