import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '@meshcall/stack';
import type { BenchUser, MeshcallApi } from '../clients/meshcall-api.js';
import { packageDir } from '../package-dir.js';
import { round, summarize, type LatencySummary } from '../stats.js';

/** The socket.io client bundle the page loads; answered by Playwright, not by the gateway. */
const CLIENT_PATH = '/__bench__/socket.io.min.js';

interface Marks {
  connectStart: number;
  join: number;
  joined: number;
  offer?: number;
  answer?: number;
  firstLocalCandidate?: number;
  firstRemoteCandidate?: number;
  iceConnected?: number;
  connected: number;
  track: number;
  firstFrame: number;
}

/** How a call is set up: ICE policy, and whether the peer connection gathers before the join. */
export const CALL_MODES = [
  { mode: 'direct', relayOnly: false, prewarmMs: 0 },
  { mode: 'relay-only', relayOnly: true, prewarmMs: 0 },
  // Not what web/ does today: what creating the connection on the pre-join page would give.
  { mode: 'relay-only, pre-gathered', relayOnly: true, prewarmMs: 300 },
] as const;

export interface CallMode {
  mode: (typeof CALL_MODES)[number]['mode'];
  trials: number;
  failures: string[];
  /** The joiner's room:join → its first decoded remote video frame. */
  firstFrameAtJoiner: LatencySummary;
  /** The joiner's room:join → the first decoded frame at the member already in the room. */
  firstFrameAtMember: LatencySummary;
  /** The joiner's room:join → its RTCPeerConnection "connected" (signaling, ICE, DTLS). */
  connect: LatencySummary;
  /** The joiner's offer → "connected": ICE checks (and TURN allocations) plus DTLS only. */
  iceAndDtls: LatencySummary;
  /** Selected candidate types seen (e.g. "host/host", "relay/relay") and how often. */
  paths: Record<string, number>;
  /** Connectivity checks on the joiner's selected pair by the end of the call set-up (medians). */
  selectedPairChecks?: { sent: number; answered: number };
  /** Where the joiner's connect time goes, medians in ms between its marks. */
  connectBreakdownP50Ms?: {
    /** room:join emitted → ack (seat taken, snapshot back). */
    join: number;
    /** ack → offer created and set (the offer goes out right after). */
    offer: number;
    /** offer set → first own ICE candidate (for relay-only: the TURN allocation). */
    firstLocalCandidate: number;
    /** offer set → the member's answer arrived (relayed both ways through signaling). */
    answer: number;
    /** answer → "connected": remaining ICE checks and the DTLS handshake. */
    checksAndDtls: number;
    /** offer set → the member's first candidate arrived. */
    firstRemoteCandidate: number;
    /** first remote candidate → ICE "connected" (a check succeeded both ways). */
    iceChecks: number;
    /** ICE "connected" → connection "connected": the DTLS handshake. */
    dtls: number;
  };
}

export interface FirstFrameResult {
  chromium: string;
  warmUpTrialsPerMode: number;
  modes: CallMode[];
  incomplete?: string;
}

/** A page on the gateway's origin running the bench's call page (also used by turn-allocations.ts). */
export async function openPage(browser: Browser, gatewayUrl: string): Promise<Page> {
  // The page lives in src/ (tsc does not copy HTML); the client bundle is socket.io-client's own.
  const callPage = readFileSync(fileURLToPath(new URL('../../src/browser/call-page.html', import.meta.url)), 'utf8');
  const socketIoClient = readFileSync(join(packageDir('socket.io-client'), 'dist', 'socket.io.min.js'), 'utf8');
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  await context.route(`${gatewayUrl}${CLIENT_PATH}`, (route) => route.fulfill({ contentType: 'text/javascript', body: socketIoClient }));
  const page = await context.newPage();
  // The page must be on the gateway's origin (an origin signaling allows) and really come from
  // loopback: Chromium's local-network-access check blocks a page Playwright made up itself from
  // opening a WebSocket to 127.0.0.1. So: load a small real response through the gateway, then
  // replace the document, which keeps its origin and address space.
  await page.goto(`${gatewayUrl}/api/signaling/healthz`);
  await page.setContent(callPage);
  await page.evaluate(() => (window as unknown as { benchPrepare(): Promise<number> }).benchPrepare());
  return page;
}

export interface BenchWindow {
  benchStart(options: unknown): Promise<number>;
  benchDone: Promise<Marks>;
  benchPath(): Promise<{ local: string; remote: string; requestsSent: number; responsesReceived: number }>;
  benchHangUp(): Promise<void>;
}

