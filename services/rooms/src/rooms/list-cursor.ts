import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError, ErrorCode, roomIdSchema } from '@meshcall/shared';

/** Where a page of the lobby ends: the sort score and id of its last room (exclusive). */
export interface ListPosition {
  /** The room's score in the sorted set, an integer in decimal. */
  score: string;
  id: string;
}

const payloadSchema = z.strictObject({
  v: z.literal(1),
  /** Digest of the query the cursor belongs to (sort, kind, search words). */
  f: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  s: z.string().regex(/^\d{1,16}$/),
  i: roomIdSchema,
});

const CURSOR_KEY_INFO = 'meshcall rooms: lobby list cursor';

/**
 * The key cursors are signed with: LOBBY_CURSOR_SECRET when set, otherwise one derived (HKDF) from
 * TURN_SECRET, which every rooms replica already shares; the derivation is one-way and bound to
 * this purpose, so neither key tells anything about the other.
 */
export function cursorKey(config: { LOBBY_CURSOR_SECRET?: string | undefined; TURN_SECRET: string }): Buffer {
  if (config.LOBBY_CURSOR_SECRET) return Buffer.from(config.LOBBY_CURSOR_SECRET, 'utf8');
  return Buffer.from(hkdfSync('sha256', config.TURN_SECRET, 'meshcall-rooms', CURSOR_KEY_INFO, 32));
}

function invalidCursor(message: string): AppError {
  return new AppError(ErrorCode.INVALID_PAYLOAD, message, [{ path: 'querystring.cursor', message }]);
}

/**
 * Opaque, signed positions in the lobby list. A cursor says where the previous page ended and
 * which query it belongs to; it grants nothing: the list only ever walks public rooms, so even a
 * forged position could not reveal a private one. Tampered, garbled or foreign cursors are a
 * 400 with a message that says what to do, never a 500.
 */
export class ListCursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(scope: string, position: ListPosition): string {
    const payload = Buffer.from(JSON.stringify({ v: 1, f: scopeDigest(scope), s: position.score, i: position.id })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The position a cursor names; throws INVALID_PAYLOAD (400) for anything but a cursor this service issued for `scope`. */
  decode(scope: string, cursor: string): ListPosition {
    const [payload, signature, ...rest] = cursor.split('.');
    if (payload === undefined || signature === undefined || rest.length > 0) throw invalidCursor('The cursor is not valid; start again from the first page.');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw invalidCursor('The cursor is not valid; start again from the first page.');
    }
    const parsed = payloadSchema.safeParse(parseJson(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) throw invalidCursor('The cursor is not valid; start again from the first page.');
    if (parsed.data.f !== scopeDigest(scope)) {
      throw invalidCursor('The cursor belongs to another search, kind or sort; start again from the first page.');
    }
    return { score: parsed.data.s, id: parsed.data.i };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

function scopeDigest(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 22);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
