import { describe, expect, it } from 'vitest';
import { MeshcallError } from '../errors.js';
import { unwrapAck } from './requests.js';

describe('unwrapAck', () => {
  it('returns the data of a successful acknowledgement', () => {
    expect(unwrapAck({ ok: true, data: { locked: true } })).toEqual({ locked: true });
    expect(unwrapAck({ ok: true, data: null })).toBeNull();
  });

  it('throws the server’s code for a refused one', () => {
    expect(() => unwrapAck({ ok: false, error: { code: 'ILLEGAL_MOVE', message: 'Not your turn.' } })).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_MOVE', message: 'Not your turn.' }),
    );
  });

  it('refuses answers that are not acknowledgements', () => {
    for (const response of [undefined, null, 'ok', { data: 1 }, { ok: false }, { ok: 'yes' }]) {
      expect(() => unwrapAck(response)).toThrow(MeshcallError);
    }
  });
});
