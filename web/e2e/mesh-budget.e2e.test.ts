import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS } from '@meshcall/shared';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { createRoom, expectVideoPlaying, inviteLink, joinFromPrejoin, problemsOf, remoteTile, signUp } from './support/app.js';
import { readVideoSenders, recordPeerConnections, type VideoSenderReading } from './support/video-senders.js';

/** The stack runs with the default budget (VIDEO_UPLOAD_BUDGET_KBPS unset). */
const BUDGET_BPS = DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS * 1000;
/** How long the sent bitrate is measured against the cap. */
const MEASURE_MS = 5_000;
/**
 * The encoder aims at maxBitrate but may overshoot it briefly (a key frame); over 5 s it stays
 * close. Padding and retransmissions are not counted: outbound-rtp bytesSent is payload only.
 */
const OVERSHOOT = 1.15;

describe('a mesh that fits the upload budget', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let people: Participant[] = [];
  /** The cap read back in the 2-person call, for the 4-person mesh to be compared with. */
  let twoPersonCapBps: number | null = null;

  beforeAll(async () => {
    browser = await launchBrowser();
    for (const label of ['Alice', 'Bob', 'Carol', 'Dave']) {
      const person = await newParticipant(browser, gatewayUrl, label);
      await recordPeerConnections(person.context);
      people.push(person);
    }
  });

  afterAll(async () => {
    await browser?.close();
    people = [];
  });

  /**
   * Waits until every person in `present` gives each other person the same share of the budget
   * (the quality badge's `data-video-share-kbps`) and has one capped video sender per other
   * person, each cap at most that share (lower while the link counts as congested: on a loaded
   * 2-core machine four browsers do cut each other's estimates).
   */
  async function expectShares(present: Participant[], shareKbps: number): Promise<void> {
    for (const person of present) {
      for (const other of present) {
        if (other === person) continue;
        const badge = remoteTile(person.page, other.name).getByTestId('quality-badge');
        await expect.poll(() => badge.getAttribute('data-video-share-kbps'), { timeout: 30_000, message: `${person.name}'s share for ${other.name}` }).toBe(String(shareKbps));
      }
      await expect
        .poll(async () => (await readVideoSenders(person.page, 0)).map((s) => s.maxBitrate !== null && s.maxBitrate <= shareKbps * 1000), {
          timeout: 30_000,
          message: `${person.name}'s video caps within ${shareKbps} kbit/s`,
        })
        .toEqual(Array.from({ length: present.length - 1 }, () => true));
    }
  }

  /** Sent over the window at most the cap (+ the overshoot allowed), for each sender. */
  function expectSentWithinCaps(who: string, readings: VideoSenderReading[]): void {
    for (const reading of readings) {
      expect(reading.highestCapInWindow, `${who}: ${describeReadings(readings)}`).not.toBeNull();
      expect(reading.sentBps, `${who}: ${describeReadings(readings)}`).toBeGreaterThan(0);
      expect(reading.sentBps, `${who}: ${describeReadings(readings)}`).toBeLessThanOrEqual((reading.highestCapInWindow ?? 0) * OVERSHOOT);
    }
  }

  function describeReadings(readings: VideoSenderReading[]): string {
    return JSON.stringify(readings.map((r) => ({ ...r, sentBps: Math.round(r.sentBps) })));
  }

  it('caps the one sender of a 2-person call at the whole budget, and the sender keeps to it', async () => {
    const [alice, bob] = people as [Participant, Participant];
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await signUp(alice);
    await createRoom(alice.page, { name: `Budget ${Date.now().toString(36)}`, kind: 'business', capacity: 4 });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    await signUp(bob);
    await bob.page.goto(link);
    await joinFromPrejoin(bob.page);
    await expectVideoPlaying(alice.page, bob.name);
    await expectVideoPlaying(bob.page, alice.name);

    await expectShares([alice, bob], DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS);
    for (const person of [alice, bob]) {
      // Two browsers on loopback do not congest: the one sender gets the whole budget.
      await expect.poll(async () => (await readVideoSenders(person.page, 0))[0]?.maxBitrate, { timeout: 30_000 }).toBe(BUDGET_BPS);
      const readings = await readVideoSenders(person.page, MEASURE_MS);
      expect(readings, describeReadings(readings)).toHaveLength(1);
      // The whole budget to one peer: the camera keeps its full size and frame rate.
      expect(readings[0]).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 30 });
      expectSentWithinCaps(person.name, readings);
      twoPersonCapBps = readings[0]?.maxBitrate ?? null;
    }

    // The quality panel shows the cap to this peer and the budget in use.
    await remoteTile(alice.page, bob.name).getByTestId('quality-badge').click();
    const budget = alice.page.getByTestId('quality-upload-budget');
    await expect.poll(() => budget.getAttribute('data-in-use-kbps')).toBe(String(DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS));
    expect(await alice.page.getByTestId('quality-video-cap').textContent()).toContain(`${DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS} kbit/s`);
    await remoteTile(alice.page, bob.name).getByTestId('quality-badge').click();
  });

  it('rebalances as people join: in a 4-person mesh each person’s caps add up to the budget or less, each below the 2-person cap', async () => {
    const [alice, , carol, dave] = people as [Participant, Participant, Participant, Participant];
    onTestFailed(() => console.log(problemsOf(...people)));
    const link = await inviteLink(alice.page);
    for (const newcomer of [carol, dave]) {
      await signUp(newcomer);
      await newcomer.page.goto(link);
      await joinFromPrejoin(newcomer.page);
    }
    for (const viewer of people) for (const other of people) if (other !== viewer) await expectVideoPlaying(viewer.page, other.name, 5);

    const shareKbps = Math.floor(DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS / 3);
    await expectShares(people, shareKbps);
    for (const person of people) {
      const readings = await readVideoSenders(person.page, MEASURE_MS);
      expect(readings, `${person.name}: ${describeReadings(readings)}`).toHaveLength(3);
      const caps = readings.map((r) => r.maxBitrate ?? Infinity);
      expect(caps.reduce((sum, cap) => sum + cap, 0), `${person.name}: ${describeReadings(readings)}`).toBeLessThanOrEqual(BUDGET_BPS);
      for (const cap of caps) {
        expect(cap).toBeLessThanOrEqual(shareKbps * 1000);
        // A 2-person call gets more per peer than a 4-person mesh.
        expect(cap).toBeLessThan(twoPersonCapBps ?? 0);
      }
      expectSentWithinCaps(person.name, readings);
    }
  });

  it('gives the remaining peers their share back when someone leaves', async () => {
    const [alice, bob, carol, dave] = people as [Participant, Participant, Participant, Participant];
    onTestFailed(() => console.log(problemsOf(...people)));
    await dave.page.getByTestId('leave-call').click();
    await expectShares([alice, bob, carol], Math.floor(DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS / 2));
  });

  it('puts a shared screen first, at full size, then the camera back at normal priority', async () => {
    const [alice] = people as [Participant];
    onTestFailed(() => console.log(problemsOf(...people)));
    const encodings = async () => (await readVideoSenders(alice.page, 0)).map(({ scaleResolutionDownBy, maxFramerate, priority }) => ({ scaleResolutionDownBy, maxFramerate, priority }));
    await alice.page.getByTestId('toggle-screen').click();
    await expect.poll(() => alice.page.getByTestId('toggle-screen').getAttribute('data-state')).toBe('on');
    // Full size whatever the cap; the frame rate (15 fps at most) is what gives way.
    await expect
      .poll(async () => (await encodings()).filter((e) => e.priority === 'high' && e.scaleResolutionDownBy === 1 && e.maxFramerate !== null && e.maxFramerate <= 15).length, { timeout: 15_000 })
      .toBe(2);
    await alice.page.getByTestId('toggle-screen').click();
    await expect.poll(() => alice.page.getByTestId('toggle-screen').getAttribute('data-state')).toBe('off');
    await expect.poll(async () => (await encodings()).map((e) => e.priority), { timeout: 15_000 }).toEqual(['low', 'low']);
  });
});
