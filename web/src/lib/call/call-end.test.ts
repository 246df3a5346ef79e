import { describe, expect, it } from 'vitest';
import { endFor, endFromError } from './call-end.js';

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
});

describe('endFor', () => {
  it('tells a kicked user why, quoting the reason the owner gave', () => {
    const end = endFor('kicked', 'spamming the chat');
    expect(end.title).toMatch(/removed/);
    expect(end.message).toMatch(/owner removed you/);
    expect(end.message).toMatch(/spamming the chat/);
    expect(end.canRetry).toBe(false);
  });

  it('offers to move a call that continues in another tab back here', () => {
    const end = endFor('joined-elsewhere');
    expect(end.title).toMatch(/another tab/);
    expect(end.canRetry).toBe(true);
    expect(endFor('removed')).toMatchObject({ canRetry: false, message: expect.stringMatching(/invitation/) });
  });

  it('leaves the reason out when none was given', () => {
    expect(endFor('closed', '  ').message).not.toMatch(/Reason given/);
  });
});
