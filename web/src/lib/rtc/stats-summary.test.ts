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

describe('qualityLevel', () => {
  it('grades by round trip and loss', () => {
    expect(qualityLevel(true, 30, 0)).toBe('good');
    expect(qualityLevel(true, 250, 0)).toBe('fair');
    expect(qualityLevel(true, 30, 3)).toBe('fair');
    expect(qualityLevel(true, 500, 0)).toBe('poor');
    expect(qualityLevel(false, 30, 0)).toBe('unknown');
  });
});
