import { describe, expect, it } from 'vitest';
import { RefreshCookieJar, cookieValue } from './refresh-cookie.js';

describe('RefreshCookieJar', () => {
  it('keeps the latest refresh cookie auth set and sends it back', () => {
    const jar = new RefreshCookieJar();
    expect(jar.requestHeaders()).toEqual({});
    const headers = new Headers();
    headers.append('set-cookie', 'other=1; Path=/');
    headers.append('set-cookie', 'meshcall_refresh=tok_en-1; Max-Age=2592000; Path=/api/auth; HttpOnly; SameSite=Strict');
    jar.remember(headers);
    expect(jar.requestHeaders()).toEqual({ cookie: 'meshcall_refresh=tok_en-1' });
    jar.remember(new Headers());
    expect(jar.current).toBe('tok_en-1');
  });

  it('forgets the token when auth clears the cookie (sign-out)', () => {
    const jar = new RefreshCookieJar('old');
    jar.remember(new Headers({ 'set-cookie': 'meshcall_refresh=; Max-Age=0; Path=/api/auth' }));
    expect(jar.current).toBeUndefined();
  });

  it('reads a cleared cookie as empty and a missing one as undefined', () => {
    expect(cookieValue(new Headers({ 'set-cookie': 'a=; Max-Age=0' }), 'a')).toBe('');
    expect(cookieValue(new Headers(), 'a')).toBeUndefined();
  });
});
