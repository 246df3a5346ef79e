import { afterEach, describe, expect, it, vi } from 'vitest';
import { IceCredentials } from './ice-credentials.js';

const turn = (username: string): RTCIceServer => ({ urls: 'turn:127.0.0.1:3478', username, credential: 'secret' });

describe('IceCredentials', () => {
  afterEach(() => vi.useRealTimers());

  it('reuses a set younger than a minute, then fetches one set for every concurrent caller', async () => {
    let now = 0;
    const fetch = vi.fn(async () => [turn(`fresh-${fetch.mock.calls.length}`)]);
    const ice = new IceCredentials(fetch, () => now);
    ice.accept([turn('admission')]);
    now = 59_000;
    expect(await ice.fresh()).toEqual([turn('admission')]);
    expect(fetch).not.toHaveBeenCalled();
    now = 61_000;
    const [a, b] = await Promise.all([ice.fresh(), ice.fresh()]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(a).toEqual([turn('fresh-1')]);
    expect(b).toBe(a);
    expect(ice.servers).toEqual([turn('fresh-1')]);
    ice.stop();
  });

  it('reuses a young set for one round of restarts only, then asks for a new one (its TURN server may be dead)', async () => {
    let now = 0;
    const fetch = vi.fn(async () => [turn(`fresh-${fetch.mock.calls.length}`)]);
    const ice = new IceCredentials(fetch, () => now);
    ice.accept([turn('admission')]);
    now = 10_000;
    expect(await ice.fresh()).toEqual([turn('admission')]);
    now = 12_000;
    expect(await ice.fresh()).toEqual([turn('admission')]);
    expect(fetch).not.toHaveBeenCalled();
    // The same links restart again: the set did not help, so a new one, though it is 20 s old.
    now = 20_000;
    expect(await ice.fresh()).toEqual([turn('fresh-1')]);
    // ...which the next round reuses in turn.
    now = 25_000;
    expect(await ice.fresh()).toEqual([turn('fresh-1')]);
    expect(fetch).toHaveBeenCalledTimes(1);
    ice.stop();
  });

  it('keeps the last set when rooms refuses a new one', async () => {
    let now = 0;
    const ice = new IceCredentials(() => Promise.reject(new Error('429')), () => now);
    ice.accept([turn('admission')]);
    now = 120_000;
    expect(await ice.fresh()).toEqual([turn('admission')]);
    ice.stop();
  });

  it('refreshes every four minutes until stopped', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => [turn('periodic')]);
    const ice = new IceCredentials(fetch);
    ice.accept([turn('admission')]);
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(ice.servers).toEqual([turn('periodic')]);
    ice.stop();
    await vi.advanceTimersByTimeAsync(8 * 60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
