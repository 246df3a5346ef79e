import type { Locator, Page } from 'playwright-core';
import type { Participant } from './browser.js';

/** Bounded waits: long enough for ICE through a loaded 2-core CI box, never unbounded. */
const MEDIA_TIMEOUT_MS = 45_000;

export async function signUp(user: Participant): Promise<void> {
  const { page } = user;
  await page.goto('/signup');
  await page.getByTestId('signup-name').fill(user.name);
  await page.getByTestId('signup-email').fill(user.email);
  await page.getByTestId('signup-password').fill(user.password);
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('lobby').waitFor();
}

export interface RoomOptions {
  name: string;
  kind?: 'game' | 'business' | 'coding' | 'learning' | 'language';
  visibility?: 'public' | 'private';
  capacity?: number;
  /** Private rooms: let people without an account join as guests. */
  guestAccess?: boolean;
}

/** Creates a room from the lobby dialog; the app then opens its pre-join page. Returns the room id. */
export async function createRoom(page: Page, options: RoomOptions): Promise<string> {
  await page.getByTestId('open-create-room').click();
  const dialog = page.getByTestId('create-room-dialog');
  await dialog.getByTestId('room-name').fill(options.name);
  await dialog.getByTestId('room-kind').selectOption(options.kind ?? 'business');
  await dialog.getByTestId(`visibility-${options.visibility ?? 'public'}`).check();
  if (options.guestAccess !== undefined) await dialog.getByTestId('guest-access').setChecked(options.guestAccess);
  if (options.capacity !== undefined && options.kind !== 'game') await dialog.getByTestId('room-capacity').fill(String(options.capacity));
  await dialog.getByTestId('create-room-submit').click();
  await page.waitForURL(/\/room\/[A-Za-z0-9_-]+/);
  await page.getByTestId('prejoin').waitFor();
  const match = /\/room\/([A-Za-z0-9_-]+)/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`no room id in ${page.url()}`);
  return match[1];
}

/** From the pre-join page into the call; optionally with "relay only" switched on, or under a name for this call. */
export async function joinFromPrejoin(page: Page, options: { relayOnly?: boolean; callName?: string } = {}): Promise<void> {
  await page.getByTestId('prejoin').waitFor();
  if (options.callName !== undefined) await page.getByTestId('call-name').fill(options.callName);
  const relay = page.getByTestId('relay-only');
  if ((await relay.isChecked()) !== (options.relayOnly ?? false)) await relay.setChecked(options.relayOnly ?? false);
  const join = page.getByTestId('join-call');
  await waitUntilEnabled(join);
  await join.click();
  await page.getByTestId('call').waitFor();
}

/**
 * The common start: both sign up, the host creates a room and joins, the guest joins by the
 * invite link the call page offers. Returns the room id and that link.
 */
export async function twoInACall(host: Participant, guest: Participant, room: RoomOptions): Promise<{ roomId: string; link: string }> {
  await signUp(host);
  await signUp(guest);
  const roomId = await createRoom(host.page, room);
  await joinFromPrejoin(host.page);
  const link = await inviteLink(host.page);
  await guest.page.goto(link);
  await joinFromPrejoin(guest.page);
  return { roomId, link };
}

/** The invite link the call page offers (what a user would copy and send). */
export async function inviteLink(page: Page): Promise<string> {
  await page.getByTestId('invite-toggle').click();
  const link = await page.getByTestId('invite-link').inputValue();
  await page.getByTestId('invite-toggle').click();
  return link;
}

export function remoteTile(page: Page, peerName: string): Locator {
  return page.locator(`[data-testid="video-tile"][data-peer-name="${peerName}"]`);
}

/**
 * Waits until the remote video of `peerName` is really playing: it has dimensions, is not paused,
 * and decodes at least `moreFrames` further frames after the first look.
 */
export async function expectVideoPlaying(page: Page, peerName: string, moreFrames = 15): Promise<void> {
  const video = remoteTile(page, peerName).locator('video');
  try {
    await video.waitFor({ state: 'attached', timeout: MEDIA_TIMEOUT_MS });
    const handle = await video.elementHandle();
    await page.waitForFunction((el) => el instanceof HTMLVideoElement && el.videoWidth > 0 && !el.paused, handle, { timeout: MEDIA_TIMEOUT_MS });
    const first = await video.evaluate((el: HTMLVideoElement) => el.getVideoPlaybackQuality().totalVideoFrames);
    await page.waitForFunction(
      ([el, start, more]) => el instanceof HTMLVideoElement && el.getVideoPlaybackQuality().totalVideoFrames >= (start as number) + (more as number),
      [handle, first, moreFrames] as const,
      { timeout: MEDIA_TIMEOUT_MS },
    );
  } catch (error) {
    throw new Error(`${peerName}'s video is not playing: ${await describeTile(page, peerName)}`, { cause: error });
  }
}

