import { describe, expect, it, onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, joinFromPrejoin, problemsOf, remoteTile, twoInACall } from './support/app.js';

/** One seat per person: a reload or a second tab takes the call over, never a second copy. */
describe('one seat per person', () => {
  const people = participantsFor('Alice', 'Bob');

  /** Bob sees exactly one Alice (his only remote tile), with her video playing, and a full room of two. */
  async function bobSeesOneAlice(): Promise<void> {
    const { Alice: alice, Bob: bob } = people;
    await expectVideoPlaying(bob.page, alice.name);
    await expect.poll(() => remoteTile(bob.page, alice.name).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => bob.page.getByTestId('call-count').textContent(), { timeout: 15_000 }).toBe('2 / 2');
    // Nothing else turns up a little later (a seat held for resume would come back as a ghost).
    await bob.page.waitForTimeout(2_000);
    expect(await bob.page.getByTestId('video-tile').count()).toBe(1);
  }

  it('asks a second tab whether to move the call there, and a crashed or reloaded tab takes its held seat back', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    const { link } = await twoInACall(alice, bob, { name: `Pair ${Date.now().toString(36)}`, kind: 'coding', capacity: 2 });
    await expectVideoPlaying(alice.page, bob.name);

    // A second tab of the same browser, in a full room: a question, not "This room is full".
    const secondTab = await alice.context.newPage();
    await secondTab.goto(link);
    const question = secondTab.getByTestId('already-in-call');
    await question.waitFor({ timeout: 15_000 });
    expect(await question.textContent()).toContain('You’re already in this call — join here instead?');
    expect(await secondTab.getByTestId('join-call').textContent()).toMatch(/Join here/);
    await joinFromPrejoin(secondTab);
    const firstTabEnd = alice.page.getByTestId('call-end');
    await firstTabEnd.waitFor({ timeout: 15_000 });
    expect(await firstTabEnd.getAttribute('data-state')).toBe('joined-elsewhere');
    await bobSeesOneAlice();

    // The tab dies without leaving (a crash, a lost network): its seat is held for resume, and
    // a new tab takes it over rather than being told the room is full.
    await crash(secondTab);
    const thirdTab = await alice.context.newPage();
    await thirdTab.goto(link);
    await thirdTab.getByTestId('prejoin').waitFor();
    expect(await thirdTab.getByTestId('already-in-call').count()).toBe(0);
    await joinFromPrejoin(thirdTab);
    await bobSeesOneAlice();

    // A reload joins again the same way.
    await thirdTab.reload();
    await joinFromPrejoin(thirdTab);
    await bobSeesOneAlice();
    expect(await thirdTab.getByTestId('call-count').textContent()).toBe('2 / 2');
  });
});

/** Kills the tab's renderer: its socket drops without `room:leave`, as on a crash or a lost network. */
async function crash(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const crashed = page.waitForEvent('crash', { timeout: 15_000 });
  // The renderer dies before it can answer, so the command's reply never comes.
  void cdp.send('Page.crash').catch(() => undefined);
  await crashed;
  await page.close();
}
