import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import {
  createRoom,
  expectVideoPlaying,
  inviteLink,
  joinFromPrejoin,
  openPanel,
  problemsOf,
  remoteTile,
  sendChat,
  signUp,
  tabTo,
  waitForReceivedWidth,
} from './support/app.js';
import { saveScreenshot } from './support/screenshots.js';

/** Chromium's fake devices: the camera as the app opens it, and the captured "screen". */
const CAMERA_WIDTH = 960;
const SCREEN_WIDTH = 1280;

describe('chat, media state, screen share and the game', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let alice: Participant;
  let bob: Participant;

  beforeAll(async () => {
    browser = await launchBrowser();
    alice = await newParticipant(browser, gatewayUrl, 'Alice');
    bob = await newParticipant(browser, gatewayUrl, 'Bob');
    await signUp(alice);
    await signUp(bob);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('chats both ways, shows a mute and carries a shared screen', async () => {
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await createRoom(alice.page, { name: `Review ${Date.now().toString(36)}`, kind: 'coding', visibility: 'private', capacity: 3 });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    expect(link).toMatch(/\?invite=/);
    await bob.page.goto(link);
    await joinFromPrejoin(bob.page);
    await expectVideoPlaying(bob.page, alice.name);
    await expectVideoPlaying(alice.page, bob.name);

    // A → B: B's chat is closed, so the message shows up as unread first.
    await sendChat(alice.page, 'Hello Bob, can you see my screen soon?');
    await expect.poll(() => bob.page.getByTestId('toggle-chat-badge').textContent()).toBe('1');
    await openPanel(bob.page, 'chat');
    await bob.page.getByTestId('chat-message').filter({ hasText: 'Hello Bob, can you see my screen soon?' }).waitFor();
    await expect.poll(() => bob.page.getByTestId('toggle-chat-badge').count()).toBe(0);

    // B → A.
    await sendChat(bob.page, 'Loud and clear, Alice.');
    await openPanel(alice.page, 'chat');
    await alice.page.getByTestId('chat-message').filter({ hasText: 'Loud and clear, Alice.' }).waitFor();

    // A mutes, with the keyboard: B's tile and participant list say so.
    await tabTo(alice.page, 'toggle-mic');
    expect(await alice.page.getByTestId('toggle-mic').getAttribute('aria-label')).toBe('Mute microphone');
    await alice.page.keyboard.press('Space');
    await expect.poll(() => alice.page.getByTestId('toggle-mic').getAttribute('data-state')).toBe('off');
    await expect.poll(() => remoteTile(bob.page, alice.name).getAttribute('data-audio')).toBe('off');
    await remoteTile(bob.page, alice.name).getByTestId('tile-muted').waitFor();
    await openPanel(bob.page, 'people');
    await expect.poll(() => bob.page.locator(`[data-testid="participant"][data-peer-name="${alice.name}"]`).getAttribute('data-muted')).toBe('true');

    // A shares a screen: B is told, and the video B receives becomes the 1280-pixel screen
    // instead of the 960-pixel camera.
    await waitForReceivedWidth(bob.page, alice.name, 'at-most', CAMERA_WIDTH);
    await alice.page.getByTestId('toggle-screen').click();
    await expect.poll(() => alice.page.getByTestId('toggle-screen').getAttribute('data-state')).toBe('on');
    await expect.poll(() => remoteTile(bob.page, alice.name).getAttribute('data-screen')).toBe('on');
    await waitForReceivedWidth(bob.page, alice.name, 'at-least', SCREEN_WIDTH);
    await expectVideoPlaying(bob.page, alice.name);
    await saveScreenshot(bob.page, 'call-screen-share');

    // And back to the camera.
    await alice.page.getByTestId('toggle-screen').click();
    await expect.poll(() => remoteTile(bob.page, alice.name).getAttribute('data-screen')).toBe('off');
    await waitForReceivedWidth(bob.page, alice.name, 'at-most', CAMERA_WIDTH);

    await alice.page.getByTestId('leave-call').click();
    await bob.page.getByTestId('leave-call').click();
    await alice.page.getByTestId('call-end').waitFor();
    await bob.page.getByTestId('call-end').waitFor();
  });

  it('plays tic-tac-toe to a win, the server refuses an illegal move, and the loser opens the next game', async () => {
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await alice.page.goto('/');
    await createRoom(alice.page, { name: `Game ${Date.now().toString(36)}`, kind: 'game', visibility: 'public' });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    await bob.page.goto(link);
    await joinFromPrejoin(bob.page);

    // Game rooms open on the board. Alice joined first, so she plays X and starts.
    for (const page of [alice.page, bob.page]) await page.getByTestId('game-status').waitFor();
    await expect.poll(() => alice.page.getByTestId('game-status').textContent()).toContain('Your turn: you play X');

    const cell = (who: Participant, index: number) => who.page.getByTestId(`game-cell-${index}`);
    const markOn = (who: Participant, index: number) => cell(who, index).getAttribute('data-mark');

    await cell(alice, 0).click();
    await expect.poll(() => markOn(bob, 0)).toBe('X');
    await cell(bob, 3).click();
    await expect.poll(() => markOn(alice, 3)).toBe('O');

    // Bob moves out of turn: the server says no and the board does not change.
    await cell(bob, 4).click();
    await bob.page.getByTestId('game-error').waitFor();
    expect(await bob.page.getByTestId('game-error').textContent()).toMatch(/not allowed/);
    expect(await markOn(bob, 4)).toBe('');
    expect(await markOn(alice, 4)).toBe('');

    await cell(alice, 1).click();
    await expect.poll(() => markOn(bob, 1)).toBe('X');
    await cell(bob, 4).click();
    await expect.poll(() => markOn(alice, 4)).toBe('O');
    await cell(alice, 2).click();

    await expect.poll(() => alice.page.getByTestId('game-status').getAttribute('data-winner')).toBe('X');
    await expect.poll(() => bob.page.getByTestId('game-status').getAttribute('data-winner')).toBe('X');
    expect(await alice.page.getByTestId('game-status').textContent()).toContain('You won!');
    expect(await bob.page.getByTestId('game-status').textContent()).toContain(`${alice.name} won.`);

    // The game is over: the board takes no more moves.
    expect(await cell(bob, 8).getAttribute('aria-disabled')).toBe('true');
    expect(await markOn(bob, 8)).toBe('');
    await saveScreenshot(alice.page, 'call-game');

    // A new game: Bob lost, so Bob opens it, and Alice has to wait for him.
    await alice.page.getByTestId('game-reset').click();
    await expect.poll(() => bob.page.getByTestId('game-status').textContent()).toContain('Your turn: you play O');
    expect(await alice.page.getByTestId('game-status').getAttribute('data-turn')).toBe('O');
    await cell(alice, 4).click();
    await alice.page.getByTestId('game-error').waitFor();
    expect(await markOn(alice, 4)).toBe('');
    await cell(bob, 4).click();
    await expect.poll(() => markOn(alice, 4)).toBe('O');
    await expect.poll(() => alice.page.getByTestId('game-status').textContent()).toContain('Your turn: you play X');
  });
});
