import { describe, expect, it } from 'vitest';
import { ErrorCode, registerBodySchema } from '@meshcall/shared';
import { ClientErrorCode } from './api-error.js';
import { createRoomErrorMessage, fieldErrorsFrom, issuesFromZodLike, messageFor } from './error-messages.js';

describe('messageFor', () => {
  it('has a sentence for every server and client code', () => {
    for (const code of [...Object.values(ErrorCode), ...Object.values(ClientErrorCode)]) {
      const message = messageFor(code);
      expect(message.length, code).toBeGreaterThan(10);
      expect(message, code).not.toMatch(/undefined/);
    }
  });

  it('words the same code differently where the context changes its meaning', () => {
    expect(messageFor('NOT_FOUND', 'join')).toMatch(/invite/);
    expect(messageFor('NOT_FOUND')).not.toMatch(/invite/);
    expect(messageFor('RATE_LIMITED', 'signin')).toMatch(/sign-ins/);
  });

  it('tells a joiner plainly why the room refused them', () => {
    expect(messageFor('ROOM_FULL', 'join')).toMatch(/full/);
    expect(messageFor('ROOM_LOCKED', 'join')).toMatch(/locked/);
    expect(messageFor('ROOM_CLOSED', 'join')).toMatch(/closed/);
  });

  it('explains a refused game move', () => {
    expect(messageFor('ILLEGAL_MOVE', 'game')).toMatch(/not allowed/);
  });
});

describe('fieldErrorsFrom', () => {
  it('keeps the first problem per field and names the field', () => {
    const errors = fieldErrorsFrom([
      { path: 'email', message: 'must be a valid email address' },
      { path: 'email', message: 'second problem' },
      { path: 'password', message: 'must be at least 8 bytes' },
    ]);
    expect(errors).toEqual({ email: 'Email must be a valid email address', password: 'Password must be at least 8 characters' });
  });

  it('words the password length rules in characters, as the form\'s hint does, and tells the truth about the byte ceiling', () => {
    // Auth counts the minimum in characters (code points); an older auth said "bytes" for the same rule.
    expect(fieldErrorsFrom([{ path: 'password', message: 'must be at least 8 characters' }])).toEqual({ password: 'Password must be at least 8 characters' });
    // bcrypt's 72-byte ceiling, as the shared schema reports it for 40 accented letters (80 bytes).
    const tooLong = registerBodySchema.safeParse({ name: 'Ann', email: 'ann@example.test', password: 'é'.repeat(40) });
    const errors = fieldErrorsFrom(issuesFromZodLike(tooLong.error?.issues ?? []));
    expect(errors.password).toBe('Password is too long: at most 72 plain letters, digits or symbols (an accented letter, another alphabet or an emoji counts as 2 to 4)');
    expect(errors.password).not.toMatch(/bytes|UTF-8/);
  });

  it('files form-wide issues under the empty key', () => {
    expect(fieldErrorsFrom([{ path: '', message: 'must change at least one field' }])).toEqual({ '': 'Must change at least one field' });
  });

  it('reads client-side zod issues from the shared schemas the same way', () => {
    const result = registerBodySchema.safeParse({ name: '', email: 'nope', password: 'short' });
    expect(result.success).toBe(false);
    const errors = fieldErrorsFrom(issuesFromZodLike(result.error?.issues ?? []));
    expect(Object.keys(errors).sort()).toEqual(['email', 'name', 'password']);
    expect(errors.email).toMatch(/^Email /);
  });
});

describe('createRoomErrorMessage', () => {
  it("shows rooms' own sentence for the per-account limits, and the form's wording for the rest", () => {
    const quota = 'An account may have at most 50 open rooms; close one you no longer need first.';
    expect(createRoomErrorMessage({ code: 'ROOM_QUOTA_REACHED', message: quota, status: 403 })).toBe(quota);
    const rate = 'You can create 30 rooms every 10 minutes; try again in 7 minutes.';
    expect(createRoomErrorMessage({ code: 'RATE_LIMITED', message: rate, status: 429 })).toBe(rate);
    expect(createRoomErrorMessage({ code: 'CONFLICT', message: 'internal words', status: 409 })).toBe(messageFor('CONFLICT', 'create-room'));
    // A socket or client-side failure has no server sentence to show.
    expect(createRoomErrorMessage({ code: 'RATE_LIMITED', message: '', status: 0 })).toBe(messageFor('RATE_LIMITED', 'create-room'));
  });
});
