import type { Page } from 'playwright-core';
// The web e2e suite's own steps (sign up, create a room, join): a call through a restrictive
// network is driven exactly like any other call through the UI.
import type { Participant } from '../../../web/e2e/support/browser.js';
import { createRoom, describeTile, inviteLink, joinFromPrejoin, remoteTile, signUp } from '../../../web/e2e/support/app.js';

/** How long each side may wait for the other's first video frame. */
const FIRST_FRAME_TIMEOUT_MS = 60_000;

/** Milliseconds from Bob's join to the first decoded frame of the other side's video, per side. */
export interface FirstRemoteFrameMs {
  alice: number;
  bob: number;
}

/**
 * A call through the UI, up to its first frames: both sign up, Alice creates a room and joins,
 * Bob opens her invite link and joins. Timed from Bob's click on join to the first decoded frame
 * of the other side's video on each page.
 */
export async function callUntilFirstFrames(alice: Participant, bob: Participant, roomName: string): Promise<FirstRemoteFrameMs> {
  await signUp(alice);
  await signUp(bob);
  await createRoom(alice.page, { name: roomName, kind: 'business' });
  await joinFromPrejoin(alice.page);
  const link = await inviteLink(alice.page);
  await bob.page.goto(link);
  const joinedAt = Date.now();
  await joinFromPrejoin(bob.page);
  const [aliceSeesBob, bobSeesAlice] = await Promise.all([firstRemoteFrame(alice.page, bob.name), firstRemoteFrame(bob.page, alice.name)]);
  return { alice: aliceSeesBob - joinedAt, bob: bobSeesAlice - joinedAt };
}

/** When the first frame of the other side's video was decoded here (bounded). */
async function firstRemoteFrame(page: Page, peerName: string): Promise<number> {
  const video = remoteTile(page, peerName).locator('video');
  try {
    await video.waitFor({ state: 'attached', timeout: FIRST_FRAME_TIMEOUT_MS });
    await page.waitForFunction((el) => el instanceof HTMLVideoElement && el.videoWidth > 0, await video.elementHandle(), { timeout: FIRST_FRAME_TIMEOUT_MS, polling: 50 });
  } catch (error) {
    throw new Error(`${peerName}'s video never arrived: ${await describeTile(page, peerName)}`, { cause: error });
  }
  return Date.now();
}
