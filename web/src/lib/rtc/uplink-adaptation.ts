/**
 * Lowers what we send to one peer when their link shows trouble, and raises it again slowly once
 * it has been clean for a while: the congestion scale that video-send-policy.ts applies to the
 * peer's budget share. Fast down and slow up, with a dead band between, so a link does not swing
 * every few seconds. Pure: PeerLink feeds it one getStats reading per sample.
 */

export interface UplinkReading {
  /**
   * Share of our video packets the peer reports lost (remote-inbound-rtp `fractionLost`, 0..1),
   * or null when the report has none yet.
   */
  fractionLost: number | null;
  /** The browser's estimate of what the path takes (candidate pair `availableOutgoingBitrate`), kbit/s. */
  availableKbps: number | null;
  /** The video cap this link had when the reading was taken, kbit/s. */
  capKbps: number;
}

export interface UplinkState {
  /** (0, 1]: the share of the budget this link may use. */
  congestionScale: number;
  /** Clean readings in a row; the scale only rises after enough of them. */
  cleanReadings: number;
  /**
   * The highest bandwidth estimate since the last cut, kbit/s. An estimate below the cap alone
   * says nothing (a sender that has little to send is estimated low); one that falls well below
   * where it was does.
   */
  estimatePeakKbps: number | null;
}

export const UPLINK_START: UplinkState = { congestionScale: 1, cleanReadings: 0, estimatePeakKbps: null };

/** Losing this much of our video is congestion, not noise: cut at once. */
const LOSS_CUT = 0.08;
/** Below this a reading counts as clean; between the two the scale holds (the dead band). */
const LOSS_CLEAN = 0.02;
/** A cut keeps this share of what was allowed. */
const CUT_FACTOR = 0.7;
/** An estimate that falls under this share of its peak, and under the cap, is a falling estimate. */
const ESTIMATE_FALL = 0.7;
/** With a sample every 2 s, 5 clean readings are 10 s of calm before each step up. */
const CLEAN_READINGS_TO_RAISE = 5;
const RAISE_STEP = 0.1;
/**
 * The scale never goes below this; video-send-policy.ts also keeps every stream above its
 * floor bitrate, so a bad minute cannot starve a link it would take long to climb back from.
 */
export const MIN_CONGESTION_SCALE = 0.2;

export function adaptUplink(state: UplinkState, reading: UplinkReading): UplinkState {
  const loss = reading.fractionLost ?? 0;
  const estimate = reading.availableKbps;
  const peak = estimate === null ? state.estimatePeakKbps : Math.max(state.estimatePeakKbps ?? 0, estimate);
  const estimateFell = estimate !== null && peak !== null && estimate < peak * ESTIMATE_FALL && estimate < reading.capKbps;
  if (loss >= LOSS_CUT || estimateFell) {
    let next = state.congestionScale * CUT_FACTOR;
    // Straight to what the estimate says the path takes, when that is lower still.
    if (estimateFell && reading.capKbps > 0) next = Math.min(next, (state.congestionScale * estimate) / reading.capKbps);
    // The peak starts again from here, so only a further fall cuts again.
    return { congestionScale: round2(Math.max(MIN_CONGESTION_SCALE, next)), cleanReadings: 0, estimatePeakKbps: estimate };
  }
  const clean = loss < LOSS_CLEAN;
  if (!clean || state.congestionScale >= 1) return { congestionScale: state.congestionScale, cleanReadings: 0, estimatePeakKbps: peak };
  const cleanReadings = state.cleanReadings + 1;
  if (cleanReadings < CLEAN_READINGS_TO_RAISE) return { congestionScale: state.congestionScale, cleanReadings, estimatePeakKbps: peak };
  return { congestionScale: round2(Math.min(1, state.congestionScale + RAISE_STEP)), cleanReadings: 0, estimatePeakKbps: peak };
}

/**
 * Reads the loss on our outgoing video and the bandwidth estimate from a getStats report. Takes
 * the worst video loss, since the sender sends one stream per link.
 */
export function readUplink(report: Iterable<unknown>, capKbps: number): UplinkReading {
  let fractionLost: number | null = null;
  let availableKbps: number | null = null;
  const stats = [...report].filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  const byId = new Map(stats.map((s) => [s.id, s]));
  for (const stat of stats) {
    if (stat.type === 'remote-inbound-rtp' && stat.kind === 'video' && typeof stat.fractionLost === 'number') {
      fractionLost = Math.max(fractionLost ?? 0, stat.fractionLost);
    }
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') {
      const pair = byId.get(stat.selectedCandidatePairId);
      if (typeof pair?.availableOutgoingBitrate === 'number') availableKbps = Math.round(pair.availableOutgoingBitrate / 1000);
    }
  }
  return { fractionLost, availableKbps, capKbps };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
