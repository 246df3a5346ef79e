import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { ManualClock } from '../testing/manual-clock.js';
import { TokenKeeper, refreshDelayMs, retryDelayMs, withAuthRetry, type TokenGrant } from './token-keeper.js';

function grant(name: string, expiresIn = 900): TokenGrant {
  return { accessToken: name, expiresIn };
}

describe('refreshDelayMs', () => {
  it('refreshes a quarter-hour token one minute before it expires', () => {
    expect(refreshDelayMs(900)).toBe(840_000);
  });

  it('keeps a proportional margin for short tokens', () => {
    expect(refreshDelayMs(30)).toBe(24_000);
  });

  it('never schedules faster than once a second', () => {
    expect(refreshDelayMs(1)).toBe(1_000);
  });
});

describe('retryDelayMs', () => {
  it('backs off exponentially up to half a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('TokenKeeper', () => {
  it('refreshes silently before the token expires and announces the new token', async () => {
    const clock = new ManualClock();
    const refresh = vi.fn(async () => grant('second'));
    const seen: string[] = [];
    const keeper = new TokenKeeper({ refresh, clock, onToken: (t) => seen.push(t) });

    keeper.accept(grant('first'));
    await clock.advance(839_000);
    expect(refresh).not.toHaveBeenCalled();
    expect(keeper.token).toBe('first');

    await clock.advance(1_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(keeper.token).toBe('second');
    expect(seen).toEqual(['first', 'second']);
  });

  it('shares one refresh between concurrent callers, because refresh tokens rotate', async () => {
    const clock = new ManualClock();
    let release!: (g: TokenGrant) => void;
    const refresh = vi.fn(() => new Promise<TokenGrant>((resolve) => (release = resolve)));
    const keeper = new TokenKeeper({ refresh, clock });

    const a = keeper.fresh();
    const b = keeper.fresh();
    const c = keeper.refreshNow();
    release(grant('shared'));
    expect(await Promise.all([a, b, c])).toEqual(['shared', 'shared', 'shared']);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('does not hand out a token that is about to expire', async () => {
    const clock = new ManualClock();
    const refresh = vi.fn(async () => grant('renewed'));
    const keeper = new TokenKeeper({ refresh, clock });
    keeper.accept(grant('old', 10));
    clock.current += 6_000; // 4 s left: too little to start a request with
    expect(await keeper.fresh()).toBe('renewed');
  });

  it('ends the session when the cookie is refused, and stops scheduling', async () => {
    const clock = new ManualClock();
    const ended = vi.fn();
    const keeper = new TokenKeeper({
      refresh: async () => {
        throw new ApiError('UNAUTHORIZED', 'no cookie', 401);
      },
      clock,
      onSessionEnded: ended,
    });
    keeper.accept(grant('first', 60));
    await clock.advance(60_000);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(keeper.token).toBeNull();
    expect(clock.pendingTimers).toBe(0);
  });

  it('retries a refresh that failed for a passing reason, but not past expiry', async () => {
    const clock = new ManualClock();
    const refresh = vi
      .fn<() => Promise<TokenGrant>>()
      .mockRejectedValueOnce(new ApiError('NETWORK', 'offline'))
      .mockRejectedValueOnce(new ApiError('BAD_GATEWAY', 'restarting', 502))
      .mockResolvedValue(grant('back'));
    const ended = vi.fn();
    const keeper = new TokenKeeper({ refresh, clock, onSessionEnded: ended });

    keeper.accept(grant('first', 900));
    await clock.advance(840_000); // scheduled refresh fails (network)
    expect(keeper.token).toBe('first');
    await clock.advance(1_000); // first retry fails (502)
    await clock.advance(2_000); // second retry succeeds
    expect(refresh).toHaveBeenCalledTimes(3);
    expect(keeper.token).toBe('back');
    expect(ended).not.toHaveBeenCalled();
  });

  it('gives up retrying once the token would have expired anyway', async () => {
    const clock = new ManualClock();
    const refresh = vi.fn(async (): Promise<TokenGrant> => {
      throw new ApiError('NETWORK', 'offline');
    });
    const keeper = new TokenKeeper({ refresh, clock });
    keeper.accept(grant('first', 10));
    await clock.advance(60_000);
    expect(clock.pendingTimers).toBe(0);
    // 8 s scheduled + retries at +1 s (9 s) only: +2 s would land after the 10 s expiry.
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(keeper.token).toBeNull();
  });

  it('forgets the token on clear', () => {
    const clock = new ManualClock();
    const keeper = new TokenKeeper({ refresh: async () => grant('x'), clock });
    keeper.accept(grant('first'));
    keeper.clear();
    expect(keeper.token).toBeNull();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('withAuthRetry', () => {
  it('refreshes once and retries once after a 401', async () => {
    const clock = new ManualClock();
    const keeper = new TokenKeeper({ refresh: async () => grant('renewed'), clock });
    keeper.accept(grant('revoked'));
    const used: string[] = [];
    const result = await withAuthRetry(keeper, async (token) => {
      used.push(token);
      if (token === 'revoked') throw new ApiError('UNAUTHORIZED', 'revoked', 401);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(used).toEqual(['revoked', 'renewed']);
  });

  it('gives up after the second 401 instead of looping', async () => {
    const clock = new ManualClock();
    const refresh = vi.fn(async () => grant('also-refused'));
    const keeper = new TokenKeeper({ refresh, clock });
    keeper.accept(grant('refused'));
    const call = vi.fn(async (): Promise<string> => {
      throw new ApiError('UNAUTHORIZED', 'no', 401);
    });
    await expect(withAuthRetry(keeper, call)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(call).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('reuses a token another request already refreshed instead of rotating again', async () => {
    const clock = new ManualClock();
    const refresh = vi.fn(async () => grant('unexpected'));
    const keeper = new TokenKeeper({ refresh, clock });
    keeper.accept(grant('old'));
    const result = await withAuthRetry(keeper, async (token) => {
      if (token === 'old') {
        keeper.accept(grant('refreshed-elsewhere'));
        throw new ApiError('UNAUTHORIZED', 'expired', 401);
      }
      return token;
    });
    expect(result).toBe('refreshed-elsewhere');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('passes other errors through untouched', async () => {
    const clock = new ManualClock();
    const keeper = new TokenKeeper({ refresh: async () => grant('x'), clock });
    keeper.accept(grant('t'));
    await expect(
      withAuthRetry(keeper, async () => {
        throw new ApiError('ROOM_FULL', 'full', 409);
      }),
    ).rejects.toMatchObject({ code: 'ROOM_FULL' });
  });
});
