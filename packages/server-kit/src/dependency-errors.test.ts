import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from './dependency-errors.js';

describe('which failures mean a dependency is away (503) rather than a bug (500)', () => {
  it('counts a Redis Cluster in a failover as away', () => {
    for (const message of [
      'CLUSTERDOWN The cluster is down',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'Too many Cluster redirections. Last error: Error: Connection is closed.',
      'Failed to refresh slots cache.',
    ]) {
      expect(isDependencyUnavailable(new Error(message)), message).toBe(true);
    }
  });

  it('does not count a script or programming error', () => {
    expect(isDependencyUnavailable(new Error('ERR Error running script: attempt to index a nil value'))).toBe(false);
    expect(isDependencyUnavailable(new TypeError('x is not a function'))).toBe(false);
    expect(isDependencyUnavailable('CLUSTERDOWN')).toBe(false);
  });
});