async function oneCall(
  api: MeshcallApi,
  member: { user: BenchUser; page: Page },
  joiner: { user: BenchUser; page: Page },
  setup: (typeof CALL_MODES)[number],
  timeoutMs: number,
): Promise<{ member: Marks; joiner: Marks; path: string; checksSent: number; checksAnswered: number }> {
  const roomId = await api.createRoom(member.user, { capacity: 2, name: `first frame ${setup.mode}` });
  const memberGrant = await api.joinGrant(member.user, roomId);
  const joinerGrant = await api.joinGrant(joiner.user, roomId);
  const start = (page: Page, user: BenchUser, grant: { ticket: string; iceServers: unknown }, role: string) =>
    page.evaluate((options) => (window as unknown as BenchWindow).benchStart(options), {
      token: user.accessToken,
      ticket: grant.ticket,
      iceServers: grant.iceServers,
      relayOnly: setup.relayOnly,
      prewarmMs: setup.prewarmMs,
      role,
      timeoutMs,
    });
  try {
    await start(member.page, member.user, memberGrant, 'member');
    await start(joiner.page, joiner.user, joinerGrant, 'caller');
    const done = (page: Page) => page.evaluate(() => (window as unknown as BenchWindow).benchDone);
    const [memberMarks, joinerMarks] = await Promise.all([done(member.page), done(joiner.page)]);
    const path = await joiner.page.evaluate(() => (window as unknown as BenchWindow).benchPath());
    return { member: memberMarks, joiner: joinerMarks, path: `${path.local}/${path.remote}`, checksSent: path.requestsSent, checksAnswered: path.responsesReceived };
  } finally {
    await Promise.all([member.page, joiner.page].map((page) => page.evaluate(() => (window as unknown as BenchWindow).benchHangUp()).catch(() => undefined)));
  }
}

/**
 * Two people in two browser contexts of headless Chromium (fake camera and microphone): one is in
 * the room, the other joins and calls. Per trial a new room; per mode a warm-up call first
 * (Chromium's first peer connection pays one-off set-up costs), then `trials` timed calls:
 * direct (host candidates), relay-only (iceTransportPolicy "relay" through our coturn), and
 * relay-only with the connection created before the join (iceCandidatePoolSize 1).
 */
export async function measureFirstFrame(
  api: MeshcallApi,
  gatewayUrl: string,
  options: { trialsPerMode: number; timeoutMs: number; deadline: number },
  progress: (line: string) => void,
): Promise<FirstFrameResult> {
  const browser = await chromium.launch(chromiumLaunchOptions());
  const result: FirstFrameResult = { chromium: browser.version(), warmUpTrialsPerMode: 1, modes: [] };
  try {
    const [memberUser, joinerUser] = await Promise.all([api.register('member'), api.register('joiner')]);
    const member = { user: memberUser, page: await openPage(browser, gatewayUrl) };
    const joiner = { user: joinerUser, page: await openPage(browser, gatewayUrl) };
    for (const setup of CALL_MODES) {
      const samples: Array<{ member: Marks; joiner: Marks; path: string; checksSent: number; checksAnswered: number }> = [];
      const failures: string[] = [];
      for (let trial = 0; trial < options.trialsPerMode + 1; trial++) {
        if (performance.now() > options.deadline) {
          result.incomplete = `out of time in ${setup.mode} mode after ${samples.length} calls`;
          break;
        }
        try {
          const call = await oneCall(api, member, joiner, setup, options.timeoutMs);
          if (trial > 0) samples.push(call);
        } catch (error) {
          failures.push((error as Error).message.slice(0, 300));
        }
      }
      const since = (pick: (s: { member: Marks; joiner: Marks }) => number) => summarize(samples.map(pick));
      const paths: Record<string, number> = {};
      for (const sample of samples) paths[sample.path] = (paths[sample.path] ?? 0) + 1;
      const mode: CallMode = {
        mode: setup.mode,
        trials: samples.length,
        failures,
        firstFrameAtJoiner: since((s) => s.joiner.firstFrame - s.joiner.join),
        firstFrameAtMember: since((s) => s.member.firstFrame - s.joiner.join),
        connect: since((s) => s.joiner.connected - s.joiner.join),
        iceAndDtls: since((s) => s.joiner.connected - (s.joiner.offer ?? Number.NaN)),
        paths,
        selectedPairChecks: { sent: summarize(samples.map((x) => x.checksSent)).p50Ms, answered: summarize(samples.map((x) => x.checksAnswered)).p50Ms },
        connectBreakdownP50Ms: {
          join: since((s) => s.joiner.joined - s.joiner.join).p50Ms,
          offer: since((s) => (s.joiner.offer ?? Number.NaN) - s.joiner.joined).p50Ms,
          firstLocalCandidate: since((s) => (s.joiner.firstLocalCandidate ?? Number.NaN) - (s.joiner.offer ?? Number.NaN)).p50Ms,
          answer: since((s) => (s.joiner.answer ?? Number.NaN) - (s.joiner.offer ?? Number.NaN)).p50Ms,
          checksAndDtls: since((s) => s.joiner.connected - (s.joiner.answer ?? Number.NaN)).p50Ms,
          firstRemoteCandidate: since((s) => (s.joiner.firstRemoteCandidate ?? Number.NaN) - (s.joiner.offer ?? Number.NaN)).p50Ms,
          iceChecks: since((s) => (s.joiner.iceConnected ?? Number.NaN) - (s.joiner.firstRemoteCandidate ?? Number.NaN)).p50Ms,
          dtls: since((s) => s.joiner.connected - (s.joiner.iceConnected ?? Number.NaN)).p50Ms,
        },
      };
      result.modes.push(mode);
      progress(
        `first frame, ${mode.mode}: ${mode.trials} calls, joiner p50 ${round(mode.firstFrameAtJoiner.p50Ms, 1)} ms p95 ${round(mode.firstFrameAtJoiner.p95Ms, 1)} ms; connect p95 ${round(mode.connect.p95Ms, 1)} ms; paths ${JSON.stringify(paths)}${failures.length ? `; ${failures.length} failed` : ''}`,
      );
    }
  } finally {
    await browser.close();
  }
  return result;
}
