import { createHash } from 'node:crypto';

/** How strongly `key` prefers `candidate`: the first 8 bytes of SHA-256 over both. */
function weight(candidate: string, key: string): bigint {
  return createHash('sha256').update(candidate).update('\0').update(key).digest().readBigUInt64BE(0);
}

/**
 * Rendezvous (highest random weight) hashing: every key goes to the candidate it weighs highest.
 * The choice depends only on the key and the candidates' ids, so every rooms replica picks the
 * same one without talking to the others; taking a candidate away moves only the keys it held,
 * and bringing it back moves exactly those back. A hash ring (the `hashring` package) would do
 * the same with virtual nodes and two more dependencies; for a handful of servers this is enough.
 */
export function pickByRendezvous<T extends { id: string }>(candidates: readonly T[], key: string): T | undefined {
  let best: T | undefined;
  let bestWeight = -1n;
  for (const candidate of candidates) {
    const candidateWeight = weight(candidate.id, key);
    // Ties (vanishingly rare) go to the smaller id, so the order of the list never matters.
    if (candidateWeight > bestWeight || (candidateWeight === bestWeight && best !== undefined && candidate.id < best.id)) {
      best = candidate;
      bestWeight = candidateWeight;
    }
  }
  return best;
}
