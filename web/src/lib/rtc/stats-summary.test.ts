import { describe, expect, it } from 'vitest';
import { qualityLevel, summarizeStats } from './stats-summary.js';

/** The shape Chromium reports, trimmed to the fields the summary reads plus some noise. */
function chromiumReport(options: {
  at: number;
  localType: string;
  remoteType: string;
  rtt?: number;
  inBytes: number;
  outBytes: number;
  received: number;
  lost: number;
  url?: string;
}) {
  return new Map<string, unknown>([
    ['T01', { id: 'T01', type: 'transport', timestamp: options.at, selectedCandidatePairId: 'CP1', dtlsState: 'connected' }],
    ['CP0', { id: 'CP0', type: 'candidate-pair', timestamp: options.at, localCandidateId: 'L0', remoteCandidateId: 'R0', state: 'failed' }],
    [
      'CP1',
      {
        id: 'CP1',
        type: 'candidate-pair',
        timestamp: options.at,
        localCandidateId: 'L1',
        remoteCandidateId: 'R1',
        state: 'succeeded',
        nominated: true,
        ...(options.rtt === undefined ? {} : { currentRoundTripTime: options.rtt }),
      },
    ],
    ['L0', { id: 'L0', type: 'local-candidate', candidateType: 'host', protocol: 'udp' }],
    ['R0', { id: 'R0', type: 'remote-candidate', candidateType: 'host' }],
    [
      'L1',
      {
        id: 'L1',
        type: 'local-candidate',
        candidateType: options.localType,
        protocol: 'udp',
        ...(options.url ? { url: options.url, relayProtocol: 'udp' } : {}),
      },
    ],
    ['R1', { id: 'R1', type: 'remote-candidate', candidateType: options.remoteType }],
    ['IA', { id: 'IA', type: 'inbound-rtp', kind: 'audio', timestamp: options.at, bytesReceived: options.inBytes / 4, packetsReceived: options.received / 2, packetsLost: options.lost }],
    ['IV', { id: 'IV', type: 'inbound-rtp', kind: 'video', timestamp: options.at, bytesReceived: (options.inBytes * 3) / 4, packetsReceived: options.received / 2, packetsLost: 0 }],
    ['OV', { id: 'OV', type: 'outbound-rtp', kind: 'video', timestamp: options.at, bytesSent: options.outBytes }],
    ['CO', { id: 'CO', type: 'codec', mimeType: 'video/VP8' }],
  ]);
}

