import { describe, expect, it } from 'vitest';
import { ErrorCode, registerBodySchema } from '@meshcall/shared';
import { ClientErrorCode } from './api-error.js';
import { fieldErrorsFrom, issuesFromZodLike, messageFor } from './error-messages.js';

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
    expect(errors).toEqual({ email: 'Email must be a valid email address', password: 'Password must be at least 8 bytes' });
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
