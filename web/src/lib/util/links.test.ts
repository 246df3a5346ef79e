import { describe, expect, it } from 'vitest';
import { parseRoomReference, roomPath, safeNextPath } from './links.js';

describe('parseRoomReference', () => {
  it('accepts a bare room id', () => {
    expect(parseRoomReference('  abc123XYZ ')).toEqual({ roomId: 'abc123XYZ' });
  });

  it('reads the id and invite from a pasted link', () => {
    expect(parseRoomReference('https://call.example/room/abc123XYZ?invite=SeCrEt_42')).toEqual({ roomId: 'abc123XYZ', invite: 'SeCrEt_42' });
    expect(parseRoomReference('/room/abc123XYZ')).toEqual({ roomId: 'abc123XYZ' });
  });

  it('prefers an invite typed separately', () => {
    expect(parseRoomReference('https://x/room/abc123XYZ?invite=fromlink1', 'typed123')).toEqual({ roomId: 'abc123XYZ', invite: 'typed123' });
  });

  it('refuses what cannot be a room id or invite code', () => {
    expect(parseRoomReference('')).toBeNull();
    expect(parseRoomReference('abc')).toBeNull();
    expect(parseRoomReference('../../etc/passwd')).toBeNull();
    expect(parseRoomReference('abc123XYZ', 'no spaces allowed')).toBeNull();
  });
});

describe('roomPath', () => {
  it('builds the join link', () => {
    expect(roomPath('abc123XYZ')).toBe('/room/abc123XYZ');
    expect(roomPath('abc123XYZ', 'code_123')).toBe('/room/abc123XYZ?invite=code_123');
  });
});

describe('safeNextPath', () => {
  it('keeps paths on this site', () => {
    expect(safeNextPath('/room/abc123XYZ?invite=x')).toBe('/room/abc123XYZ?invite=x');
  });

  it('refuses anything that could leave the site', () => {
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', '/ok\n//evil', null, undefined, '']) {
      expect(safeNextPath(next)).toBe('/');
    }
  });
});
