import { describe, expect, it } from 'vitest';
import { redisKeys } from '@meshcall/shared';
import { leaseMember, parseLeaseMember, roomKeyPrefix, roomKeys } from './keys.js';

describe('signaling keys', () => {
  it('keeps every key of a room in the room’s hash slot and uses the shared names', () => {
    const keys = roomKeys('room-abc123');
    expect(keys[0]).toBe(redisKeys.roomSeats('room-abc123'));
    expect(keys).toContain(redisKeys.roomLocked('room-abc123'));
    expect(keys).toContain(redisKeys.roomClosed('room-abc123'));
    expect(keys).toContain(redisKeys.roomExcluded('room-abc123'));
    expect(keys).toContain(redisKeys.roomPeers('room-abc123'));
    for (const key of [...keys, roomKeyPrefix('room-abc123')]) expect(key).toContain('{room-abc123}');
  });

  it('round-trips lease index members and rejects malformed ones', () => {
    expect(parseLeaseMember(leaseMember('room-abc123', 'peer_ABCDEFGH'))).toEqual({ roomId: 'room-abc123', peerId: 'peer_ABCDEFGH' });
    expect(parseLeaseMember('no-slash')).toBeUndefined();
    expect(parseLeaseMember('/peer')).toBeUndefined();
    expect(parseLeaseMember('room/')).toBeUndefined();
  });
});
