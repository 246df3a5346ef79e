import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { IceRecovery } from './ice-recovery.js';

function setup(restart = vi.fn(async () => undefined)) {
  const clock = new ManualClock();
  const onGiveUp = vi.fn();
  const recovery = new IceRecovery({ restart, onGiveUp, clock, maxAttempts: 3, disconnectedGraceMs: 4_000, restartTimeoutMs: 15_000, connectTimeoutMs: 20_000 });
  return { clock, restart, onGiveUp, recovery };
}

/** A connection that got going once, the usual starting point for recovery. */
function connected(restart = vi.fn(async () => undefined)) {
  const started = setup(restart);
  started.recovery.onIceStateChange('checking');
  started.recovery.onIceStateChange('connected');
  return started;
}

describe('IceRecovery', () => {
  it('restarts at once when ICE fails', () => {
    const { restart, recovery } = setup();
    recovery.onIceStateChange('failed');
    expect(restart).toHaveBeenCalledTimes(1);
    expect(recovery.status).toBe('restarting');
  });

  it('gives a disconnected path time to heal by itself', async () => {
    const { clock, restart, recovery } = connected();
    recovery.onIceStateChange('disconnected');
    await clock.advance(3_000);
    recovery.onIceStateChange('connected');
    await clock.advance(10_000);
    expect(restart).not.toHaveBeenCalled();
    expect(recovery.status).toBe('healthy');
  });

  it('restarts a path that stays disconnected past the grace period', async () => {
    const { clock, restart, recovery } = connected();
    recovery.onIceStateChange('disconnected');
    await clock.advance(4_000);
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('tries again when a restart neither connects nor fails, then gives up after the last attempt', async () => {
    const { clock, restart, onGiveUp, recovery } = setup();
    recovery.onIceStateChange('failed');
    await clock.advance(15_000);
    await clock.advance(15_000);
    expect(restart).toHaveBeenCalledTimes(3);
    await clock.advance(15_000);
    expect(onGiveUp).toHaveBeenCalledTimes(1);
    expect(recovery.status).toBe('gave-up');
    await clock.advance(60_000);
    expect(restart).toHaveBeenCalledTimes(3);
  });

  it('keeps going when fetching fresh credentials fails', async () => {
    const restart = vi.fn(async () => {
      throw new Error('offline');
    });
    const { clock, recovery } = setup(restart);
    recovery.onIceStateChange('failed');
    await clock.advance(15_000);
    expect(restart).toHaveBeenCalledTimes(2);
  });

  it('grants fresh attempts once the path works again', async () => {
    const { restart, recovery } = setup();
    recovery.onIceStateChange('failed');
    recovery.onIceStateChange('failed');
    recovery.onIceStateChange('connected');
    expect(recovery.attempts).toBe(0);
    recovery.onIceStateChange('failed');
    expect(restart).toHaveBeenCalledTimes(3);
    expect(recovery.status).toBe('restarting');
  });

  it('restarts a new connection that never gets going', async () => {
    const { clock, restart, recovery } = setup();
    expect(recovery.status).toBe('connecting');
    recovery.onIceStateChange('checking');
    await clock.advance(19_000);
    expect(restart).not.toHaveBeenCalled();
    await clock.advance(1_000);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(recovery.status).toBe('restarting');
  });

  it('leaves a new connection alone once it connects in time', async () => {
    const { clock, restart, recovery } = setup();
    recovery.onIceStateChange('connected');
    await clock.advance(60_000);
    expect(restart).not.toHaveBeenCalled();
    expect(recovery.status).toBe('healthy');
  });

  it('does nothing after the connection closed', async () => {
    const { clock, restart, recovery } = connected();
    recovery.onIceStateChange('disconnected');
    recovery.onIceStateChange('closed');
    recovery.onIceStateChange('failed');
    await clock.advance(60_000);
    expect(restart).not.toHaveBeenCalled();
    expect(clock.pendingTimers).toBe(0);
  });
});