describe('summarizeStats', () => {
  it('recognises a direct path from the selected pair, ignoring other pairs', () => {
    const { quality } = summarizeStats(chromiumReport({ at: 1000, localType: 'host', remoteType: 'host', rtt: 0.004, inBytes: 0, outBytes: 0, received: 0, lost: 0 }).values(), null);
    expect(quality.path).toBe('direct');
    expect(quality.rttMs).toBe(4);
    expect(quality.relayUrl).toBeNull();
    expect(quality.explanation).toMatch(/Direct/);
  });

  it('recognises a relayed path and names the TURN server it runs through', () => {
    const { quality } = summarizeStats(
      chromiumReport({ at: 1000, localType: 'relay', remoteType: 'relay', rtt: 0.01, inBytes: 0, outBytes: 0, received: 0, lost: 0, url: 'turn:127.0.0.1:3478?transport=udp' }).values(),
      null,
    );
    expect(quality.path).toBe('relay');
    expect(quality.relayUrl).toBe('turn:127.0.0.1:3478?transport=udp');
    expect(quality.protocol).toBe('udp');
    expect(quality.explanation).toMatch(/TURN/);
  });

  it('counts a pair as relayed when only the remote side relays', () => {
    const { quality } = summarizeStats(chromiumReport({ at: 1000, localType: 'srflx', remoteType: 'relay', inBytes: 0, outBytes: 0, received: 0, lost: 0 }).values(), null);
    expect(quality.path).toBe('relay');
    expect(quality.relayUrl).toBeNull();
  });

  it('turns byte and packet totals into rates between two samples', () => {
    const first = summarizeStats(chromiumReport({ at: 10_000, localType: 'host', remoteType: 'host', rtt: 0.02, inBytes: 100_000, outBytes: 50_000, received: 1000, lost: 0 }).values(), null);
    expect(first.quality.inboundKbps).toBeNull();
    const second = summarizeStats(
      chromiumReport({ at: 12_000, localType: 'host', remoteType: 'host', rtt: 0.02, inBytes: 350_000, outBytes: 150_000, received: 1180, lost: 20 }).values(),
      first.sample,
    );
    expect(second.quality.inboundKbps).toBe(1000); // 250 kB in 2 s
    expect(second.quality.outboundKbps).toBe(400);
    expect(second.quality.lossPercent).toBe(10); // 20 of 200 packets
    expect(second.quality.level).toBe('poor');
    expect(second.quality.explanation).toMatch(/10% of packets are lost/);
  });

  it('reports an unknown path while ICE is still checking', () => {
    const report = [{ id: 'T01', type: 'transport', timestamp: 5 }, { id: 'CP1', type: 'candidate-pair', state: 'in-progress' }];
    const { quality } = summarizeStats(report, null);
    expect(quality.path).toBe('unknown');
    expect(quality.level).toBe('unknown');
    expect(quality.rttMs).toBeNull();
  });

  it('finds the selected pair without transport stats, as Firefox reports it', () => {
    const report = [
      { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, selected: true, localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: 0.1 },
      { id: 'L', type: 'local-candidate', candidateType: 'relay', url: 'turns:turn.example:5349' },
      { id: 'R', type: 'remote-candidate', candidateType: 'srflx' },
    ];
    const { quality } = summarizeStats(report, null);
    expect(quality.path).toBe('relay');
    expect(quality.rttMs).toBe(100);
  });

  it('ignores entries that are not stats objects', () => {
    const { quality } = summarizeStats([null, 42, 'x', { id: 'a' }], null);
    expect(quality.path).toBe('unknown');
  });
});

/**
 * A report as Chromium gives it once connected: the selected pair, the other pairs ICE formed
 * (with their check counters), and every local candidate gathered.
 */
function pathReport(options: {
  selected: { local: string; remote: string; relayProtocol?: string; url?: string };
  locals: Array<{ type: string; relayProtocol?: string }>;
  directPairs?: Array<{ state: string; requestsSent: number }>;
}) {
  const stats: Array<Record<string, unknown>> = [
    { id: 'T', type: 'transport', timestamp: 1, selectedCandidatePairId: 'SEL' },
    { id: 'SEL', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'LS', remoteCandidateId: 'RS', requestsSent: 3 },
    {
      id: 'LS',
      type: 'local-candidate',
      candidateType: options.selected.local,
      ...(options.selected.relayProtocol ? { relayProtocol: options.selected.relayProtocol, protocol: 'udp' } : { protocol: 'udp' }),
      ...(options.selected.url ? { url: options.selected.url } : {}),
    },
    { id: 'RS', type: 'remote-candidate', candidateType: options.selected.remote },
    { id: 'RH', type: 'remote-candidate', candidateType: 'host' },
  ];
  options.locals.forEach((local, i) => stats.push({ id: `L${i}`, type: 'local-candidate', candidateType: local.type, ...(local.relayProtocol ? { relayProtocol: local.relayProtocol } : {}) }));
  (options.directPairs ?? []).forEach((pair, i) => {
    const local = options.locals.findIndex((l) => l.type !== 'relay');
    stats.push({ id: `D${i}`, type: 'candidate-pair', localCandidateId: `L${local}`, remoteCandidateId: 'RH', state: pair.state, requestsSent: pair.requestsSent });
  });
  return stats;
}

