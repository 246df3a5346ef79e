/**
 * Reduces an RTCStatsReport to what a participant can act on: is the path direct or relayed
 * through TURN, how long is the round trip, how many packets are lost, how much is flowing.
 * Pure, so it runs on recorded reports in tests; the browser's report is read defensively because
 * fields differ between browsers and versions.
 */

export type MediaPath = 'direct' | 'relay' | 'unknown';
/**
 * Why the call takes its path, as far as this side's getStats can tell.
 * - `direct`: no relay on either end of the selected pair.
 * - `tls`: our leg to the TURN server runs over TLS (what gets through a network that lets only
 *   HTTPS-like traffic out, typically on port 443).
 * - `udp-blocked`: our leg runs over TCP and no UDP candidate of ours got anywhere (no server
 *   reflexive address, no UDP relay): the network drops UDP.
 * - `no-direct-path`: host or server-reflexive pairs were tried and none answered (NATs or
 *   firewalls on the way, such as a symmetric NAT), so the relay carries the call.
 * - `ip-hidden`: we gathered no host or server-reflexive candidates at all: relay-only was chosen.
 * - `relayed`: relayed for a reason this side cannot see (yet).
 */
export type PathReason = 'direct' | 'tls' | 'udp-blocked' | 'no-direct-path' | 'ip-hidden' | 'relayed' | 'unknown';
export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';
/**
 * Whether one side's IP addresses reach the other: `hidden` when that side offered only relay
 * candidates (it chose relay only), `shared` when it offered a host or reflexive one, `unknown`
 * before any candidate is in the report. Each side decides for itself: one side's relay-only
 * choice hides nothing of the other's.
 */
export type AddressExposure = 'hidden' | 'shared' | 'unknown';

export interface ConnectionQuality {
  path: MediaPath;
  localCandidateType: string | null;
  remoteCandidateType: string | null;
  /** The TURN server our relay candidate came from, when we relay. */
  relayUrl: string | null;
  /** Transport protocol of the selected pair (udp/tcp), or of our leg to the TURN server when we relay (udp/tcp/tls). */
  protocol: string | null;
  /** The TURN server's port of our relay leg (443 when only HTTPS-like traffic gets out). */
  relayPort: number | null;
  reason: PathReason;
  /** Whether our addresses reach this participant. */
  ourAddress: AddressExposure;
  /** Whether their addresses reach us (`unknown` while we are relay only: our stats cannot tell). */
  theirAddress: AddressExposure;
  /** What the badge says: "Direct", "Relayed: UDP blocked", "Relayed over TLS :443", ... */
  label: string;
  rttMs: number | null;
  /** Share of incoming packets lost since the previous sample, in percent. */
  lossPercent: number | null;
  inboundKbps: number | null;
  outboundKbps: number | null;
  level: QualityLevel;
  /** One or two sentences for the participant. */
  explanation: string;
}

/** Counters carried from one sample to the next to turn totals into rates. */
export interface StatsSample {
  at: number;
  inboundBytes: number;
  outboundBytes: number;
  packetsReceived: number;
  packetsLost: number;
  /**
   * A pair without a relay on it sent a check at some point of this connection, and something of
   * ours got out over UDP (a reflexive address or a UDP relay). Sticky: Chromium drops failed
   * pairs and pruned candidates from later reports, and the badge must not forget why it relays.
   */
  directPairTried?: boolean;
  udpGotOut?: boolean;
}

type Stat = Record<string, unknown> & { id?: unknown; type?: unknown };

const POOR_RTT_MS = 400;
const FAIR_RTT_MS = 200;
const POOR_LOSS_PERCENT = 5;
const FAIR_LOSS_PERCENT = 2;

