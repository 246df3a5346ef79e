import type { BrowserContext, Page } from 'playwright-core';

/** What one of a page's peer connections sends as video: the cap on its sender and the rate measured. */
export interface VideoSenderReading {
  maxBitrate: number | null;
  /** The higher of the caps at the start and the end of the window (it may move in between). */
  highestCapInWindow: number | null;
  scaleResolutionDownBy: number | null;
  maxFramerate: number | null;
  priority: RTCPriorityType | null;
  /** Video payload actually sent over the measuring window, bit/s. */
  sentBps: number;
}

declare global {
  interface Window {
    __meshcallPeerConnections?: RTCPeerConnection[];
  }
}

/**
 * Keeps every RTCPeerConnection the app creates in `window.__meshcallPeerConnections`, so a test
 * can read the senders' parameters and stats as the browser has them. Call before the first
 * navigation of the context.
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const all: RTCPeerConnection[] = [];
    window.__meshcallPeerConnections = all;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        all.push(this);
      }
    };
  });
}

/**
 * For each open peer connection of the page: `getParameters()` of its video sender, and the video
 * bytes it sent over `windowMs` from outbound-rtp stats.
 */
export function readVideoSenders(page: Page, windowMs: number): Promise<VideoSenderReading[]> {
  return page.evaluate(async (ms) => {
    const open = (window.__meshcallPeerConnections ?? []).filter((pc) => pc.connectionState !== 'closed');
    const videoBytesSent = async (pc: RTCPeerConnection) => {
      let bytes = 0;
      let at = 0;
      (await pc.getStats()).forEach((stat: { type: string; kind?: string; bytesSent?: number; timestamp: number }) => {
        if (stat.type === 'outbound-rtp' && stat.kind === 'video') {
          bytes += stat.bytesSent ?? 0;
          at = Math.max(at, stat.timestamp);
        }
      });
      return { bytes, at };
    };
    const videoEncoding = (pc: RTCPeerConnection) => pc.getSenders().find((s) => s.track?.kind === 'video')?.getParameters().encodings[0];
    const capsBefore = open.map((pc) => videoEncoding(pc)?.maxBitrate ?? null);
    const before = await Promise.all(open.map(videoBytesSent));
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = await Promise.all(open.map(videoBytesSent));
    return open.map((pc, i) => {
      const encoding = videoEncoding(pc);
      const capBefore = capsBefore[i] ?? null;
      const capAfter = encoding?.maxBitrate ?? null;
      const start = before[i]!;
      const end = after[i]!;
      const seconds = (end.at - start.at) / 1000;
      return {
        maxBitrate: capAfter,
        highestCapInWindow: capBefore === null || capAfter === null ? null : Math.max(capBefore, capAfter),
        scaleResolutionDownBy: encoding?.scaleResolutionDownBy ?? null,
        maxFramerate: encoding?.maxFramerate ?? null,
        priority: encoding?.priority ?? null,
        sentBps: seconds > 0 ? ((end.bytes - start.bytes) * 8) / seconds : 0,
      };
    });
  }, windowMs);
}
