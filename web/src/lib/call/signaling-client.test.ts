import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { handshakeErrorCode, unwrapAck } from './signaling-client.js';

describe('unwrapAck', () => {
  it('returns the data of a successful acknowledgement', () => {
    expect(unwrapAck({ ok: true, data: { locked: true } })).toEqual({ locked: true });
    expect(unwrapAck({ ok: true, data: null })).toBeNull();
  });

  it('throws the server’s code for a refused one', () => {
    try {
      unwrapAck({ ok: false, error: { code: 'ILLEGAL_MOVE', message: 'Not your turn.' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('ILLEGAL_MOVE');
      expect((error as ApiError).message).toBe('Not your turn.');
    }
  });

  it('refuses answers that are not acknowledgements', () => {
    for (const response of [undefined, null, 'ok', { data: 1 }, { ok: false }, { ok: 'yes' }]) {
      expect(() => unwrapAck(response)).toThrow(ApiError);
    }
  });
});

describe('handshakeErrorCode', () => {
  it('reads the code from the error data or a bare code message', () => {
    expect(handshakeErrorCode({ message: 'x', data: { code: 'UNAUTHORIZED' } })).toBe('UNAUTHORIZED');
    expect(handshakeErrorCode({ message: 'UNAUTHORIZED' })).toBe('UNAUTHORIZED');
    expect(handshakeErrorCode({ message: 'websocket error' })).toBeNull();
  });
});
