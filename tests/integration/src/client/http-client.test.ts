import { describe, expect, it } from 'vitest';
import { cookieFromResponse, errorCodeOfBody } from './http-client.js';

describe('cookieFromResponse', () => {
  it('finds a cookie among several Set-Cookie headers', () => {
    const headers = new Headers();
    headers.append('set-cookie', 'meshcall_signaling=abc; Path=/socket.io/; HttpOnly');
    headers.append('set-cookie', 'meshcall_refresh=tok_en-1; Max-Age=2592000; Path=/api/auth; HttpOnly; SameSite=Strict');
    expect(cookieFromResponse(headers, 'meshcall_refresh')).toBe('tok_en-1');
    expect(cookieFromResponse(headers, 'meshcall_signaling')).toBe('abc');
  });

  it('reads a cleared cookie as empty and a missing one as undefined', () => {
    const headers = new Headers({ 'set-cookie': 'meshcall_refresh=; Max-Age=0; Path=/api/auth' });
    expect(cookieFromResponse(headers, 'meshcall_refresh')).toBe('');
    expect(cookieFromResponse(new Headers(), 'meshcall_refresh')).toBeUndefined();
  });
});

describe('errorCodeOfBody', () => {
  it('reads the code of the API error shape and nothing else', () => {
    expect(errorCodeOfBody({ error: { code: 'UNAVAILABLE', message: 'x' } })).toBe('UNAVAILABLE');
    expect(errorCodeOfBody({ user: {} })).toBeUndefined();
    expect(errorCodeOfBody('<html>')).toBeUndefined();
    expect(errorCodeOfBody(null)).toBeUndefined();
  });
});
