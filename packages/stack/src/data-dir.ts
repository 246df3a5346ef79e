import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks this process holds: a pid file naming ourselves says nothing about which stack owns it. */
const lockedHere = new Set<string>();

/**
 * One launcher per data folder: two stacks writing one FerretDB/Redis folder would corrupt it.
 * A lock left by a launcher that died is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'launcher.pid');
  const refuse = (pid: number) =>
    new Error(`another launcher (pid ${pid}) is using ${dataDir}; stop it first or pass a different data folder`);
  if (lockedHere.has(file)) throw refuse(process.pid);
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw refuse(pid);
  }
  writeFileSync(file, String(process.pid));
  lockedHere.add(file);
  return () => {
    lockedHere.delete(file);
    rmSync(file, { force: true });
  };
}

/** Empties the data folder for `--fresh` (users, rooms, keys, secrets), keeping only the lock. */
export function wipeDataDir(dataDir: string): void {
  for (const entry of readdirSync(dataDir)) {
    if (entry !== 'launcher.pid') rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}
