import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { LocalSeats, type LocalSeat } from '../seats/local-seats.js';
import { createSignalingMetrics } from '../metrics.js';
import { Notifier } from '../notifier.js';
import type { SignalingServer, SignalingSocket } from '../types.js';
import { ReplicaInbox } from './replica-inbox.js';

/** Records what the peer's socket was sent; nothing else of Socket.IO is involved. */
function seatWithSocket(localSeats: LocalSeats): { seat: LocalSeat; emitted: number[] } {
  const emitted: number[] = [];
  const socket = {
    id: 'socket-1',
    data: { userId: 'user-1' },
    emit: (_event: string, payload: { seq: number }) => emitted.push(payload.seq),
    join: () => undefined,
    leave: () => undefined,
  } as unknown as SignalingSocket;
  const seat = localSeats.attach({
    peerId: 'peer-bob-000001',
    roomId: 'room-1',
    role: 'member',
    room: { capacity: 4, kind: 'business' },
    route: 'r|socket-1',
    record: { peerId: 'peer-bob-000001', userId: 'user-1', name: 'Bob', role: 'member', guest: false },
    media: { audio: false, video: false, screen: false },
    resumeTokenHash: 'hash',
    deliveredSeq: 0,
    socket,
    leaseRenewedAt: 0,
  });
  return { seat, emitted };
}

const signal = (seq: number) => ({ seq, message: { from: 'peer-alice-00001', candidate: null } });

describe('ReplicaInbox delivery order', () => {
  let localSeats: LocalSeats;
  let inbox: ReplicaInbox;

  beforeEach(() => {
    vi.useFakeTimers();
    localSeats = new LocalSeats();
    inbox = new ReplicaInbox({
      subscriber: {} as Redis,
      commands: {} as Redis,
      replicaId: 'r',
      localSeats,
      // Sends to one socket use only the socket, so no server is needed.
      notifier: new Notifier({} as SignalingServer),
      metrics: createSignalingMetrics(new Registry(), { connectedSockets: () => 0, joinedPeers: () => 0 }),
      logger: { warn: () => undefined } as unknown as FastifyBaseLogger,
      now: () => 0,
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds a signal that overtook an earlier one until the earlier one arrives, then emits both in order', () => {
    const { emitted } = seatWithSocket(localSeats);
    inbox.receive('room-1', 'peer-bob-000001', signal(1));
    inbox.receive('room-1', 'peer-bob-000001', signal(3));
    inbox.receive('room-1', 'peer-bob-000001', signal(4));
    expect(emitted).toEqual([1]);
    inbox.receive('room-1', 'peer-bob-000001', signal(2));
    expect(emitted).toEqual([1, 2, 3, 4]);
    inbox.receive('room-1', 'peer-bob-000001', signal(3));
    expect(emitted).toEqual([1, 2, 3, 4]);
  });

  it('emits a held signal after a bounded wait when the earlier one never comes, and nothing twice', () => {
    const { emitted } = seatWithSocket(localSeats);
    inbox.receive('room-1', 'peer-bob-000001', signal(2));
    vi.advanceTimersByTime(499);
    expect(emitted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(emitted).toEqual([2]);
    inbox.receive('room-1', 'peer-bob-000001', signal(1));
    inbox.receive('room-1', 'peer-bob-000001', signal(3));
    expect(emitted).toEqual([2, 3]);
  });

  it('keeps what a peer that left never got for its resume instead of emitting it to the old socket', () => {
    const { seat, emitted } = seatWithSocket(localSeats);
    inbox.receive('room-1', 'peer-bob-000001', signal(2));
    localSeats.detach(seat);
    vi.advanceTimersByTime(1_000);
    expect(emitted).toEqual([]);
    expect(seat.deliveredSeq).toBe(0);
  });

  it('delivers nothing to a peer of another room with the same id', () => {
    const { emitted } = seatWithSocket(localSeats);
    inbox.receive('room-2', 'peer-bob-000001', signal(1));
    expect(emitted).toEqual([]);
  });
});
