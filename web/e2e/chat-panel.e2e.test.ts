import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { problemsOf, sendChat, twoInACall } from './support/app.js';

describe('the chat panel', () => {
  const people = participantsFor('Alice', 'Bob');

  it('previews a message while closed, focuses the message box when opened, links only http(s) and closes on Esc', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await twoInACall(alice, bob, { name: `Links ${Date.now().toString(36)}`, kind: 'learning' });

    const text = 'Notes at https://example.org/docs?page=2, not <b>bold</b> <img src=x onerror=alert(1)>, nor example.com or mailto:a@example.org';
    await sendChat(alice.page, text);

    // Bob's chat is closed: a short preview says who wrote what.
    const preview = bob.page.getByTestId('chat-preview');
    await preview.waitFor({ timeout: 15_000 });
    expect(await preview.textContent()).toContain(alice.name);
    expect(await preview.textContent()).toContain('Notes at https://example.org/docs?page=2');

    // Opening the chat puts the cursor in the message box, and the preview goes.
    await bob.page.getByTestId('toggle-chat').click();
    await bob.page.locator('[data-testid="side-panel"][data-panel="chat"]').waitFor();
    await expect.poll(() => bob.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chat-input');
    expect(await preview.count()).toBe(0);

    // The one http(s) link is a link that opens apart from the call; nothing else became markup.
    const message = bob.page.getByTestId('chat-message').filter({ hasText: 'Notes at' });
    const links = message.getByTestId('chat-link');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://example.org/docs?page=2');
    expect(await links.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await links.getAttribute('target')).toBe('_blank');
    expect(await message.locator('b, img').count()).toBe(0);
    expect(await message.locator('p').textContent()).toBe(text);

    // Bob can type straight away; Esc then closes the panel and gives the focus back to its button.
    await bob.page.keyboard.type('Thanks!');
    await bob.page.keyboard.press('Enter');
    await alice.page.getByTestId('chat-message').filter({ hasText: 'Thanks!' }).waitFor();
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => bob.page.getByTestId('side-panel').count()).toBe(0);
    expect(await bob.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('toggle-chat');
  });
});