describe('why the path is what it is', () => {
  it('says "Direct" for a pair without a relay', () => {
    const { quality } = summarizeStats(pathReport({ selected: { local: 'host', remote: 'prflx' }, locals: [{ type: 'host' }, { type: 'srflx' }, { type: 'relay', relayProtocol: 'udp' }] }), null);
    expect(quality.reason).toBe('direct');
    expect(quality.label).toBe('Direct');
  });

  it('says UDP is blocked when our relay runs over TCP and nothing of ours got out over UDP', () => {
    const { quality } = summarizeStats(
      pathReport({
        selected: { local: 'relay', remote: 'srflx', relayProtocol: 'tcp', url: 'turn:203.0.113.10:3478?transport=tcp' },
        locals: [{ type: 'host' }, { type: 'relay', relayProtocol: 'tcp' }],
        directPairs: [{ state: 'failed', requestsSent: 5 }],
      }),
      null,
    );
    expect(quality.reason).toBe('udp-blocked');
    expect(quality.label).toBe('Relayed: UDP blocked');
    expect(quality.protocol).toBe('tcp');
    expect(quality.explanation).toMatch(/blocks UDP/);
  });

  it('does not blame UDP for a TCP relay when a UDP relay or reflexive address was gathered too', () => {
    const { quality } = summarizeStats(
      pathReport({
        selected: { local: 'relay', remote: 'relay', relayProtocol: 'tcp', url: 'turn:203.0.113.10:3478?transport=tcp' },
        locals: [{ type: 'host' }, { type: 'srflx' }, { type: 'relay', relayProtocol: 'tcp' }],
        directPairs: [{ state: 'failed', requestsSent: 5 }],
      }),
      null,
    );
    expect(quality.reason).toBe('no-direct-path');
  });

  it('names TLS and its port, 443 when only HTTPS-like traffic gets out', () => {
    const { quality } = summarizeStats(
      pathReport({
        selected: { local: 'relay', remote: 'relay', relayProtocol: 'tls', url: 'turns:203.0.113.10:443?transport=tcp' },
        locals: [{ type: 'host' }, { type: 'relay', relayProtocol: 'tls' }],
      }),
      null,
    );
    expect(quality.reason).toBe('tls');
    expect(quality.relayPort).toBe(443);
    expect(quality.label).toBe('Relayed over TLS :443');
    expect(quality.explanation).toMatch(/over TLS to our TURN server on port 443/);
  });

  it("takes the scheme's default port when a turns: URL has none", () => {
    const { quality } = summarizeStats(
      pathReport({ selected: { local: 'relay', remote: 'relay', relayProtocol: 'tls', url: 'turns:turn.example' }, locals: [{ type: 'relay', relayProtocol: 'tls' }] }),
      null,
    );
    expect(quality.label).toBe('Relayed over TLS :5349');
  });

  it('says no direct path when direct pairs were tried and none answered (symmetric NATs)', () => {
    const { quality } = summarizeStats(
      pathReport({
        selected: { local: 'srflx', remote: 'relay' },
        locals: [{ type: 'host' }, { type: 'srflx' }, { type: 'relay', relayProtocol: 'udp' }],
        directPairs: [
          { state: 'failed', requestsSent: 7 },
          { state: 'in-progress', requestsSent: 2 },
        ],
      }),
      null,
    );
    expect(quality.path).toBe('relay');
    expect(quality.reason).toBe('no-direct-path');
    expect(quality.label).toBe('Relayed: no direct path');
    expect(quality.explanation).toMatch(/direct connection was tried/);
  });

  it('says the IP is hidden when only relay candidates were gathered (relay only)', () => {
    const { quality } = summarizeStats(
      pathReport({ selected: { local: 'relay', remote: 'relay', relayProtocol: 'udp', url: 'turn:127.0.0.1:3478?transport=udp' }, locals: [{ type: 'relay', relayProtocol: 'udp' }] }),
      null,
    );
    expect(quality.reason).toBe('ip-hidden');
    expect(quality.label).toBe('Relayed: IP hidden');
  });

  it('tells the side that chose relay only that its address is hidden', () => {
    const { quality } = summarizeStats(
      pathReport({ selected: { local: 'relay', remote: 'relay', relayProtocol: 'udp', url: 'turn:127.0.0.1:3478?transport=udp' }, locals: [{ type: 'relay', relayProtocol: 'udp' }] }),
      null,
    );
    // Relay only pairs nothing with their other candidates, so this side cannot tell about theirs.
    expect([quality.ourAddress, quality.theirAddress]).toEqual(['hidden', 'unknown']);
    expect(quality.explanation).toMatch(/You chose relay only: your IP address stays hidden from this participant/);
    expect(quality.explanation).not.toMatch(/their IP address is hidden/);
  });

  it('does not tell the other side its address is hidden when only the peer chose relay only', () => {
    // Bob's view of Alice: Alice offered relay candidates only; Bob offered his host address too,
    // even though the pair ICE picked runs through a relay on both ends.
    const report = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'SEL' },
      { id: 'SEL', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'LR', remoteCandidateId: 'RR', requestsSent: 3 },
      { id: 'LR', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'udp', protocol: 'udp', url: 'turn:127.0.0.1:3478?transport=udp' },
      { id: 'LH', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
      { id: 'RR', type: 'remote-candidate', candidateType: 'relay', protocol: 'udp' },
    ];
    const { quality } = summarizeStats(report, null);
    expect([quality.ourAddress, quality.theirAddress]).toEqual(['shared', 'hidden']);
    expect(quality.explanation).not.toMatch(/your IP address stays hidden/i);
    expect(quality.explanation).toMatch(/Your IP address is not hidden from this participant/);
    expect(quality.explanation).toMatch(/They chose relay only, so their IP address is hidden from you/);
  });

  it('says only "Relayed" when no direct pair was ever checked', () => {
    const { quality } = summarizeStats(
      pathReport({ selected: { local: 'host', remote: 'relay' }, locals: [{ type: 'host' }], directPairs: [{ state: 'frozen', requestsSent: 0 }] }),
      null,
    );
    expect(quality.reason).toBe('relayed');
    expect(quality.label).toBe('Relayed');
  });

  it('remembers that direct pairs were tried after Chromium drops them from the report', () => {
    const first = summarizeStats(
      pathReport({ selected: { local: 'srflx', remote: 'relay' }, locals: [{ type: 'host' }, { type: 'srflx' }], directPairs: [{ state: 'failed', requestsSent: 7 }] }),
      null,
    );
    expect(first.quality.reason).toBe('no-direct-path');
    // A later report: the failed pairs are gone, only the selected one is left.
    const later = summarizeStats(pathReport({ selected: { local: 'srflx', remote: 'relay' }, locals: [{ type: 'host' }, { type: 'srflx' }] }), first.sample);
    expect(later.quality.reason).toBe('no-direct-path');
    expect(later.quality.label).toBe('Relayed: no direct path');
    // Without the earlier sample the same report cannot tell.
    expect(summarizeStats(pathReport({ selected: { local: 'srflx', remote: 'relay' }, locals: [{ type: 'host' }, { type: 'srflx' }] }), null).quality.reason).toBe('relayed');
  });

  it('remembers that UDP got out once, so a later switch to a TCP relay is not blamed on blocked UDP', () => {
    const first = summarizeStats(
      pathReport({ selected: { local: 'relay', remote: 'relay', relayProtocol: 'udp', url: 'turn:t:3478?transport=udp' }, locals: [{ type: 'host' }, { type: 'relay', relayProtocol: 'udp' }], directPairs: [{ state: 'failed', requestsSent: 2 }] }),
      null,
    );
    const later = summarizeStats(
      pathReport({ selected: { local: 'relay', remote: 'relay', relayProtocol: 'tcp', url: 'turn:t:3478?transport=tcp' }, locals: [{ type: 'host' }, { type: 'relay', relayProtocol: 'tcp' }] }),
      first.sample,
    );
    expect(later.quality.reason).toBe('no-direct-path');
  });

  it('says "Connecting" until a pair is selected', () => {
    const { quality } = summarizeStats([{ id: 'CP', type: 'candidate-pair', state: 'in-progress' }], null);
    expect(quality.label).toBe('Connecting');
    expect(quality.reason).toBe('unknown');
  });
});

describe('qualityLevel', () => {
  it('grades by round trip and loss', () => {
    expect(qualityLevel(true, 30, 0)).toBe('good');
    expect(qualityLevel(true, 250, 0)).toBe('fair');
    expect(qualityLevel(true, 30, 3)).toBe('fair');
    expect(qualityLevel(true, 500, 0)).toBe('poor');
    expect(qualityLevel(false, 30, 0)).toBe('unknown');
  });
});
