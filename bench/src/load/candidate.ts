/**
 * The message every relay load sends: an ICE candidate shaped like the ones browsers trickle
 * (about 150 bytes of candidate line), the cheapest and most frequent signal of a call. The
 * message's bench id rides in `usernameFragment`, which every system relays untouched, so the
 * receiver can match it to its send time without parsing the candidate line.
 */
export interface BenchCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
  usernameFragment: string;
}

export function benchCandidate(id: number): BenchCandidate {
  const port = 40_000 + (id % 20_000);
  return {
    candidate: `candidate:${1_000_000_000 + (id % 1_000_000_000)} 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0 ufrag b3nch network-id 1 network-cost 10`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: String(id),
  };
}

/** The bench id of a received candidate, or undefined if it is not one of ours. */
export function idOfCandidate(candidate: unknown): number | undefined {
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const fragment = (candidate as { usernameFragment?: unknown }).usernameFragment;
  if (typeof fragment !== 'string' || !/^\d+$/.test(fragment)) return undefined;
  return Number(fragment);
}
