import { describe, expect, it } from 'vitest';
import { AccessTokens } from './access-tokens.js';
import { MeshcallError } from './errors.js';

/** A refresh endpoint stand-in that counts calls and hands out numbered tokens (auth's own rotation is tested against the real stack). */
function countingRefresh(expiresIn = 900) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    refresh: async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { accessToken: `token-${calls}`, expiresIn };
    },
  };
}

describe('AccessTokens', () => {
  it('hands out the token it holds while it has time left, and refreshes one about to expire', async () => {
    let now = 0;
    const endpoint = countingRefresh();
    const tokens = new AccessTokens(endpoint.refresh, () => now);
    tokens.set({ accessToken: 'signed-in', expiresIn: 60 });
    expect(await tokens.get()).toBe('signed-in');
    now = 55_000;
    expect(await tokens.get()).toBe('token-1');
    expect(endpoint.calls).toBe(1);
  });

  it('runs one refresh for callers asking at once, since a second would replay a rotated token', async () => {
    const endpoint = countingRefresh();
    const tokens = new AccessTokens(endpoint.refresh);
    const got = await Promise.all([tokens.get(), tokens.refreshNow(), tokens.get()]);
    expect(got).toEqual(['token-1', 'token-1', 'token-1']);
    expect(endpoint.calls).toBe(1);
  });

  it('retries an authorized call once with a new token when the server says UNAUTHORIZED', async () => {
    const endpoint = countingRefresh();
    const tokens = new AccessTokens(endpoint.refresh);
    tokens.set({ accessToken: 'revoked', expiresIn: 900 });
    const seen: string[] = [];
    const result = await tokens.authorized(async (token) => {
      seen.push(token);
      if (token === 'revoked') throw new MeshcallError('UNAUTHORIZED', 'Sign in to continue.', 401);
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['revoked', 'token-1']);
  });

  it('passes other failures through without refreshing', async () => {
    const endpoint = countingRefresh();
    const tokens = new AccessTokens(endpoint.refresh);
    tokens.set({ accessToken: 'good', expiresIn: 900 });
    await expect(tokens.authorized(async () => Promise.reject(new MeshcallError('ROOM_FULL', 'full')))).rejects.toMatchObject({ code: 'ROOM_FULL' });
    expect(endpoint.calls).toBe(0);
  });
});
