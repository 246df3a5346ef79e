import { describe, expect, it } from 'vitest';
import { AppError } from '@meshcall/shared';
import { ListCursorCodec, cursorKey } from './list-cursor.js';

const codec = new ListCursorCodec(cursorKey({ TURN_SECRET: 'test-turn-secret-0123456789' }));
const scope = JSON.stringify({ sort: 'newest', kind: null, words: [] });
const position = { score: '1733450000123', id: 'abcdef1234' };

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('list cursors', () => {
  it('round-trips a position for the same query', () => {
    expect(codec.decode(scope, codec.encode(scope, position))).toEqual(position);
  });

  it('refuses a cursor of another query', () => {
    const error = refusal(() => codec.decode(JSON.stringify({ sort: 'occupancy', kind: null, words: [] }), codec.encode(scope, position)));
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringMatching(/another search/) });
  });

  it('refuses forged, garbled and foreign-key cursors as INVALID_PAYLOAD on querystring.cursor', () => {
    const cursor = codec.encode(scope, position);
    const [payload, signature] = cursor.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ v: 1, f: 'x'.repeat(22), s: '1', i: 'zzzzzzzzzz' })).toString('base64url');
    const other = new ListCursorCodec(cursorKey({ TURN_SECRET: 'another-turn-secret-0123456789' }));
    for (const bad of [`${forgedPayload}.${signature}`, `${payload}.${signature.slice(1)}A`, 'garbage', `${payload}.${signature}.x`, other.encode(scope, position), '.']) {
      const error = refusal(() => codec.decode(scope, bad));
      expect(error.code).toBe('INVALID_PAYLOAD');
      expect(error.details).toEqual([{ path: 'querystring.cursor', message: error.message }]);
    }
  });

  it('uses LOBBY_CURSOR_SECRET when set', () => {
    const explicit = new ListCursorCodec(cursorKey({ TURN_SECRET: 'test-turn-secret-0123456789', LOBBY_CURSOR_SECRET: 's'.repeat(32) }));
    expect(() => explicit.decode(scope, codec.encode(scope, position))).toThrow(AppError);
  });
});
