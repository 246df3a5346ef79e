import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { acquirePidLock } from './pid-lock.js';

const secretsSchema = z.object({ turnSecret: z.string().min(32) });
export type StackSecrets = z.infer<typeof secretsSchema>;

/**
 * Secrets the local stack generates once and keeps with its data, so a restart keeps working
 * TURN credentials. Nothing here is committed: production takes its secrets from the environment.
 */
export function loadOrCreateSecrets(dataDir: string): StackSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const secrets: StackSecrets = { turnSecret: randomBytes(32).toString('base64url') };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/**
 * One launcher per data folder: two stacks writing one FerretDB/Redis folder would corrupt it.
 * A lock left by a launcher that died is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  return acquirePidLock(
    join(dataDir, 'launcher.pid'),
    (pid) => new Error(`another launcher (pid ${pid}) is using ${dataDir}; stop it first or pass a different data folder`),
  );
}

/** Empties the data folder for `--fresh` (users, rooms, keys, secrets), keeping only the lock. */
export function wipeDataDir(dataDir: string): void {
  for (const entry of readdirSync(dataDir)) {
    if (entry !== 'launcher.pid') rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}
