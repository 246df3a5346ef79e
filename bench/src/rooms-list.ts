/**
 * `npm run bench:rooms -w @meshcall/bench`: the rooms service's list latency with 10,000 rooms
 * (see scenarios/rooms-list.ts). Writes rooms-list.json and .md to bench/results (or the
 * BENCH_RESULTS_DIR folder under it); `npm run bench` runs it as its child step of the same name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsFolder } from './results-folder.js';
import { measureRoomsList, renderRoomsList } from './scenarios/rooms-list.js';

const resultsDir = resultsFolder();

const report = await measureRoomsList();
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'rooms-list.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(resultsDir, 'rooms-list.md'), renderRoomsList(report));
console.log(`wrote ${join(resultsDir, 'rooms-list.json')} and .md`);
