import type { HealthResponse } from '@meshcall/shared';
import type { TestEnvironment } from '../../src/environment/index.js';
import { eventually } from '../../src/support/eventually.js';

export interface Readiness {
  status: number;
  body: HealthResponse;
}

export async function readiness(serviceUrl: string): Promise<Readiness> {
  const response = await fetch(`${serviceUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as HealthResponse };
}

/** Every replica of every service. */
export function allServiceUrls(environment: TestEnvironment): string[] {
  const { auth, rooms, signaling } = environment.urls;
  return [...auth, ...rooms, ...signaling];
}

/** Waits (bounded) until every replica of every service says it is ready. */
export async function waitUntilAllReady(environment: TestEnvironment, timeoutMs = 45_000): Promise<void> {
  await eventually(
    'every service ready',
    () => Promise.all(allServiceUrls(environment).map(async (url) => `${url} ${(await readiness(url)).status}`)),
    (lines) => lines.every((line) => line.endsWith(' 200')),
    { timeoutMs, intervalMs: 250 },
  );
}
