import mongoose from 'mongoose';
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

  it("counts the driver's network errors under their own names, such as the pool cleared under a retried read", () => {
    // The driver's PoolClearedOnNetworkError (mongodb/lib/cmap/errors.js) has this shape: a
    // MongoNetworkError by class, named otherwise. A read retried while the server goes away can
    // end with it (execute_operation.js throws the last try's error), and it must be a 503.
    class PoolClearedOnNetworkError extends mongoose.mongo.MongoNetworkError {
      override get name(): string {
        return 'PoolClearedOnNetworkError';
      }
    }
    expect(isDependencyUnavailable(new PoolClearedOnNetworkError('Connection pool for 127.0.0.1:27017 was cleared'))).toBe(true);
  });

  it('does not count a script or programming error', () => {
    expect(isDependencyUnavailable(new Error('ERR Error running script: attempt to index a nil value'))).toBe(false);
    expect(isDependencyUnavailable(new TypeError('x is not a function'))).toBe(false);
    expect(isDependencyUnavailable('CLUSTERDOWN')).toBe(false);
    expect(isDependencyUnavailable(new mongoose.mongo.MongoServerError({ message: 'E11000 duplicate key error', code: 11000 }))).toBe(false);
  });
});
