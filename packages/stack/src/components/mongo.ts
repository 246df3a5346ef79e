import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalComponent } from '../component.js';
import { findBinary } from '../process.js';
import { isPortOpen } from '../ports.js';

export interface MongoWireOptions {
  port: number;
  dataDir: string;
  logDir: string;
}

export type MongoWireKind = 'mongod' | 'ferretdb';

/**
 * Picks the MongoDB-wire server in the order ARCHITECTURE.md fixes: a `mongod` on PATH, then
 * FerretDB 1.24 on PATH. (MONGO_URL, first in that order, is handled by the caller, which then
 * starts nothing; mongodb-memory-server is left out because it downloads MongoDB at run time,
 * which this project never does.)
 */
export function pickMongoWireServer(): MongoWireKind {
  if (findBinary('mongod')) return 'mongod';
  if (findBinary('ferretdb')) return 'ferretdb';
  throw new Error(
    'mongo: no MongoDB-wire server found. Set MONGO_URL, put `mongod` on PATH, or run `npm run setup` to build FerretDB 1.24',
  );
}

export function mongoWireComponent(options: MongoWireOptions, kind: MongoWireKind = pickMongoWireServer()): LocalComponent {
  const dbDir = join(options.dataDir, kind);
  mkdirSync(dbDir, { recursive: true });
  const args =
    kind === 'mongod'
      ? ['--port', String(options.port), '--bind_ip', '127.0.0.1', '--dbpath', dbDir, '--quiet']
      : [
          '--handler=sqlite',
          `--sqlite-url=file:${dbDir}/`,
          `--state-dir=${dbDir}`,
          `--listen-addr=127.0.0.1:${options.port}`,
          // Nothing may call out from here, and the debug HTTP listener would need a port of its own.
          '--telemetry=disable',
          '--debug-addr=-',
          '--log-level=warn',
        ];
  return new LocalComponent({
    name: `mongo (${kind})`,
    processOptions: () => ({ name: 'mongo', command: kind, args, logFile: join(options.logDir, 'mongo.log') }),
    isReady: () => isPortOpen(options.port),
  });
}

export function mongoUrl(port: number, database = 'meshcall'): string {
  return `mongodb://127.0.0.1:${port}/${database}`;
}