export function summarizeStats(report: Iterable<unknown>, previous: StatsSample | null): { quality: ConnectionQuality; sample: StatsSample } {
  const stats = [...report].filter(isStat);
  const byId = new Map<string, Stat>();
  for (const stat of stats) if (typeof stat.id === 'string') byId.set(stat.id, stat);

  const pair = selectedPair(stats, byId);
  const local = pair ? byId.get(str(pair.localCandidateId) ?? '') : undefined;
  const remote = pair ? byId.get(str(pair.remoteCandidateId) ?? '') : undefined;
  const localType = local ? str(local.candidateType) : null;
  const remoteType = remote ? str(remote.candidateType) : null;
  const path: MediaPath = !pair ? 'unknown' : localType === 'relay' || remoteType === 'relay' ? 'relay' : 'direct';

  let inboundBytes = 0;
  let outboundBytes = 0;
  let packetsReceived = 0;
  let packetsLost = 0;
  let at = 0;
  for (const stat of stats) {
    at = Math.max(at, num(stat.timestamp) ?? 0);
    if (stat.type === 'inbound-rtp') {
      inboundBytes += num(stat.bytesReceived) ?? 0;
      packetsReceived += num(stat.packetsReceived) ?? 0;
      packetsLost += Math.max(0, num(stat.packetsLost) ?? 0);
    } else if (stat.type === 'outbound-rtp') {
      outboundBytes += num(stat.bytesSent) ?? 0;
    }
  }
  const evidence = pathEvidence(stats, byId, previous);
  const sample: StatsSample = { at, inboundBytes, outboundBytes, packetsReceived, packetsLost, ...evidence };

  const rttSeconds = pair ? num(pair.currentRoundTripTime) : null;
  const rttMs = rttSeconds === null ? null : Math.round(rttSeconds * 1000);
  let lossPercent: number | null = null;
  let inboundKbps: number | null = null;
  let outboundKbps: number | null = null;
  if (previous && at > previous.at) {
    const seconds = (at - previous.at) / 1000;
    inboundKbps = Math.max(0, Math.round(((inboundBytes - previous.inboundBytes) * 8) / 1000 / seconds));
    outboundKbps = Math.max(0, Math.round(((outboundBytes - previous.outboundBytes) * 8) / 1000 / seconds));
    const received = packetsReceived - previous.packetsReceived;
    const lost = packetsLost - previous.packetsLost;
    if (received + lost > 0) lossPercent = round1((Math.max(0, lost) / (received + Math.max(0, lost))) * 100);
  }

  const level = qualityLevel(pair !== undefined, rttMs, lossPercent);
  const relayUrl = localType === 'relay' && local ? str(local.url) : null;
  const protocol = local ? (str(local.relayProtocol) ?? str(local.protocol)) : null;
  const relayPort = relayUrl ? portOf(relayUrl) : null;
  const reason = pathReason(path, localType, protocol, stats, evidence);
  const ourAddress = addressExposure(stats, 'local-candidate');
  // A relay-only connection pairs nothing with their host or reflexive candidates, and Chromium
  // then reports only their relay ones: from this side, theirs cannot be told.
  const theirAddress = ourAddress === 'hidden' ? 'unknown' : addressExposure(stats, 'remote-candidate');
  const quality: ConnectionQuality = {
    path,
    localCandidateType: localType,
    remoteCandidateType: remoteType,
    relayUrl,
    protocol,
    relayPort,
    reason,
    ourAddress,
    theirAddress,
    label: pathLabel(path, reason, relayPort),
    rttMs,
    lossPercent,
    inboundKbps,
    outboundKbps,
    level,
    explanation: explain({ path, localType, remoteType, rttMs, lossPercent, reason, relayPort, ourAddress, theirAddress }),
  };
  return { quality, sample };
}

export function qualityLevel(connected: boolean, rttMs: number | null, lossPercent: number | null): QualityLevel {
  if (!connected) return 'unknown';
  const rtt = rttMs ?? 0;
  const loss = lossPercent ?? 0;
  if (rtt >= POOR_RTT_MS || loss >= POOR_LOSS_PERCENT) return 'poor';
  if (rtt >= FAIR_RTT_MS || loss >= FAIR_LOSS_PERCENT) return 'fair';
  return 'good';
}

/** What this report (and the earlier ones) show about direct checks and UDP getting out. */
function pathEvidence(stats: Stat[], byId: Map<string, Stat>, previous: StatsSample | null): { directPairTried: boolean; udpGotOut: boolean } {
  const typeOf = (id: unknown) => str(byId.get(str(id) ?? '')?.candidateType);
  const directPairTried = stats.some(
    (s) =>
      s.type === 'candidate-pair' &&
      typeOf(s.localCandidateId) !== 'relay' &&
      typeOf(s.remoteCandidateId) !== 'relay' &&
      ((num(s.requestsSent) ?? 0) > 0 || s.state === 'failed' || s.state === 'in-progress'),
  );
  const udpGotOut = stats.some((c) => c.type === 'local-candidate' && (c.candidateType === 'srflx' || (c.candidateType === 'relay' && str(c.relayProtocol) === 'udp')));
  return { directPairTried: directPairTried || previous?.directPairTried === true, udpGotOut: udpGotOut || previous?.udpGotOut === true };
}

/**
 * Reads why the path is relayed from what ICE gathered and tried: the local candidates (types and
 * each relay's protocol) and whether any pair without a relay on it ever sent a check.
 */
function pathReason(path: MediaPath, localType: string | null, protocol: string | null, stats: Stat[], evidence: { directPairTried: boolean; udpGotOut: boolean }): PathReason {
  if (path === 'unknown') return 'unknown';
  if (path === 'direct') return 'direct';
  const locals = stats.filter((s) => s.type === 'local-candidate');
  if (localType === 'relay' && protocol === 'tls') return 'tls';
  if (localType === 'relay' && protocol === 'tcp' && !evidence.udpGotOut) return 'udp-blocked';
  if (locals.length > 0 && !locals.some((c) => c.candidateType === 'host' || c.candidateType === 'srflx' || c.candidateType === 'prflx')) return 'ip-hidden';
  return evidence.directPairTried ? 'no-direct-path' : 'relayed';
}

