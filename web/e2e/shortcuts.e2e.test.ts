import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, problemsOf, remoteTile, twoInACall } from './support/app.js';

describe('keyboard shortcuts', () => {
  const people = participantsFor('Alice', 'Bob');

  it('mute, camera, chat and leave from the keyboard, listed in a help dialog opened with ?', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await twoInACall(alice, bob, { name: `Keys ${Date.now().toString(36)}`, kind: 'coding' });
    await expectVideoPlaying(bob.page, alice.name);
    const page = alice.page;
    await page.getByTestId('call-room-name').click();

    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('toggle-mic').getAttribute('data-state')).toBe('off');
    await expect.poll(() => remoteTile(bob.page, alice.name).getAttribute('data-audio')).toBe('off');
    await page.keyboard.press('v');
    await expect.poll(() => page.getByTestId('toggle-camera').getAttribute('data-state')).toBe('off');
    await expect.poll(() => remoteTile(bob.page, alice.name).getAttribute('data-video')).toBe('off');

    // C opens the chat; keys typed there are text, not shortcuts; Esc closes it.
    await page.keyboard.press('c');
    await page.locator('[data-testid="side-panel"][data-panel="chat"]').waitFor();
    await page.keyboard.type('mv');
    expect(await page.getByTestId('chat-input').inputValue()).toBe('mv');
    expect(await page.getByTestId('toggle-mic').getAttribute('data-state')).toBe('off');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('side-panel').count()).toBe(0);
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('toggle-mic').getAttribute('data-state')).toBe('on');

    // ? lists them; Esc closes the list.
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts-dialog');
    await help.waitFor({ state: 'visible' });
    const listed = (await help.textContent()) ?? '';
    for (const words of ['Mute or unmute your microphone', 'Turn your camera off or on', 'Open or close the chat', 'Leave the call', 'Shift + L']) expect(listed).toContain(words);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    // Shift+L leaves.
    await page.keyboard.press('Shift+L');
    const end = page.getByTestId('call-end');
    await end.waitFor();
    expect(await end.getAttribute('data-state')).toBe('left');
  });
});
