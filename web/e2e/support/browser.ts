import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '@meshcall/stack';
import { afterAll, beforeAll, inject } from 'vitest';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

export interface Participant {
  name: string;
  email: string;
  password: string;
  context: BrowserContext;
  page: Page;
  /** Browser console errors and uncaught exceptions, for failure messages. */
  problems: string[];
}

let counter = 0;

/** A separate browser context (own cookies, own storage): one person on their own device. */
export async function newParticipant(browser: Browser, gatewayUrl: string, label: string): Promise<Participant> {
  counter += 1;
  const unique = `${Date.now().toString(36)}${counter}`;
  const context = await browser.newContext({
    baseURL: gatewayUrl,
    viewport: { width: 1280, height: 800 },
    permissions: ['camera', 'microphone'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  return { name: `${label} ${unique}`, email: `${label.toLowerCase()}-${unique}@example.test`, password: 'correct horse battery', context, page, problems };
}

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
