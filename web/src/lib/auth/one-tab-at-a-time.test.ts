import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { oneTabAtATime, type TabLocks } from './one-tab-at-a-time.js';

/** Web Locks' exclusive mode as the tabs of one origin share it: one callback per name at a time, in request order. */
class ExclusiveLocks implements TabLocks {
  readonly #queues = new Map<string, Promise<unknown>>();

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(name) ?? Promise.resolve();
    const turn = previous.then(callback, callback);
    this.#queues.set(name, turn.catch(() => undefined));
    return turn;
  }
}

/**
 * The refresh cookie as the browser and auth see it: the browser sends whatever cookie it holds
 * when the request leaves; auth accepts each cookie once, rotates it, and treats a second use as
 * theft that revokes the session.
 */
class RotatingRefreshCookie {
  held = 'cookie-0';
  #spent = new Set<string>();
  #rotations = 0;
  revoked = false;

  async refresh(): Promise<string> {
    const presented = this.held;
    await sleep(5); // the round trip: another tab may send meanwhile
    if (this.revoked || this.#spent.has(presented)) {
      this.revoked = true;
      throw new Error('refresh token reused: session revoked');
    }
    this.#spent.add(presented);
    this.#rotations += 1;
    this.held = `cookie-${this.#rotations}`;
    return `access-${this.#rotations}`;
  }
}

describe('oneTabAtATime', () => {
  it('lets two tabs that refresh at the same moment both get a token, without revoking the session', async () => {
    const cookie = new RotatingRefreshCookie();
    const locks = new ExclusiveLocks();
    const tabs = await Promise.all([1, 2].map(() => oneTabAtATime('meshcall:refresh', () => cookie.refresh(), locks)));
    expect(tabs).toEqual(['access-1', 'access-2']);
    expect(cookie.revoked).toBe(false);
  });

  it('is what stands between two tabs and a revoked session: without a lock the second refresh is a reuse', async () => {
    const cookie = new RotatingRefreshCookie();
    // null, not undefined: undefined would take the default, and Node 24 has Web Locks of its own.
    const tabs = await Promise.allSettled([1, 2].map(() => oneTabAtATime('meshcall:refresh', () => cookie.refresh(), null)));
    expect(tabs.map((tab) => tab.status)).toEqual(['fulfilled', 'rejected']);
    expect(cookie.revoked).toBe(true);
  });
});
