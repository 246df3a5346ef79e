import type { Page } from 'playwright-core';
import { remoteTile } from '../../../web/e2e/support/app.js';

/** How long the badge may take to say what is expected (the reason can firm up after connecting). */
const BADGE_TIMEOUT_MS = 45_000;

/** What the quality badge of a remote tile says about the link to that peer, from its data attributes. */
export interface Badge {
  label: string;
  path: string;
  reason: string;
  local: string;
  remote: string;
  relayProtocol: string;
  relayUrl: string;
}

/**
 * The badge of the link to `peerName`, read once it says what the scenario expects or the bound
 * runs out (the reason can firm up after connecting, when the last direct checks fail). What it
 * says then is returned either way, and the caller asserts on it.
 */
export async function badgeOf(page: Page, peerName: string, expected: RegExp): Promise<Badge> {
  const badge = remoteTile(page, peerName).getByTestId('quality-badge');
  const read = async (): Promise<Badge> => ({
    label: ((await badge.textContent()) ?? '').trim(),
    path: (await badge.getAttribute('data-path')) ?? '',
    reason: (await badge.getAttribute('data-reason')) ?? '',
    local: (await badge.getAttribute('data-local-candidate')) ?? '',
    remote: (await badge.getAttribute('data-remote-candidate')) ?? '',
    relayProtocol: (await badge.getAttribute('data-relay-protocol')) ?? '',
    relayUrl: (await badge.getAttribute('data-relay-url')) ?? '',
  });
  const deadline = Date.now() + BADGE_TIMEOUT_MS;
  let current = await read();
  while (!expected.test(current.label) && Date.now() < deadline) {
    await page.waitForTimeout(500);
    current = await read();
  }
  return current;
}
