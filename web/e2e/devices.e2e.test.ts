import { describe, expect, it, onTestFailed } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { saveScreenshot } from './support/screenshots.js';
import { createRoom, expectAudioLive, expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, remoteTile, sendChat, signUp } from './support/app.js';

/** What a media element did with its output, seen in the page: every setSinkId and play, with the element's output then. */
interface SinkEvent {
  call: 'setSinkId' | 'play';
  sinkId: string;
  /** False for an element the app never put in the page (the speaker test's chime). */
  inPage: boolean;
  /** The element plays a generated stream (the chime), not a participant's. */
  generated: boolean;
}

/**
 * Records, before any app code runs, each `setSinkId` and `play` of a media element in
 * `window.__sinkEvents`; with `withoutOutputChoice`, removes setSinkId as Safari lacks it.
 */
async function watchAudioOutputs(context: BrowserContext, options: { withoutOutputChoice?: boolean } = {}): Promise<void> {
  await context.addInitScript((withoutOutputChoice: boolean) => {
    const events: unknown[] = [];
    (window as unknown as { __sinkEvents: unknown[] }).__sinkEvents = events;
    const generated = (element: HTMLMediaElement) =>
      element.srcObject instanceof MediaStream && element.srcObject.getAudioTracks().some((track) => track.label.startsWith('MediaStreamAudioDestinationNode'));
    const prototype = HTMLMediaElement.prototype as Omit<HTMLMediaElement, 'setSinkId'> & { setSinkId?: (id: string) => Promise<void> };
    const play = prototype.play;
    prototype.play = function (this: HTMLMediaElement) {
      events.push({ call: 'play', sinkId: (this as { sinkId?: string }).sinkId ?? '', inPage: this.isConnected, generated: generated(this) });
      return play.call(this);
    };
    if (withoutOutputChoice) {
      delete prototype.setSinkId;
      return;
    }
    const setSinkId = prototype.setSinkId;
    if (!setSinkId) return;
    prototype.setSinkId = async function (this: HTMLMediaElement, id: string) {
      await setSinkId.call(this, id);
      events.push({ call: 'setSinkId', sinkId: id, inPage: this.isConnected, generated: generated(this) });
    };
  }, options.withoutOutputChoice ?? false);
}

const sinkEvents = (page: Page) => page.evaluate(() => (window as unknown as { __sinkEvents: SinkEvent[] }).__sinkEvents);

/** The output every participant's audio element in the call plays on, by participant name. */
const remoteAudioOutputs = (page: Page) =>
  page.locator('[data-testid="video-tile"]').evaluateAll((tiles) =>
    Object.fromEntries(tiles.map((tile) => [tile.getAttribute('data-peer-name'), (tile.querySelector('audio') as (HTMLAudioElement & { sinkId: string }) | null)?.sinkId])),
  );

