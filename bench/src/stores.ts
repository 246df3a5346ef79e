/**
 * `npm run bench:stores -w @meshcall/bench`: the lobby's queries against candidate
 * MongoDB-wire servers, side by side in one run (issue 15: which embedded store can serve 100k
 * rooms). The servers are started beforehand (see bench/README.md, "Store candidates"); each
 * gets the same seeded collection in its own database, dropped afterwards.
 *
 *   STORE_URLS='sqlite=mongodb://127.0.0.1:27102/,postgresql=mongodb://127.0.0.1:27101/'
 *   STORE_ROOMS=100000   STORE_SAMPLES=5   STORE_BUDGET_S=60 (per query)
 *   STORE_REDIS_URL=redis://127.0.0.1:6390   also the Redis sorted-set listing (a Redis of its own:
 *                                            the run deletes its meshcall:store-candidates:* keys)
 *
 * Writes bench/results/store-candidates-<rooms>-<labels>.json and .md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { machineInfo } from './machine.js';
import { measureRedisListing, measureStoreCandidates, type RedisListingResult, type StoreCandidate, type StoreCandidateResult } from './scenarios/store-candidates.js';

const resultsDir = fileURLToPath(new URL('../results', import.meta.url));

function candidatesFromEnv(raw: string | undefined): StoreCandidate[] {
  const candidates = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      if (at <= 0 || !entry.slice(at + 1).startsWith('mongodb://')) throw new Error(`STORE_URLS entries are label=mongodb://…, got ${entry}`);
      return { label: entry.slice(0, at), url: entry.slice(at + 1) };
    });
  return candidates;
}

function renderRedis(result: RedisListingResult | null): string[] {
  if (!result) return [];
  return [
    `## Redis sorted sets (${result.publicOpenRooms} public rooms listed, ${result.memoryMiB} MiB, seeded in ${result.seedSeconds.toFixed(1)} s)`,
    '',
    '| query | p50 ms | max ms |',
    '| --- | --- | --- |',
    ...result.queries.map((q) => `| ${q.query} | ${q.latency.p50Ms.toFixed(2)} | ${q.latency.maxMs.toFixed(2)} |`),
    '',
  ];
}

function renderMarkdown(rooms: number, results: StoreCandidateResult[], redis: RedisListingResult | null, date: string, machine: ReturnType<typeof machineInfo>): string {
  const labels = results.map((r) => r.label);
  const queries = results[0]?.queries.map((q) => q.query) ?? [];
  const cell = (result: StoreCandidateResult, query: string) => {
    const found = result.queries.find((q) => q.query === query);
    return found ? `${found.latency.p50Ms.toFixed(1)} / ${found.latency.maxMs.toFixed(1)}` : result.error ? 'failed' : 'n/a';
  };
  const wireTable =
    results.length === 0
      ? []
      : [
          `| query | ${labels.join(' | ')} |`,
          `| --- | ${labels.map(() => '---').join(' | ')} |`,
          ...queries.map((query) => `| ${query} | ${results.map((r) => cell(r, query)).join(' | ')} |`),
          `| seed (s) / indexes (s) | ${results.map((r) => `${r.seedSeconds.toFixed(1)} / ${r.indexSeconds.toFixed(1)}`).join(' | ')} |`,
          '',
        ];
  return [
    `# Store candidates at ${rooms.toLocaleString('en-US')} rooms`,
    '',
    `Run ${date} on ${machine.cores} cores (${machine.cpuModel}), load average ${machine.loadAverage1m} at the start. Milliseconds, p50 / max, one query in flight; plans in the JSON.`,
    '',
    ...wireTable,
    ...renderRedis(redis),
  ].join('\n');
}

const rooms = Number(process.env.STORE_ROOMS ?? 100_000);
const samples = Number(process.env.STORE_SAMPLES ?? 5);
const budgetPerQueryMs = Number(process.env.STORE_BUDGET_S ?? 60) * 1000;
if (![rooms, samples, budgetPerQueryMs].every((value) => Number.isInteger(value) && value > 0)) throw new Error('STORE_ROOMS, STORE_SAMPLES and STORE_BUDGET_S must be positive integers');
const date = new Date().toISOString();
const machine = machineInfo();
const progress = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const results = process.env.STORE_URLS ? await measureStoreCandidates(candidatesFromEnv(process.env.STORE_URLS), { rooms, samples, budgetPerQueryMs }, progress) : [];
let redisResult: RedisListingResult | null = null;
if (process.env.STORE_REDIS_URL) {
  const redis = new Redis(process.env.STORE_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    redisResult = await measureRedisListing(redis, { rooms, samples: Math.max(samples, 50) }, progress);
  } finally {
    redis.disconnect();
  }
}
if (results.length === 0 && !redisResult) throw new Error('name at least one candidate: STORE_URLS and/or STORE_REDIS_URL');
mkdirSync(resultsDir, { recursive: true });
const labels = [...results.map((r) => r.label), ...(redisResult ? ['redis'] : [])];
const base = join(resultsDir, `store-candidates-${rooms}-${labels.join('-')}`);
writeFileSync(`${base}.json`, `${JSON.stringify({ date, machine, results, redis: redisResult }, null, 2)}\n`);
writeFileSync(`${base}.md`, renderMarkdown(rooms, results, redisResult, date, machine));
process.stderr.write(`wrote ${base}.json and .md\n`);
if (results.some((r) => r.error)) process.exitCode = 1;
