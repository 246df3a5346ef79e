import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { launchBrowser, newParticipant, type Participant } from './browser.js';

// Apart from browser.ts, which the network tier (tests/networks) compiles without the e2e suite's
// provided context (`inject('gatewayUrl')` is typed by web/e2e/global-setup.ts).
/**
 * One browser for the test file and a participant (own context) per label, opened before the
 * file's tests and closed after them. Read the participants inside a test, once they exist.
 */
export function participantsFor<Label extends string>(...labels: Label[]): Readonly<Record<Label, Participant>> {
  const people = {} as Record<Label, Participant>;
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    for (const label of labels) people[label] = await newParticipant(browser, inject('gatewayUrl'), label);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return people;
}
