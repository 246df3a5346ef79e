import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { saveScreenshot } from './support/screenshots.js';
import { createRoom, expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, remoteTile, signUp } from './support/app.js';

/** What the API answers a browser without an account that tries its luck directly. */
async function apiFrom(page: Page, path: string, init: { method: string; token?: string; body?: unknown }): Promise<{ status: number; code: string | undefined; token: string | undefined }> {
  return page.evaluate(
    async ({ path, init }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      const response = await fetch(path, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string }; accessToken?: string };
      return { status: response.status, code: body.error?.code, token: body.accessToken };
    },
    { path, init },
  );
}

describe('guests: an invite link opened without an account', () => {
  const people = participantsFor('Olga', 'Gwen', 'Pete');
  let link = '';
  let roomId = '';
  const roomName = `Guest hour ${Date.now().toString(36)}`;

  it('names the room, lets a guest join with a name, and both see each other in the call with the guest marked', async () => {
    const { Olga: owner, Gwen: guest } = people;
    onTestFailed(() => console.log(problemsOf(owner, guest)));
    await signUp(owner);
    roomId = await createRoom(owner.page, { name: roomName, kind: 'business', visibility: 'private', guestAccess: true });
    await joinFromPrejoin(owner.page);
    link = await inviteLink(owner.page);

    // No account in this browser: the link names the room instead of sending to sign in.
    await guest.page.goto(link);
    const invite = guest.page.getByTestId('guest-invite');
    await invite.waitFor();
    expect(await guest.page.getByTestId('invite-room-name').textContent()).toBe(roomName);
    await saveScreenshot(guest.page, 'guest-invite');
    expect(new URL(await guest.page.getByTestId('invite-sign-in').getAttribute('href') ?? '', 'http://x').searchParams.get('next')).toBe(`/room/${roomId}?${new URL(link).searchParams}`);

    // The name is checked before anything is sent.
    await guest.page.getByTestId('join-as-guest').click();
    expect(await guest.page.getByTestId('field-error-guest-name').textContent()).toBe('Enter the name others will see.');
    await guest.page.getByTestId('guest-name').fill(guest.name);
    await guest.page.getByTestId('join-as-guest').click();

    // The normal pre-join, then the call.
    await joinFromPrejoin(guest.page);
    await expectVideoPlaying(owner.page, guest.name);
    await expectVideoPlaying(guest.page, owner.name);
    expect(await remoteTile(owner.page, guest.name).getByTestId('tile-guest').textContent()).toBe('Guest');
    expect(await remoteTile(guest.page, owner.name).getByTestId('tile-guest').count()).toBe(0);
    expect(await guest.page.getByTestId('local-tile').getByTestId('tile-guest').textContent()).toBe('Guest');
    await saveScreenshot(owner.page, 'call-with-guest');

    await openPanel(owner.page, 'people');
    const guestInOwnersList = owner.page.locator(`[data-testid="participant"][data-peer-name="${guest.name}"]`);
    expect(await guestInOwnersList.getAttribute('data-guest')).toBe('true');
    expect(await guestInOwnersList.getByTestId('participant-guest').textContent()).toBe('Guest');

    // A guest moderates nothing: no owner tools in their people panel.
    await openPanel(guest.page, 'people');
    const ownerInGuestsList = guest.page.locator(`[data-testid="participant"][data-peer-name="${owner.name}"]`);
    expect(await ownerInGuestsList.getAttribute('data-guest')).toBe('false');
    expect(await guest.page.getByTestId('ask-mute').count()).toBe(0);
    expect(await guest.page.getByTestId('end-for-everyone').count()).toBe(0);

    // Leaving ends the guest session: an end screen, never a lobby the guest has no account for.
    await guest.page.getByTestId('leave-call').click();
    const ended = guest.page.getByTestId('guest-ended');
    await ended.waitFor();
    expect(await ended.textContent()).toContain('Your guest session has ended');
    expect(await guest.page.getByTestId('back-to-lobby').count()).toBe(0);
    await saveScreenshot(guest.page, 'guest-ended');
    expect(await ended.textContent()).not.toContain('You can rejoin');
    // Joining again starts from the invite page, as a new guest.
    await guest.page.getByTestId('guest-join-again').click();
    await guest.page.getByTestId('guest-invite').waitFor();
    await expect.poll(() => owner.page.locator(`[data-testid="video-tile"][data-peer-name="${guest.name}"]`).count()).toBe(0);
    await guest.page.goto('/');
    await guest.page.getByTestId('signin-email').waitFor();
  });

  it('ends a guest session that runs out with the end screen, not a lobby', async () => {
    const { Olga: owner, Gwen: guest } = people;
    onTestFailed(() => console.log(problemsOf(owner, guest)));
    await guest.page.goto(link);
    await guest.page.getByTestId('guest-name').fill(guest.name);
    await guest.page.getByTestId('join-as-guest').click();
    await joinFromPrejoin(guest.page);
    await expectVideoPlaying(owner.page, guest.name);

    // The e2e stack's guest tokens live 90 s (global-setup); the web ends the session at 72 s.
    const ended = guest.page.getByTestId('guest-ended');
    await ended.waitFor({ timeout: 120_000 });
    expect(await ended.locator('h1').textContent()).toBe('Your guest session has ended');
    expect(await guest.page.getByTestId('back-to-lobby').count()).toBe(0);
    expect(await guest.page.getByTestId('call').count()).toBe(0);
    // The guest left cleanly: the owner is alone at once, not after a resume window.
    await expect.poll(() => owner.page.getByTestId('call-count').textContent(), { timeout: 10_000 }).toMatch(/^1 \//);
  }, 180_000);

  it('says so when the owner turns guests off, and no guest can join even by calling the API', async () => {
    const { Olga: owner, Pete: stranger } = people;
    onTestFailed(() => console.log(problemsOf(owner, stranger)));
    // The owner's switch in the call's invite popover.
    await owner.page.getByTestId('invite-toggle').click();
    const toggle = owner.page.getByTestId('guest-access-toggle');
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(() => owner.page.locator('label[for="invite-link"]').textContent()).toContain('and an account can join');
    await owner.page.getByTestId('invite-toggle').click();

    await stranger.page.goto(link);
    await stranger.page.getByTestId('guest-invite').waitFor();
    expect(await stranger.page.getByTestId('invite-room-name').textContent()).toBe(roomName);
    expect(await stranger.page.getByTestId('guests-off').textContent()).toContain('does not let guests in');
    expect(await stranger.page.getByTestId('join-as-guest').count()).toBe(0);
    await saveScreenshot(stranger.page, 'guest-invite-guests-off');
    expect(await stranger.page.getByTestId('invite-sign-in').getAttribute('href')).toContain(encodeURIComponent(`/room/${roomId}?`));

    // Straight to the API: a guest token is handed out, but rooms gives it no ticket, and it can
    // do nothing an account does.
    const invite = new URL(link).searchParams.get('invite') ?? '';
    const started = await apiFrom(stranger.page, '/api/auth/guest', { method: 'POST', body: { roomId, name: 'Pete' } });
    expect(started.status).toBe(201);
    expect(await apiFrom(stranger.page, `/api/rooms/${roomId}/join`, { method: 'POST', token: started.token, body: { invite } })).toMatchObject({ status: 403, code: 'GUESTS_OFF' });
    expect(await apiFrom(stranger.page, '/api/rooms', { method: 'POST', token: started.token, body: { name: 'Not mine', kind: 'coding' } })).toMatchObject({
      status: 403,
      code: 'GUEST_NOT_ALLOWED',
    });
    expect(await apiFrom(stranger.page, '/api/auth/me', { method: 'GET', token: started.token })).toMatchObject({ status: 403, code: 'GUEST_NOT_ALLOWED' });
    // The owner is still alone in the call.
    expect(await owner.page.getByTestId('call-count').textContent()).toMatch(/^1 \//);
  });
});
