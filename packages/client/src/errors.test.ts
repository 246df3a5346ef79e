import { describe, expect, it } from 'vitest';
import { MeshcallError, errorFromAck, errorFromHandshake, errorFromResponse, handshakeRefusalCode } from './errors.js';

describe('errorFromResponse', () => {
  it('takes code, message and details from a body that follows the contract', () => {
    const error = errorFromResponse(400, { error: { code: 'INVALID_PAYLOAD', message: 'bad', details: [{ path: 'email', message: 'must be a valid email address' }] } });
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD', status: 400, message: 'bad' });
    expect(error.details).toHaveLength(1);
  });

  it('falls back to the status when a gateway answers with HTML', () => {
    expect(errorFromResponse(502, '<html>bad gateway</html>').code).toBe('BAD_GATEWAY');
    expect(errorFromResponse(503, null).code).toBe('UNAVAILABLE');
    expect(errorFromResponse(504, undefined).code).toBe('GATEWAY_TIMEOUT');
    expect(errorFromResponse(401, {}).code).toBe('UNAUTHORIZED');
  });

  it('refuses codes outside the catalogue', () => {
    expect(errorFromResponse(400, { error: { code: 'MADE_UP', message: 'x' } }).code).toBe('BAD_RESPONSE');
  });
});

describe('errorFromAck', () => {
  it('keeps catalogue codes and does not trust anything else', () => {
    const full = errorFromAck({ code: 'ROOM_FULL', message: 'The room is full.' });
    expect(full).toBeInstanceOf(MeshcallError);
    expect(full).toMatchObject({ code: 'ROOM_FULL', status: 0, message: 'The room is full.' });
    const odd = errorFromAck({ code: 42, message: { html: true } });
    expect(odd.code).toBe('BAD_RESPONSE');
    expect(typeof odd.message).toBe('string');
  });
});

describe('handshake refusals', () => {
  it('reads the code from the error data or a bare code message', () => {
    expect(handshakeRefusalCode({ message: 'x', data: { code: 'UNAUTHORIZED' } })).toBe('UNAUTHORIZED');
    expect(handshakeRefusalCode({ message: 'FORBIDDEN' })).toBe('FORBIDDEN');
    expect(handshakeRefusalCode({ message: 'websocket error' })).toBeUndefined();
    expect(handshakeRefusalCode({ message: 'x', data: { code: 'NOT_A_CODE' } })).toBeUndefined();
  });

  it('turns a connection that nothing answered into NETWORK', () => {
    expect(errorFromHandshake({ message: 'websocket error' }).code).toBe('NETWORK');
    expect(errorFromHandshake({ message: 'Token expired', data: { code: 'UNAUTHORIZED', message: 'Token expired' } })).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
  });
});
