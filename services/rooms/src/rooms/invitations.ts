/** The guest list of a room as stored: who accepted and who is still invited. */
export interface GuestList {
  allowedUsers: string[];
  invitedUsers: string[];
}

export interface InvitationPlan extends GuestList {
  /** Accepted guests the owner left out: they must be kept out from now on. */
  removed: string[];
  /** Users invited who had no invitation before. */
  newlyInvited: string[];
}

/**
 * The owner sends the whole list of people invited (PATCH `allowedUsers`). Accepted guests still
 * on it stay accepted; everyone else on it gets (or keeps) a pending invitation, so being put on a
 * list never grants access by itself; accepted guests left out are removed.
 */
export function planInvitations(current: GuestList, wanted: readonly string[]): InvitationPlan {
  const wantedSet = new Set(wanted);
  const accepted = new Set(current.allowedUsers);
  const pending = new Set(current.invitedUsers);
  return {
    allowedUsers: current.allowedUsers.filter((userId) => wantedSet.has(userId)),
    invitedUsers: [...wantedSet].filter((userId) => !accepted.has(userId)),
    removed: current.allowedUsers.filter((userId) => !wantedSet.has(userId)),
    newlyInvited: [...wantedSet].filter((userId) => !accepted.has(userId) && !pending.has(userId)),
  };
}
