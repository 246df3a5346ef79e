import { describe, expect, it } from 'vitest';
import { endFor, endFromError, endOfRemoval, rejoinLabel } from './call-end.js';

describe('endFromError', () => {
  it('gives each refusal its own screen', () => {
    expect(endFromError('ROOM_FULL')).toMatchObject({ reason: 'full', title: 'This room is full', canRetry: true });
    expect(endFromError('ROOM_LOCKED').reason).toBe('locked');
    expect(endFromError('ROOM_CLOSED')).toMatchObject({ reason: 'closed', canRetry: false });
    expect(endFromError('NOT_FOUND').message).toMatch(/invite/);
    expect(endFromError('UNAUTHORIZED').reason).toBe('signed-out');
    expect(endFromError('NETWORK').reason).toBe('unreachable');
    expect(endFromError('INTERNAL').reason).toBe('error');
    expect(endFromError('BANNED')).toMatchObject({ reason: 'banned', canRetry: false });
    expect(endFromError('BANNED').message).toMatch(/let you back in/);
  });

  it('tells a guest when the owner turned guests off, and that a guest token opens one room only', () => {
    expect(endFromError('GUESTS_OFF')).toMatchObject({ reason: 'guests-off', title: 'Guests can’t join this room', canRetry: false });
    expect(endFromError('GUESTS_OFF').message).toMatch(/does not let guests in/);
    expect(endFromError('GUEST_NOT_ALLOWED')).toMatchObject({ reason: 'forbidden', canRetry: false });
    expect(endFromError('GUEST_NOT_ALLOWED').message).toMatch(/only join the room they were invited to/);
  });
});

describe('endFor', () => {
  it('tells a kicked user what happened in a sentence', () => {
    const end = endFor('kicked');
    expect(end.title).toMatch(/removed/);
    expect(end.message).toMatch(/host removed you/);
    expect(end.canRetry).toBe(false);
  });

  it('offers to move a call that continues in another tab back here', () => {
    const end = endFor('joined-elsewhere');
    expect(end.title).toMatch(/another tab/);
    expect(end.canRetry).toBe(true);
    expect(endFor('removed')).toMatchObject({ canRetry: false, message: expect.stringMatching(/invitation/) });
  });
});

describe('a call the owner ended', () => {
  it('says the room stays and offers to join the next call', () => {
    const end = endFor('ended');
    expect(end.canRetry).toBe(true);
    expect(end.message).toMatch(/ended the call for everyone.*room and its link stay/);
    expect(rejoinLabel(end.reason)).toBe('Join again');
    // A deleted room is another screen, with no way back in.
    expect(endFor('closed').canRetry).toBe(false);
  });
});

describe('endOfRemoval', () => {
  it('turns each code the server sends into its own screen', () => {
    expect(endOfRemoval('kicked')).toMatchObject({ reason: 'kicked', message: expect.stringMatching(/host removed you/) });
    expect(endOfRemoval('uninvited')).toMatchObject({ reason: 'removed', message: expect.stringMatching(/invitation/) });
    // `removed`: the server no longer has this seat (swept after a long disconnect); joining again may work.
    expect(endOfRemoval('removed')).toMatchObject({ reason: 'seat-lost', canRetry: true });
  });

  it('never shows a code as if it were a reason someone gave', () => {
    const codes = ['kicked', 'uninvited', 'removed', 'closed', 'some-future-code'];
    for (const end of codes.map(endOfRemoval)) {
      expect(end.message).not.toMatch(/Reason given|“/);
    }
    // A code this version does not know still ends the call with a sentence.
    expect(endOfRemoval('some-future-code').reason).toBe('kicked');
  });
});
