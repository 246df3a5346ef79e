import { describe, expect, it } from 'vitest';
import { CONGESTED_FLOOR_KBPS, videoSendLimits } from './video-send-policy.js';

const budgetKbps = 2_500;

describe('videoSendLimits', () => {
  it('splits the budget evenly between the peers, so the caps add up to the budget or less', () => {
    for (let peerCount = 1; peerCount <= 12; peerCount += 1) {
      const limits = videoSendLimits({ budgetKbps, peerCount, screenSharing: false })!;
      expect(limits.maxBitrate * peerCount).toBeLessThanOrEqual(budgetKbps * 1000);
      expect(limits.maxBitrate).toBe(Math.floor(budgetKbps / peerCount) * 1000);
    }
  });

  it('gives each peer more in a 2-person call than in a 4-person mesh', () => {
    const two = videoSendLimits({ budgetKbps, peerCount: 1, screenSharing: false })!;
    const four = videoSendLimits({ budgetKbps, peerCount: 3, screenSharing: false })!;
    expect(two.maxBitrate).toBeGreaterThan(four.maxBitrate);
  });

  it('shrinks and slows the camera picture as the per-peer share falls', () => {
    expect(videoSendLimits({ budgetKbps, peerCount: 1, screenSharing: false })).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 30 });
    expect(videoSendLimits({ budgetKbps, peerCount: 5, screenSharing: false })).toMatchObject({ maxBitrate: 500_000, scaleResolutionDownBy: 1.5, maxFramerate: 30 });
    expect(videoSendLimits({ budgetKbps: 1_000, peerCount: 4, screenSharing: false })).toMatchObject({ maxBitrate: 250_000, scaleResolutionDownBy: 2, maxFramerate: 20 });
    expect(videoSendLimits({ budgetKbps: 600, peerCount: 7, screenSharing: false })).toMatchObject({ maxBitrate: 85_000, scaleResolutionDownBy: 4, maxFramerate: 15 });
  });

  it('keeps a shared screen at full size and first in line, trading frame rate instead', () => {
    const wide = videoSendLimits({ budgetKbps, peerCount: 1, screenSharing: true })!;
    const thin = videoSendLimits({ budgetKbps: 600, peerCount: 7, screenSharing: true })!;
    expect(wide).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 15, priority: 'high' });
    expect(thin).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 5, priority: 'high' });
    expect(videoSendLimits({ budgetKbps, peerCount: 1, screenSharing: false })!.priority).toBe('low');
  });

  it('cuts a congested link down to its floor, never below it, and never above its share', () => {
    expect(videoSendLimits({ budgetKbps, peerCount: 1, screenSharing: false, congestionScale: 0.5 })).toMatchObject({ maxBitrate: 1_250_000, shareKbps: 2_500 });
    expect(videoSendLimits({ budgetKbps, peerCount: 1, screenSharing: false, congestionScale: 0.01 })!.maxBitrate).toBe(CONGESTED_FLOOR_KBPS * 1000);
    // A share already under the floor stays at the share: the budget holds.
    expect(videoSendLimits({ budgetKbps: 600, peerCount: 7, screenSharing: false, congestionScale: 0.2 })!.maxBitrate).toBe(85_000);
  });

  it('has nothing to cap without a peer', () => {
    expect(videoSendLimits({ budgetKbps, peerCount: 0, screenSharing: false })).toBeNull();
  });
});