/** What the page shows about one remote participant, for failure messages. */
export async function describeTile(page: Page, peerName: string): Promise<string> {
  const tile = remoteTile(page, peerName);
  if ((await tile.count()) === 0) {
    const names = await page.getByTestId('video-tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-peer-name')));
    return `no tile for them (tiles: ${JSON.stringify(names)}; page: ${page.url()})`;
  }
  return tile.evaluate((el) => {
    const video = el.querySelector('video');
    const badge = el.querySelector('[data-testid="quality-badge"]');
    return JSON.stringify({
      connection: el.getAttribute('data-connection'),
      media: [el.getAttribute('data-audio'), el.getAttribute('data-video'), el.getAttribute('data-screen')],
      path: badge?.getAttribute('data-path'),
      video: video ? { width: video.videoWidth, paused: video.paused, readyState: video.readyState, frames: video.getVideoPlaybackQuality().totalVideoFrames, hasSource: video.srcObject !== null } : null,
    });
  });
}

/** The remote audio of `peerName` has a live, enabled track attached to a playing element. */
export async function expectAudioLive(page: Page, peerName: string): Promise<void> {
  const audio = remoteTile(page, peerName).getByTestId('peer-audio');
  const handle = await audio.elementHandle({ timeout: MEDIA_TIMEOUT_MS });
  await page.waitForFunction(
    (el) => {
      if (!(el instanceof HTMLAudioElement) || !(el.srcObject instanceof MediaStream)) return false;
      const tracks = el.srcObject.getAudioTracks();
      return tracks.length > 0 && tracks.every((t) => t.readyState === 'live' && t.enabled) && !el.paused;
    },
    handle,
    { timeout: MEDIA_TIMEOUT_MS },
  );
}

/**
 * Waits until the remote video of `peerName` arrives at least (or at most) `width` pixels wide.
 * The fake camera is opened at 960×540 by the app and the fake screen captures 1280×720, so the
 * width tells which one the other side is receiving.
 */
export async function waitForReceivedWidth(page: Page, peerName: string, bound: 'at-least' | 'at-most', width: number): Promise<void> {
  const handle = await remoteTile(page, peerName).locator('video').elementHandle();
  await page.waitForFunction(
    ([el, kind, px]) => el instanceof HTMLVideoElement && el.videoWidth > 0 && (kind === 'at-least' ? el.videoWidth >= (px as number) : el.videoWidth <= (px as number)),
    [handle, bound, width] as const,
    { timeout: MEDIA_TIMEOUT_MS },
  );
}

/** Turns the microphone on or off with its button, and waits until the button says so. */
export async function setMicrophone(page: Page, on: boolean): Promise<void> {
  const button = page.getByTestId('toggle-mic');
  if ((await button.getAttribute('data-state')) !== (on ? 'on' : 'off')) await button.click();
  await page.locator(`[data-testid="toggle-mic"][data-state="${on ? 'on' : 'off'}"]`).waitFor();
}

export async function openPanel(page: Page, panel: 'chat' | 'people' | 'game'): Promise<void> {
  const panelLocator = page.getByTestId('side-panel');
  if ((await panelLocator.count()) > 0 && (await panelLocator.getAttribute('data-panel')) === panel) return;
  await clickControl(page, `toggle-${panel}`);
  await page.locator(`[data-testid="side-panel"][data-panel="${panel}"]`).waitFor();
}

/** Clicks a call control, through the More menu when it is there (a phone's width) rather than on the bar. */
export async function clickControl(page: Page, testid: string): Promise<void> {
  const onBar = page.locator(`footer.controls [data-testid="${testid}"]:not([role^="menuitem"])`);
  if ((await onBar.count()) === 0) {
    await page.getByTestId('more-controls').click();
    await page.getByTestId('more-menu').waitFor();
  }
  await page.getByTestId(testid).click();
}

export async function sendChat(page: Page, text: string): Promise<void> {
  await openPanel(page, 'chat');
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-send').click();
  await page.getByTestId('chat-message').filter({ hasText: text }).waitFor();
}

/** The quality badge of the link to `peerName` once its path is known. */
export async function connectionPath(page: Page, peerName: string): Promise<{ path: string; local: string; remote: string; relayUrl: string }> {
  const badge = remoteTile(page, peerName).getByTestId('quality-badge');
  await page.waitForFunction((el) => el?.getAttribute('data-path') !== 'unknown', await badge.elementHandle({ timeout: MEDIA_TIMEOUT_MS }), { timeout: MEDIA_TIMEOUT_MS });
  return {
    path: (await badge.getAttribute('data-path')) ?? '',
    local: (await badge.getAttribute('data-local-candidate')) ?? '',
    remote: (await badge.getAttribute('data-remote-candidate')) ?? '',
    relayUrl: (await badge.getAttribute('data-relay-url')) ?? '',
  };
}

export async function waitUntilEnabled(locator: Locator): Promise<void> {
  const handle = await locator.elementHandle();
  await locator.page().waitForFunction((el) => el instanceof HTMLButtonElement && !el.disabled, handle);
}

/** Describes what the browser logged, for assertion messages. */
export function problemsOf(...participants: Participant[]): string {
  return participants.map((p) => `${p.name}: ${p.problems.join(' | ') || 'no console errors'}`).join('\n');
}

/** Moves focus with the Tab key (as a keyboard user would) until it reaches `testid`; bounded. */
export async function tabTo(page: Page, testid: string, maxPresses = 60): Promise<void> {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testid)) return;
  }
  throw new Error(`${testid} was not reached with ${maxPresses} presses of Tab`);
}

/** Whether an element lies entirely inside the page's current viewport. */
export async function isInsideViewport(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = locator.page().viewportSize();
  if (!box || !viewport) return false;
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width + 0.5 && box.y + box.height <= viewport.height + 0.5;
}