describe('devices and a name for this call on the pre-join', () => {
  const people = participantsFor('Alice', 'Bob', 'Carol');

  it('picks the speakers, tests them, joins under a name for this call only that everyone sees, and plays everyone on the chosen output', async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    await watchAudioOutputs(alice.context);
    await watchAudioOutputs(carol.context, { withoutOutputChoice: true });
    await signUp(alice);
    await signUp(bob);
    await signUp(carol);
    const page = alice.page;
    await createRoom(page, { name: `Devices ${Date.now().toString(36)}`, kind: 'business', visibility: 'public' });

    // The picker lists Chromium's outputs (its fake device lists a default and two more).
    const picker = page.getByTestId('speaker-select');
    await expect.poll(() => picker.locator('option').count()).toBeGreaterThanOrEqual(2);
    const options = await picker.locator('option').evaluateAll((all) => all.map((option) => ({ value: (option as HTMLOptionElement).value, label: option.textContent?.trim() ?? '' })));
    expect(options[0]).toEqual({ value: '', label: 'System default' });
    const chosen = options[1]!;
    expect(chosen.value).not.toBe('');
    await picker.selectOption(chosen.value);

    // The sound test plays a generated chime on the chosen output, says so, and goes back by itself.
    const test = page.getByTestId('speaker-test');
    await test.click();
    await expect.poll(() => test.getAttribute('data-state')).toBe('playing');
    expect(await page.getByRole('button', { name: 'Playing… (press to stop)' }).count()).toBe(1);
    await expect.poll(() => test.getAttribute('data-state'), { timeout: 4_000 }).toBe('idle');
    expect(await page.getByRole('button', { name: 'Test speakers' }).count()).toBe(1);
    const chime = (await sinkEvents(page)).filter((event) => event.generated);
    expect(chime).toEqual([
      { call: 'setSinkId', sinkId: chosen.value, inPage: false, generated: true },
      { call: 'play', sinkId: chosen.value, inPage: false, generated: true },
    ]);
    // Pressed again while it plays, it stops at once.
    await test.click();
    await expect.poll(() => test.getAttribute('data-state')).toBe('playing');
    await test.click();
    expect(await test.getAttribute('data-state')).toBe('idle');

    await saveScreenshot(page, 'prejoin-devices');

    // The choice is remembered like the camera's and microphone's.
    await page.reload();
    await expect.poll(() => page.getByTestId('speaker-select').inputValue()).toBe(chosen.value);

    // The name for this call: prefilled with the account's, checked before joining.
    const name = page.getByTestId('call-name');
    expect(await name.inputValue()).toBe(alice.name);
    await name.fill('   ');
    await page.getByTestId('join-call').click();
    expect(await page.getByTestId('call-name-error').textContent()).toBe('Your name must not be empty.');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('call-name');
    expect(await page.getByTestId('call').count()).toBe(0);
    const callName = `Ali on the road ${Date.now().toString(36)}`;
    await name.fill(callName);
    expect(await page.getByTestId('call-name-error').count()).toBe(0);
    await joinFromPrejoin(page);
    expect(await page.getByTestId('local-tile').getAttribute('data-peer-name')).toBe(callName);

    // Bob, with his account's name, sees Alice's call name on her tile, in People and on her chat.
    const link = await inviteLink(page);
    await bob.page.goto(link);
    expect(await bob.page.getByTestId('call-name').inputValue()).toBe(bob.name);
    await joinFromPrejoin(bob.page);
    await expectVideoPlaying(bob.page, callName);
    await expectVideoPlaying(page, bob.name);
    await expectAudioLive(page, bob.name);
    await openPanel(bob.page, 'people');
    expect(await bob.page.getByTestId('participant').evaluateAll((all) => all.map((item) => item.getAttribute('data-peer-name')).sort())).toEqual([bob.name, callName].sort());
    await sendChat(page, 'Can you hear me?');
    await openPanel(bob.page, 'chat');
    await bob.page.locator(`[data-testid="chat-message"][data-author="${callName}"]`).waitFor();

    // Carol's browser cannot choose an output: the pre-join says so instead of a dead picker.
    await carol.page.goto(link);
    await carol.page.getByTestId('prejoin').waitFor();
    expect(await carol.page.getByTestId('speaker-unsupported').textContent()).toBe('This browser plays sound on its default output.');
    expect(await carol.page.getByTestId('speaker-select').count()).toBe(0);
    await joinFromPrejoin(carol.page);
    // She joined after the choice: her audio element on Alice's side plays on the chosen output too.
    await expectAudioLive(page, carol.name);
    await expect.poll(() => remoteAudioOutputs(page)).toEqual({ [bob.name]: chosen.value, [carol.name]: chosen.value });
    await expectVideoPlaying(carol.page, callName);
    expect(await remoteTile(carol.page, callName).count()).toBe(1);

    // The account keeps its own name: the top bar of the lobby and the next pre-join say it.
    await page.getByTestId('leave-call').click();
    await page.getByTestId('call-end').waitFor();
    await page.goto('/');
    expect(await page.getByTestId('current-user').textContent()).toBe(alice.name);
    await page.goto(new URL(link).pathname);
    expect(await page.getByTestId('call-name').inputValue()).toBe(alice.name);
  });
});
