import { describe, expect, it } from 'vitest';
import { pickByRendezvous } from './rendezvous.js';

const servers = [{ id: 'turn-a:3478' }, { id: 'turn-b:3478' }, { id: 'turn-c:3478' }];
const rooms = Array.from({ length: 3000 }, (_, index) => `room-${index.toString(36).padStart(6, '0')}`);

describe('pickByRendezvous', () => {
  it('picks the same server for a room whatever the order of the list', () => {
    for (const room of rooms.slice(0, 200)) {
      expect(pickByRendezvous([...servers].reverse(), room)).toEqual(pickByRendezvous(servers, room));
    }
  });

  it('spreads rooms evenly over the servers', () => {
    const counts = new Map<string, number>();
    for (const room of rooms) {
      const id = pickByRendezvous(servers, room)?.id ?? 'none';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(servers.map((server) => server.id));
    // 1000 expected each; 3000 draws keep every share within ±15 % by a wide margin.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(850);
      expect(count).toBeLessThan(1150);
    }
  });

  it('moves only the rooms of a server taken away, and moves them back when it returns', () => {
    const before = new Map(rooms.map((room) => [room, pickByRendezvous(servers, room)?.id]));
    const withoutB = servers.filter((server) => server.id !== 'turn-b:3478');
    for (const room of rooms) {
      const now = pickByRendezvous(withoutB, room)?.id;
      if (before.get(room) === 'turn-b:3478') expect(now).not.toBe('turn-b:3478');
      else expect(now).toBe(before.get(room));
    }
    for (const room of rooms) expect(pickByRendezvous(servers, room)?.id).toBe(before.get(room));
  });

  it('answers undefined for no candidates', () => {
    expect(pickByRendezvous([], 'room')).toBeUndefined();
  });
});
