/**
 * How much video one sender may put on the wire to one peer of the mesh. In a mesh each person
 * sends one stream per peer, so a person's upload is the sum over their senders: the budget is
 * split evenly between the peers, then cut further when the link to one peer is congested.
 * Pure, so the whole policy is unit-tested; PeerLink applies the result with setParameters.
 */

/** What `RTCRtpSender.setParameters` gets for `encodings[0]`. */
export interface VideoSendLimits {
  /** Bits per second. */
  maxBitrate: number;
  /** The even share of the budget before any congestion cut, kbit/s (not a sender parameter). */
  shareKbps: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
  /** Screen shares go first when the network has to choose (sender and DSCP priority). */
  priority: RTCPriorityType;
}

/** What the quality panel shows about our upload to one peer. */
export interface VideoUploadUse {
  /** The cap on our video to this peer, kbit/s; null until one is set. */
  capKbps: number | null;
  /** This peer's even share of the budget, kbit/s: the cap unless the link is congested. */
  shareKbps: number | null;
  /** Our whole video upload budget, kbit/s. */
  budgetKbps: number;
  /** The caps to all our peers added up, kbit/s. */
  inUseKbps: number;
}

export interface VideoSendInput {
  /** What one person may send as video in total, in kbit/s (from the join admission). */
  budgetKbps: number;
  /** How many peers we send video to. */
  peerCount: number;
  screenSharing: boolean;
  /**
   * The share of this peer's budget the link currently carries, (0, 1]; below 1 when loss or a
   * falling bandwidth estimate says the path cannot take more (see uplink-adaptation.ts).
   */
  congestionScale?: number;
}

/**
 * Under congestion a stream is not cut below this: under ~150 kbit/s a camera picture turns to
 * mush and the encoder keeps dropping frames. It never lifts a stream above its budget share.
 */
export const CONGESTED_FLOOR_KBPS = 150;

/**
 * Camera quality steps by bitrate: the fake (and a typical) camera sends 960×540 at 30 fps. A
 * lower bitrate at full size makes blocky frames, so below each step the picture shrinks and
 * slows instead, which looks better for the same bits.
 */
const CAMERA_STEPS: readonly { fromKbps: number; scaleResolutionDownBy: number; maxFramerate: number }[] = [
  { fromKbps: 800, scaleResolutionDownBy: 1, maxFramerate: 30 },
  { fromKbps: 400, scaleResolutionDownBy: 1.5, maxFramerate: 30 },
  { fromKbps: 200, scaleResolutionDownBy: 2, maxFramerate: 20 },
  { fromKbps: 0, scaleResolutionDownBy: 4, maxFramerate: 15 },
];

/**
 * A shared screen keeps its full size whatever the bitrate, because text must stay readable; it
 * gives up frame rate instead (slides and code change rarely).
 */
const SCREEN_STEPS: readonly { fromKbps: number; maxFramerate: number }[] = [
  { fromKbps: 800, maxFramerate: 15 },
  { fromKbps: 400, maxFramerate: 8 },
  { fromKbps: 0, maxFramerate: 5 },
];

/** The limits for each of our video senders; null when there is no peer to send to. */
export function videoSendLimits(input: VideoSendInput): VideoSendLimits | null {
  if (input.peerCount < 1 || input.budgetKbps <= 0) return null;
  const shareKbps = Math.floor(input.budgetKbps / input.peerCount);
  const scale = Math.min(1, Math.max(0, input.congestionScale ?? 1));
  const kbps = Math.min(shareKbps, Math.max(Math.floor(shareKbps * scale), CONGESTED_FLOOR_KBPS));
  if (input.screenSharing) {
    const step = SCREEN_STEPS.find((s) => kbps >= s.fromKbps) ?? SCREEN_STEPS[SCREEN_STEPS.length - 1]!;
    return { maxBitrate: kbps * 1000, shareKbps, scaleResolutionDownBy: 1, maxFramerate: step.maxFramerate, priority: 'high' };
  }
  const step = CAMERA_STEPS.find((s) => kbps >= s.fromKbps) ?? CAMERA_STEPS[CAMERA_STEPS.length - 1]!;
  return { maxBitrate: kbps * 1000, shareKbps, scaleResolutionDownBy: step.scaleResolutionDownBy, maxFramerate: step.maxFramerate, priority: 'low' };
}
