import { describe, expect, it } from 'vitest';
import type { RoomRecord } from '../repositories/room-record.js';
import { accessTo, guestAccessTo } from './access.js';

const owner = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const friend = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const stranger = 'cccccccccccccccccccccccc';

function room(overrides: Partial<RoomRecord>): RoomRecord {
  const now = new Date();
  return {
    id: 'room123456',
    name: 'Room',
    kind: 'business',
    visibility: 'private',
    capacity: 4,
    ownerId: owner,
    ownerName: 'Owner',
    allowedUsers: [friend],
    invitedUsers: [],
    memberNames: {},
    inviteCode: 'invite-code-1234',
    guestAccess: false,
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    ...overrides,
  };
}

describe('accessTo', () => {
  it('admits the owner as owner', () => {
    expect(accessTo(room({}), owner)).toEqual({ granted: true, role: 'owner' });
  });

  it('admits anyone to a public room as member', () => {
    expect(accessTo(room({ visibility: 'public', inviteCode: null }), stranger)).toEqual({ granted: true, role: 'member' });
  });

  it('admits allowed users to a private room', () => {
    expect(accessTo(room({}), friend)).toEqual({ granted: true, role: 'member' });
  });

  it('hides a private room from someone only invited, until they accept', () => {
    expect(accessTo(room({ allowedUsers: [], invitedUsers: [stranger] }), stranger)).toEqual({ granted: false, reason: 'hidden' });
  });

  it('hides a private room from a stranger without an invite', () => {
    expect(accessTo(room({}), stranger)).toEqual({ granted: false, reason: 'hidden' });
  });

  it('admits a stranger with the current invite code', () => {
    expect(accessTo(room({}), stranger, 'invite-code-1234')).toEqual({ granted: true, role: 'member' });
  });

  it('refuses a stranger with a wrong or replaced invite code', () => {
    expect(accessTo(room({}), stranger, 'invite-code-9999')).toEqual({ granted: false, reason: 'bad-invite' });
    expect(accessTo(room({}), stranger, 'short')).toEqual({ granted: false, reason: 'bad-invite' });
  });
});

describe('guestAccessTo', () => {
  it('admits a guest as a member with the current invite code while guests are on', () => {
    expect(guestAccessTo(room({ guestAccess: true }), 'invite-code-1234')).toEqual({ granted: true, role: 'member' });
  });

  it('refuses a guest while the owner keeps guests out, but only tells someone holding the right code', () => {
    expect(guestAccessTo(room({ guestAccess: false }), 'invite-code-1234')).toEqual({ granted: false, reason: 'guests-off' });
    expect(guestAccessTo(room({ guestAccess: false }), 'wrong-code-12345')).toEqual({ granted: false, reason: 'bad-invite' });
  });

  it('hides the room from a guest without a code, and from any guest of a room without an invite link', () => {
    expect(guestAccessTo(room({ guestAccess: true }))).toEqual({ granted: false, reason: 'hidden' });
    expect(guestAccessTo(room({ guestAccess: true, visibility: 'public', inviteCode: null }), 'invite-code-1234')).toEqual({ granted: false, reason: 'hidden' });
  });

  it('refuses a replaced code', () => {
    expect(guestAccessTo(room({ guestAccess: true, inviteCode: 'new-code-1234567' }), 'invite-code-1234')).toEqual({ granted: false, reason: 'bad-invite' });
  });
});
