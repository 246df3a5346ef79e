import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { signUp } from './support/app.js';
import { saveScreenshot } from './support/screenshots.js';

/** The web lobby asks for this many rooms a page (LobbyManager). */
const PAGE_SIZE = 24;
const SEEDED = 1_500;
/** One seeded room in five is named "… karaoke …"; half of those are language rooms. */
const KARAOKE = SEEDED / 5;

/**
 * Seeds a large lobby straight into the stack's database (the API's per-account limits would
 * take hours), older than any room the other suites create, then deletes the rooms service's read
 * model marker, as a Redis flush would, and waits for the rebuild from MongoDB.
 */
async function seedLargeLobby(mongoUrl: string, redisUrl: string, run: string): Promise<void> {
  const client = new MongoClient(mongoUrl);
  const base = Date.now() - 10 * 24 * 60 * 60 * 1000;
  try {
    const documents = Array.from({ length: SEEDED }, (_, index): Record<string, unknown> => {
      const createdAt = new Date(base + index * 1000);
      const karaoke = index % 5 === 0;
      return {
        _id: `e2e${run}${index.toString(36).padStart(4, '0')}`.slice(0, 16),
        name: karaoke ? `Seeded karaoke ${index}` : `Seeded chess ${index}`,
        kind: karaoke && index % 10 === 0 ? 'language' : 'coding',
        visibility: 'public',
        capacity: 4,
        ownerId: 'e'.repeat(24),
        ownerName: 'Seeder',
        allowedUsers: [],
        invitedUsers: [],
        memberNames: {},
        inviteCode: null,
        locked: false,
        createdAt,
        updatedAt: createdAt,
        closedAt: null,
      };
    });
    // A private room that matches the search too: it must never show.
    documents.push({ ...documents[0]!, _id: `e2e${run}secret`, name: 'Seeded karaoke secret', visibility: 'private', inviteCode: `secret${run}code`, createdAt: new Date(), updatedAt: new Date() });
    await client.db().collection('rooms').insertMany(documents);
  } finally {
    await client.close();
  }
  const redis = new Redis(redisUrl);
  try {
    const markers = await redis.keys('meshcall:rooms:{lobby:*}:built');
    if (markers.length > 0) await redis.del(...markers);
    const deadline = Date.now() + 60_000;
    while ((await redis.keys('meshcall:rooms:{lobby:*}:built')).length === 0) {
      if (Date.now() > deadline) throw new Error('the rooms service did not rebuild its lobby read model within 60 s');
      await sleep(250);
    }
  } finally {
    redis.disconnect();
  }
}

describe('the lobby with a large seeded list', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let viewer: Participant;

  beforeAll(async () => {
    await seedLargeLobby(inject('mongoUrl'), inject('redisUrl'), Date.now().toString(36).slice(-5));
    browser = await launchBrowser();
    viewer = await newParticipant(browser, gatewayUrl, 'Viewer');
    await signUp(viewer);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const cards = () => viewer.page.getByTestId('room-card');

  it('scrolls on past the first page, loading the next one as the end comes into view', async () => {
    onTestFailed(() => console.log(viewer.problems.join('\n')));
    const { page } = viewer;
    await page.goto('/');
    await expect.poll(() => cards().count()).toBe(PAGE_SIZE);
    expect(Number((await page.getByTestId('lobby-count').textContent())?.replace(/[^\d]/g, ''))).toBeGreaterThanOrEqual(SEEDED);

    await cards().last().scrollIntoViewIfNeeded();
    await expect.poll(() => cards().count()).toBe(PAGE_SIZE * 2);
    await cards().last().scrollIntoViewIfNeeded();
    await expect.poll(() => cards().count()).toBe(PAGE_SIZE * 3);
    // Each room once, newest first.
    const ids = await cards().evaluateAll((elements) => elements.map((element) => element.getAttribute('data-room-id')));
    expect(new Set(ids).size).toBe(ids.length);

  });

  it('falls back to a "Load more" button where the browser has no IntersectionObserver', async () => {
    const page = await viewer.context.newPage();
    try {
      await page.addInitScript(() => {
        Reflect.deleteProperty(window, 'IntersectionObserver');
      });
      await page.goto('/');
      const listed = page.getByTestId('room-card');
      await expect.poll(() => listed.count()).toBe(PAGE_SIZE);
      await listed.last().scrollIntoViewIfNeeded();
      // Nothing loads by itself; the button does.
      await page.waitForTimeout(500);
      expect(await listed.count()).toBe(PAGE_SIZE);
      await page.getByTestId('load-more').click();
      await expect.poll(() => listed.count()).toBe(PAGE_SIZE * 2);
    } finally {
      await page.close();
    }
  });

  it('searches the large lobby, filters by kind, and scrolls on through the results', async () => {
    const { page } = viewer;
    await page.goto('/');
    await page.getByTestId('room-search').fill('karaok');
    await expect.poll(async () => page.getByTestId('lobby-count').textContent()).toBe(`(${KARAOKE})`);
    await expect.poll(() => cards().count()).toBe(PAGE_SIZE);
    await cards().last().scrollIntoViewIfNeeded();
    await expect.poll(() => cards().count()).toBe(PAGE_SIZE * 2);
    const names = await cards().evaluateAll((elements) => elements.map((element) => element.textContent ?? ''));
    expect(names.every((name) => /Seeded karaoke \d+/.test(name))).toBe(true);
    expect(names.some((name) => name.includes('secret'))).toBe(false);

    await page.getByTestId('kind-language').check({ force: true });
    await expect.poll(async () => page.getByTestId('lobby-count').textContent()).toBe(`(${KARAOKE / 2})`);
    await expect.poll(() => cards().count()).toBe(PAGE_SIZE);
    await saveScreenshot(page, 'lobby-search');
  });
});
