import { describe, expect, it } from 'vitest';
import { redisKeys } from '@meshcall/shared';
import { LEASE_RENEW_INTERVAL_MS } from '../src/seats/lease-keeper.js';
import { closeAll, seatUser, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two seconds between the two joins: well above the keeper's tick and any scheduling jitter. */
const JOIN_GAP_MS = 2_000;

describe('seat leases of a replica (renewal schedule)', () => {
  const cluster = twoReplicasForSuite('lease');

  it('keeps renewing each room one interval after its last renewal, so rooms joined apart are renewed apart', async () => {
    const leaseOf = async (seat: Seated, roomId: string) => Number(await cluster.redis.client.zscore(redisKeys.roomSeats(roomId), seat.joined.peerId));
    const firstRoom = newRoomId();
    const secondRoom = newRoomId();
    const first = await seatUser(cluster.one.url, cluster.issuer, { roomId: firstRoom });
    const firstLeaseAtJoin = await leaseOf(first, firstRoom);
    await sleep(JOIN_GAP_MS);
    const second = await seatUser(cluster.one.url, cluster.issuer, { roomId: secondRoom });
    const secondLeaseAtJoin = await leaseOf(second, secondRoom);
    try {
      // Both renewed (a lease further out than the join's), within one interval of their joins.
      await expect.poll(() => leaseOf(second, secondRoom), { timeout: LEASE_RENEW_INTERVAL_MS + 3_000, interval: 100 }).toBeGreaterThan(secondLeaseAtJoin);
      const firstRenewed = await leaseOf(first, firstRoom);
      const secondRenewed = await leaseOf(second, secondRoom);
      expect(firstRenewed).toBeGreaterThan(firstLeaseAtJoin);
      expect(firstRenewed - firstLeaseAtJoin).toBeLessThan(LEASE_RENEW_INTERVAL_MS + 1_000);
      expect(secondRenewed - secondLeaseAtJoin).toBeLessThan(LEASE_RENEW_INTERVAL_MS + 1_000);
      // Not in one burst for every room of the replica: the two renewals are as far apart as the joins.
      expect(secondRenewed - firstRenewed).toBeGreaterThan(JOIN_GAP_MS / 2);
    } finally {
      closeAll(first, second);
    }
  }, 30_000);
});
