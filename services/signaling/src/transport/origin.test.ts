import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.js';

describe('isOriginAllowed', () => {
  const allowed = ['https://call.example.com', 'http://127.0.0.1:8080'];

  it('accepts listed origins only, exactly', () => {
    expect(isOriginAllowed('https://call.example.com', allowed)).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://call.example.com', allowed)).toBe(false);
    expect(isOriginAllowed('https://call.example.com.evil.test', allowed)).toBe(false);
    expect(isOriginAllowed('http://127.0.0.1:8081', allowed)).toBe(false);
    expect(isOriginAllowed('null', allowed)).toBe(false);
  });

  it('lets a handshake without Origin through (not a browser page; the token still decides)', () => {
    expect(isOriginAllowed(undefined, allowed)).toBe(true);
  });
});
