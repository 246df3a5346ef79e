import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { createRoom, problemsOf, signUp } from './support/app.js';

describe('accounts and the session', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let user: Participant;
  let other: Participant;

  beforeAll(async () => {
    browser = await launchBrowser();
    user = await newParticipant(browser, gatewayUrl, 'Dana');
    other = await newParticipant(browser, gatewayUrl, 'Eve');
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('explains form errors next to the fields they concern', async () => {
    onTestFailed(() => console.log(problemsOf(user, other)));
    const { page } = other;
    await page.goto('/signup');
    await page.getByTestId('signup-name').fill('Eve');
    await page.getByTestId('signup-email').fill('not-an-email');
    await page.getByTestId('signup-password').fill('short');
    await page.getByTestId('signup-submit').click();
    await page.getByTestId('field-error-email').waitFor();
    expect(await page.getByTestId('signup-email').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('signup-email').getAttribute('aria-describedby')).toContain('field-email-error');
    expect(await page.getByTestId('field-error-password').textContent()).toMatch(/^Password must be at least 8/);

    // The server's EMAIL_TAKEN lands on the email field.
    await signUp(user);
    await page.getByTestId('signup-email').fill(user.email);
    await page.getByTestId('signup-password').fill('another good password');
    await page.getByTestId('signup-submit').click();
    await expect.poll(() => page.getByTestId('field-error-email').textContent()).toMatch(/already exists/);

    // A password attackers try first is refused by auth (WEAK_PASSWORD), the reason under the field.
    const freshEmail = `fresh-${Date.now().toString(36)}@example.test`;
    await page.getByTestId('signup-email').fill(freshEmail);
    await page.getByTestId('signup-password').fill('password');
    await page.getByTestId('signup-submit').click();
    await expect.poll(() => page.getByTestId('field-error-password').textContent()).toMatch(/^Password is one of the most common passwords/);
    // The email as the password is caught by the form itself, in any case.
    await page.getByTestId('signup-password').fill(freshEmail.toUpperCase());
    await page.getByTestId('signup-submit').click();
    await expect.poll(() => page.getByTestId('field-error-password').textContent()).toBe('Password must not be your email address');

    // A wrong password is a form-level error, announced as an alert.
    await page.goto('/signin');
    await page.getByTestId('signin-email').fill(user.email);
    await page.getByTestId('signin-password').fill('wrong password!');
    await page.getByTestId('signin-submit').click();
    const alert = page.getByTestId('form-error');
    await alert.waitFor();
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toMatch(/do not match/);
  });

  it('greets a first visit neutrally, offers a real sign-in link for a taken email, and welcomes back a browser that signed in', async () => {
    onTestFailed(() => console.log(problemsOf(user, other)));
    const newcomer = await newParticipant(browser, gatewayUrl, 'Finn');
    const { page } = newcomer;
    await page.goto('/signin');
    await page.getByTestId('signin-email').waitFor();
    expect(await page.getByText(/welcome back/i).count()).toBe(0);

    // Signing up with the email of the account made in the first test: "Sign in instead." leads
    // to sign-in, keeping `next`.
    await page.goto('/signup?next=%2Froom%2Fsomewhere');
    await page.getByTestId('signup-name').fill('Finn');
    await page.getByTestId('signup-email').fill(user.email);
    await page.getByTestId('signup-password').fill('another good password');
    await page.getByTestId('signup-submit').click();
    const signInInstead = page.getByTestId('field-error-email').getByRole('link', { name: 'Sign in instead.' });
    await signInInstead.waitFor();
    await signInInstead.click();
    await page.waitForURL(/\/signin\?next=%2Froom%2Fsomewhere$/);

    // Once this browser has signed in, the sign-in page welcomes it back.
    await page.getByTestId('signin-email').fill(user.email);
    await page.getByTestId('signin-password').fill(user.password);
    await page.getByTestId('signin-submit').click();
    await page.waitForURL(/\/room\/somewhere$/);
    await page.goto('/');
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin/);
    await page.getByText(/^Welcome back/).waitFor();
    await newcomer.context.close();
  });

  it('keeps the session across a reload without storing the token, and signs out', async () => {
    onTestFailed(() => console.log(problemsOf(user, other)));
    const { page } = user;
    await page.goto('/');
    await page.getByTestId('lobby').waitFor();
    await page.reload();
    await page.getByTestId('lobby').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toBe(user.name);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toMatch(/eyJ/); // no JWT anywhere script can read
    const cookies = await user.context.cookies();
    expect(cookies.find((c) => c.name === 'meshcall_refresh')?.httpOnly).toBe(true);

    const roomId = await createRoom(page, { name: `Later ${Date.now().toString(36)}` });
    await page.goto('/');
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin/);

    // A room link while signed out leads through sign-in and back to the room.
    await page.goto(`/room/${roomId}`);
    await page.waitForURL(/\/signin\?next=/);
    await page.getByTestId('signin-email').fill(user.email);
    await page.getByTestId('signin-password').fill(user.password);
    await page.getByTestId('signin-submit').click();
    await page.waitForURL(new RegExp(`/room/${roomId}$`));
    await page.getByTestId('prejoin').waitFor();
  });

  it('signs out everywhere: another browser signed in to the same account loses its session too', async () => {
    const laptop = await newParticipant(browser, gatewayUrl, 'Gus');
    const phone = await newParticipant(browser, gatewayUrl, 'Gus');
    onTestFailed(() => console.log(problemsOf(laptop, phone)));
    await signUp(laptop);
    await phone.page.goto('/signin');
    await phone.page.getByTestId('signin-email').fill(laptop.email);
    await phone.page.getByTestId('signin-password').fill(laptop.password);
    await phone.page.getByTestId('signin-submit').click();
    await phone.page.getByTestId('lobby').waitFor();

    laptop.page.once('dialog', (dialog) => void dialog.accept());
    await laptop.page.getByTestId('sign-out-everywhere').click();
    await laptop.page.waitForURL(/\/signin/);
    // The phone's session was ended too: starting again cannot restore it.
    await phone.page.reload();
    await phone.page.waitForURL(/\/signin/);
    await laptop.context.close();
    await phone.context.close();
  });

  it('stays signed in when two tabs refresh at the same moment (the refresh cookie rotates on every use)', async () => {
    const tabsUser = await newParticipant(browser, gatewayUrl, 'Fay');
    onTestFailed(() => console.log(problemsOf(tabsUser)));
    await signUp(tabsUser);
    // Refreshes are held until two wait (or 3 s pass) and then sent together, so the two tabs'
    // refreshes would meet at auth if nothing kept them apart.
    const waiting: Array<() => void> = [];
    const releaseAll = () => {
      for (const go of waiting.splice(0)) go();
    };
    await tabsUser.context.route('**/api/auth/refresh', async (route) => {
      await new Promise<void>((go) => {
        waiting.push(go);
        if (waiting.length >= 2) releaseAll();
        else setTimeout(releaseAll, 3_000);
      });
      await route.continue();
    });
    const tabs = [tabsUser.page, await tabsUser.context.newPage()];
    // Each tab exchanges the refresh cookie for an access token when it starts.
    await Promise.all(tabs.map((tab) => tab.goto('/')));
    for (const tab of tabs) {
      await tab.getByTestId('lobby').waitFor();
      expect(await tab.getByTestId('current-user').textContent()).toBe(tabsUser.name);
    }
    // The session was not revoked: a later start still restores it.
    await tabsUser.context.unroute('**/api/auth/refresh');
    await tabs[0]!.reload();
    await tabs[0]!.getByTestId('lobby').waitFor();
    await tabsUser.context.close();
  });
});
