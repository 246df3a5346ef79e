import { describe, expect, it } from 'vitest';
import type { Room } from '@meshcall/shared';
import { applyToOwnList, applyToPublicList, inLobbyOrder, matchesFilter, reconnectDelayMs } from './lobby-events.js';

const at = '2025-01-01T00:00:00.000Z';

function room(id: string, overrides: Partial<Room> = {}): Room {
  return {
    id,
    name: `Room ${id}`,
    kind: 'business',
    visibility: 'public',
    capacity: 4,
    ownerId: 'a'.repeat(24),
    ownerName: 'Ada',
    locked: false,
    guestAccess: false,
    occupancy: { count: 0, capacity: 4 },
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    ...overrides,
  };
}

describe('matchesFilter', () => {
  it('matches by kind and by name, ignoring case', () => {
    const r = room('room-one', { name: 'Spanish Practice', kind: 'language' });
    expect(matchesFilter(r, {})).toBe(true);
    expect(matchesFilter(r, { q: 'spanish' })).toBe(true);
    expect(matchesFilter(r, { q: 'french' })).toBe(false);
    expect(matchesFilter(r, { kind: 'language' })).toBe(true);
    expect(matchesFilter(r, { kind: 'game' })).toBe(false);
  });

  it('never lists private or closed rooms publicly', () => {
    expect(matchesFilter(room('room-two', { visibility: 'private' }), {})).toBe(false);
    expect(matchesFilter(room('room-six', { closedAt: at }), {})).toBe(false);
  });
});

describe('applyToPublicList', () => {
  it('puts a new matching room on top, once', () => {
    const list = [room('room-one')];
    const next = applyToPublicList(list, { type: 'room:created', room: room('room-two') }, {});
    expect(next.map((r) => r.id)).toEqual(['room-two', 'room-one']);
    expect(applyToPublicList(next, { type: 'room:created', room: room('room-two') }, {})).toHaveLength(2);
  });

  it('leaves out new rooms that do not match the current filter', () => {
    const next = applyToPublicList([], { type: 'room:created', room: room('room-two', { kind: 'game' }) }, { kind: 'coding' });
    expect(next).toEqual([]);
  });

  it('updates occupancy in place', () => {
    const changes = [
      { roomId: 'room-two', occupancy: { count: 3, capacity: 4 } },
      { roomId: 'room-nine', occupancy: { count: 1, capacity: 4 } },
    ];
    const next = applyToPublicList([room('room-one'), room('room-two')], { type: 'rooms:occupancy', changes }, {});
    expect(next.map((r) => [r.id, r.occupancy.count])).toEqual([
      ['room-one', 0],
      ['room-two', 3],
    ]);
  });

  it('drops closed rooms and rooms that turned private', () => {
    const list = [room('room-one'), room('room-two')];
    expect(applyToPublicList(list, { type: 'room:closed', roomId: 'room-one' }, {}).map((r) => r.id)).toEqual(['room-two']);
    expect(applyToPublicList(list, { type: 'room:updated', room: room('room-two', { visibility: 'private' }) }, {}).map((r) => r.id)).toEqual(['room-one']);
  });

  it('keeps the invite code it already knew when a broadcast update omits it', () => {
    const list = [room('room-one', { inviteCode: 'secret-code' })];
    const next = applyToPublicList(list, { type: 'room:updated', room: room('room-one', { locked: true }) }, {});
    expect(next[0]?.locked).toBe(true);
    expect(next[0]?.inviteCode).toBe('secret-code');
  });
});

describe('applyToOwnList', () => {
  it('adds only rooms the user owns and tracks their occupancy', () => {
    const me = 'b'.repeat(24);
    let list = applyToOwnList([], { type: 'room:created', room: room('room-one') }, me);
    expect(list).toEqual([]);
    list = applyToOwnList(list, { type: 'room:created', room: room('room-two', { ownerId: me }) }, me);
    list = applyToOwnList(list, { type: 'rooms:occupancy', changes: [{ roomId: 'room-two', occupancy: { count: 2, capacity: 4 } }] }, me);
    expect(list.map((r) => [r.id, r.occupancy.count])).toEqual([['room-two', 2]]);
  });

  it('keeps the state of my invitation and the owner-only guest list when a public update arrives', () => {
    const me = 'b'.repeat(24);
    const invited = room('room-three', { invitation: 'pending' });
    const owned = room('room-four', { ownerId: me, invitations: [{ userId: 'c'.repeat(24), status: 'accepted' }] });
    const list = applyToOwnList([invited, owned], { type: 'room:updated', room: room('room-three', { name: 'Renamed' }) }, me);
    expect(list[0]).toMatchObject({ name: 'Renamed', invitation: 'pending' });
    const again = applyToOwnList(list, { type: 'room:updated', room: room('room-four') }, me);
    expect(again[1]?.invitations).toEqual([{ userId: 'c'.repeat(24), status: 'accepted' }]);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from one second up to thirty, with jitter around it', () => {
    expect(reconnectDelayMs(1, () => 0.5)).toBe(1000);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(4000);
    expect(reconnectDelayMs(20, () => 0.5)).toBe(30_000);
    expect(reconnectDelayMs(1, () => 0)).toBe(750);
    expect(reconnectDelayMs(1, () => 1)).toBe(1250);
  });
});

describe('inLobbyOrder', () => {
  const older = room('room-older', { createdAt: '2025-01-01T00:00:00.000Z' });
  const newer = room('room-newer', { createdAt: '2025-01-02T00:00:00.000Z' });
  const busy = room('room-busy', { createdAt: '2024-12-01T00:00:00.000Z', occupancy: { count: 2, capacity: 4 } });

  it('lists busy rooms first, then the newest', () => {
    expect(inLobbyOrder([older, newer, busy], 'occupancy').map((r) => r.id)).toEqual(['room-busy', 'room-newer', 'room-older']);
  });

  it('moves a room up as people join it', () => {
    const joined = applyToPublicList([busy, newer, older], { type: 'rooms:occupancy', changes: [{ roomId: 'room-older', occupancy: { count: 3, capacity: 4 } }] }, {});
    expect(inLobbyOrder(joined, 'occupancy').map((r) => r.id)).toEqual(['room-older', 'room-busy', 'room-newer']);
  });

  it('leaves the newest-first list as the live events keep it', () => {
    expect(inLobbyOrder([newer, busy, older], 'newest').map((r) => r.id)).toEqual(['room-newer', 'room-busy', 'room-older']);
  });
});
