import { describe, expect, it } from 'vitest';
import { classifyMediaError, fallbackRequest, mediaProblemMessage } from './media-errors.js';

function domError(name: string): Error {
  const error = new Error('x');
  error.name = name;
  return error;
}

describe('classifyMediaError', () => {
  it('maps the names browsers throw to problems a user can fix', () => {
    expect(classifyMediaError(domError('NotAllowedError'))).toBe('denied');
    expect(classifyMediaError(domError('PermissionDeniedError'))).toBe('denied');
    expect(classifyMediaError(domError('NotFoundError'))).toBe('no-device');
    expect(classifyMediaError(domError('NotReadableError'))).toBe('in-use');
    expect(classifyMediaError(domError('OverconstrainedError'))).toBe('constraints');
    expect(classifyMediaError(new TypeError('getUserMedia is not a function'))).toBe('unsupported');
    expect(classifyMediaError('weird')).toBe('unknown');
    expect(classifyMediaError(null)).toBe('unknown');
  });

  it('tells a denied user where to re-allow access', () => {
    expect(mediaProblemMessage('denied')).toMatch(/site settings/);
  });
});

describe('fallbackRequest', () => {
  it('retries with the microphone alone when no camera can be opened', () => {
    expect(fallbackRequest({ audio: true, video: true }, 'no-device')).toEqual({ audio: true, video: false });
    expect(fallbackRequest({ audio: true, video: false }, 'no-device')).toBeNull();
  });

  it('does not ask again after the user refused', () => {
    expect(fallbackRequest({ audio: true, video: true }, 'denied')).toBeNull();
  });
});
