import { describe, expect, it } from 'vitest';
import { MIN_CONGESTION_SCALE, UPLINK_START, adaptUplink, readUplink, type UplinkState } from './uplink-adaptation.js';

const calm = { fractionLost: 0, availableKbps: 3_000, capKbps: 2_500 };

function feed(state: UplinkState, reading: typeof calm, times: number): UplinkState {
  let next = state;
  for (let i = 0; i < times; i += 1) next = adaptUplink(next, reading);
  return next;
}

describe('adaptUplink', () => {
  it('stays at the full share on a clean link', () => {
    expect(feed(UPLINK_START, calm, 20).congestionScale).toBe(1);
  });

  it('cuts at once on heavy loss, down to a floor', () => {
    const lossy = { ...calm, fractionLost: 0.15 };
    expect(adaptUplink(UPLINK_START, lossy).congestionScale).toBe(0.7);
    expect(feed(UPLINK_START, lossy, 20).congestionScale).toBe(MIN_CONGESTION_SCALE);
  });

  it('holds in the dead band between a little loss and congestion', () => {
    const cut = adaptUplink(UPLINK_START, { ...calm, fractionLost: 0.1 });
    expect(feed(cut, { ...calm, fractionLost: 0.04 }, 20).congestionScale).toBe(cut.congestionScale);
  });

  it('climbs back one step after 5 clean readings in a row, not before', () => {
    const cut = adaptUplink(UPLINK_START, { ...calm, fractionLost: 0.1 });
    expect(feed(cut, calm, 4).congestionScale).toBe(0.7);
    expect(feed(cut, calm, 5).congestionScale).toBe(0.8);
    // One lossy reading in between starts the count again.
    const interrupted = adaptUplink(feed(cut, calm, 4), { ...calm, fractionLost: 0.03 });
    expect(feed(interrupted, calm, 4).congestionScale).toBe(0.7);
    expect(feed(cut, calm, 15).congestionScale).toBe(1);
  });

  it('follows a falling bandwidth estimate down to what the path takes', () => {
    const settled = feed(UPLINK_START, { ...calm, availableKbps: 2_400 }, 3);
    // A low estimate that never was higher is a sender with little to send, not congestion.
    expect(settled.congestionScale).toBe(1);
    const fallen = adaptUplink(settled, { ...calm, availableKbps: 1_000 });
    expect(fallen.congestionScale).toBe(0.4);
    // The estimate staying there is no new fall.
    expect(adaptUplink(fallen, { ...calm, availableKbps: 1_000, capKbps: 1_000 }).congestionScale).toBe(0.4);
  });
});

describe('readUplink', () => {
  it('reads the worst video loss and the selected pair estimate', () => {
    const report = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', availableOutgoingBitrate: 1_234_000 },
      { id: 'Q', type: 'candidate-pair', availableOutgoingBitrate: 9_000_000 },
      { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.5 },
      { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.03 },
    ];
    expect(readUplink(report, 2_500)).toEqual({ fractionLost: 0.03, availableKbps: 1_234, capKbps: 2_500 });
  });

  it('reads nothing from a report without them', () => {
    expect(readUplink([{ id: 'X', type: 'codec' }], 800)).toEqual({ fractionLost: null, availableKbps: null, capKbps: 800 });
  });
});