function pathLabel(path: MediaPath, reason: PathReason, relayPort: number | null): string {
  if (path === 'unknown') return 'Connecting';
  if (path === 'direct') return 'Direct';
  switch (reason) {
    case 'tls':
      return relayPort === null ? 'Relayed over TLS' : `Relayed over TLS :${relayPort}`;
    case 'udp-blocked':
      return 'Relayed: UDP blocked';
    case 'no-direct-path':
      return 'Relayed: no direct path';
    case 'ip-hidden':
      return 'Relayed: IP hidden';
    default:
      return 'Relayed';
  }
}

/** The port of a `turn:`/`turns:` URL (RFC 7065), or the scheme's default. */
function portOf(url: string): number | null {
  const match = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?/.exec(url);
  if (!match) return null;
  if (match[3]) return Number(match[3]);
  return match[1] === 'turns' ? 5349 : 3478;
}

const REASON_SENTENCES: Partial<Record<PathReason, string>> = {
  tls: 'Your network lets little more than secure web traffic out, so the call runs over TLS to our TURN server',
  'udp-blocked': 'Your network blocks UDP, so the call runs over TCP to our TURN server.',
  'no-direct-path': 'A direct connection was tried and did not get through (a strict NAT or firewall on the way).',
};

/** Whether the candidates one side offered (ours: `local-candidate`, theirs: `remote-candidate`) carry an address. */
function addressExposure(stats: Stat[], side: 'local-candidate' | 'remote-candidate'): AddressExposure {
  const candidates = stats.filter((s) => s.type === side);
  if (candidates.length === 0) return 'unknown';
  return candidates.every((c) => c.candidateType === 'relay') ? 'hidden' : 'shared';
}

/** What each side's relay-only choice means for the addresses, in the words of the person reading. */
function addressSentences(ourAddress: AddressExposure, theirAddress: AddressExposure): string[] {
  const sentences: string[] = [];
  if (ourAddress === 'hidden') sentences.push('You chose relay only: your IP address stays hidden from this participant.');
  if (ourAddress === 'shared') sentences.push('Your IP address is not hidden from this participant: without relay only, your browser offers them its addresses.');
  if (theirAddress === 'hidden') sentences.push('They chose relay only, so their IP address is hidden from you.');
  return sentences;
}

interface Explained {
  path: MediaPath;
  localType: string | null;
  remoteType: string | null;
  rttMs: number | null;
  lossPercent: number | null;
  reason: PathReason;
  relayPort: number | null;
  ourAddress: AddressExposure;
  theirAddress: AddressExposure;
}

function explain({ path, localType, remoteType, rttMs, lossPercent, reason, relayPort, ourAddress, theirAddress }: Explained): string {
  const parts: string[] = [];
  if (path === 'unknown') {
    parts.push('Still looking for a network path to this participant.');
  } else if (path === 'relay') {
    parts.push(
      localType === 'relay'
        ? 'Relayed through our TURN server. Media stays encrypted end to end.'
        : 'Relayed through our TURN server on their side. Media stays encrypted end to end.',
    );
    parts.push(...addressSentences(ourAddress, theirAddress));
    const why = REASON_SENTENCES[reason];
    if (why) parts.push(reason === 'tls' ? `${why}${relayPort === null ? '' : ` on port ${relayPort}`}.` : why);
  } else if (localType === 'host' && remoteType === 'host') {
    parts.push('Direct peer-to-peer connection on the local network: the shortest possible path.');
  } else {
    parts.push('Direct peer-to-peer connection through the internet: media flows straight between your browsers.');
  }
  if (rttMs !== null && rttMs >= FAIR_RTT_MS) parts.push(`Round trips take ${rttMs} ms, so replies may feel delayed.`);
  if (lossPercent !== null && lossPercent >= FAIR_LOSS_PERCENT) parts.push(`${lossPercent}% of packets are lost, so video may stutter.`);
  return parts.join(' ');
}

function selectedPair(stats: Stat[], byId: Map<string, Stat>): Stat | undefined {
  for (const stat of stats) {
    if (stat.type !== 'transport') continue;
    const id = str(stat.selectedCandidatePairId);
    const pair = id ? byId.get(id) : undefined;
    if (pair) return pair;
  }
  // Firefox has no transport stats: it flags the pair itself.
  return stats.find((s) => s.type === 'candidate-pair' && (s.selected === true || (s.nominated === true && s.state === 'succeeded')));
}

function isStat(value: unknown): value is Stat {
  return typeof value === 'object' && value !== null && typeof (value as Stat).type === 'string';
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
