/**
 * `npm run bench:auth -w @meshcall/bench`: sign-in throughput and latency of the auth service at
 * bcrypt cost 12 and 4 (see scenarios/auth-sign-in.ts). Writes auth-sign-in.json
 * and .md to bench/results (or the BENCH_RESULTS_DIR folder under it); `npm run bench` runs it
 * as its child step of the same name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsFolder } from './results-folder.js';
import { measureAuthSignIn, renderAuthSignIn } from './scenarios/auth-sign-in.js';

const resultsDir = resultsFolder();

const report = await measureAuthSignIn();
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'auth-sign-in.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(resultsDir, 'auth-sign-in.md'), renderAuthSignIn(report));
process.stdout.write(renderAuthSignIn(report));
