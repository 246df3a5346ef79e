import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromAck, apiErrorFromResponse, toApiError } from './api-error.js';

describe('apiErrorFromResponse', () => {
  it('takes code, message and details from a body that follows the contract', () => {
    const error = apiErrorFromResponse(400, {
      error: { code: 'INVALID_PAYLOAD', message: 'bad', details: [{ path: 'email', message: 'must be a valid email address' }] },
    });
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.status).toBe(400);
    expect(error.details).toHaveLength(1);
  });

  it('falls back to the status when a gateway answers with HTML', () => {
    expect(apiErrorFromResponse(502, '<html>bad gateway</html>').code).toBe('BAD_GATEWAY');
    expect(apiErrorFromResponse(503, null).code).toBe('UNAVAILABLE');
    expect(apiErrorFromResponse(504, undefined).code).toBe('GATEWAY_TIMEOUT');
  });

  it('refuses codes outside the catalogue', () => {
    const error = apiErrorFromResponse(400, { error: { code: 'MADE_UP', message: 'x' } });
    expect(error.code).toBe('BAD_RESPONSE');
  });

  it('treats an unexplained 401 as an ended session', () => {
    expect(apiErrorFromResponse(401, {}).code).toBe('UNAUTHORIZED');
  });
});

describe('apiErrorFromAck', () => {
  it('keeps catalogue codes from a socket acknowledgement', () => {
    const error = apiErrorFromAck({ code: 'ROOM_FULL', message: 'The room is full.' });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('ROOM_FULL');
  });

  it('does not trust unknown codes or non-string messages', () => {
    const error = apiErrorFromAck({ code: 42, message: { html: true } });
    expect(error.code).toBe('BAD_RESPONSE');
    expect(typeof error.message).toBe('string');
  });
});

describe('toApiError', () => {
  it('hides unexpected exceptions behind a generic message', () => {
    const error = toApiError(new TypeError('x is undefined at foo.js:12'));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.message).not.toMatch(/foo\.js/);
  });
});
