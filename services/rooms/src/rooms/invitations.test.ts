import { describe, expect, it } from 'vitest';
import { planInvitations } from './invitations.js';

describe('planInvitations', () => {
  it('keeps accepted guests on the list, makes newcomers pending, and removes accepted guests left out', () => {
    const plan = planInvitations({ allowedUsers: ['ann', 'bob'], invitedUsers: ['cid'] }, ['bob', 'cid', 'dan']);
    expect(plan).toEqual({ allowedUsers: ['bob'], invitedUsers: ['cid', 'dan'], removed: ['ann'], newlyInvited: ['dan'] });
  });

  it('never turns a listed user into an accepted one', () => {
    expect(planInvitations({ allowedUsers: [], invitedUsers: [] }, ['eve', 'eve']).allowedUsers).toEqual([]);
    expect(planInvitations({ allowedUsers: [], invitedUsers: ['eve'] }, []).invitedUsers).toEqual([]);
  });
});
