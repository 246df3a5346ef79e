import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { chartFolder } from './tools.js';

/** A values case CI checks: helm arguments on top of the chart's values.yaml. */
export interface ValuesCase {
  name: 'default' | 'cluster' | 'minimal';
  args: string[];
}

/** Fresh ES256 keys in PKCS8 PEM, as an operator makes them (README: openssl genpkey). */
export function generateSigningKeyFiles(): { authKeyFile: string; roomsKeyFile: string; authKey: string; roomsKey: string } {
  const folder = mkdtempSync(join(tmpdir(), 'meshcall-chart-'));
  // Throwaway keys, but private keys all the same: gone when the test file that made them ends.
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const authKey = pem();
  const roomsKey = pem();
  const authKeyFile = join(folder, 'auth.pem');
  const roomsKeyFile = join(folder, 'rooms.pem');
  writeFileSync(authKeyFile, authKey, { mode: 0o600 });
  writeFileSync(roomsKeyFile, roomsKey, { mode: 0o600 });
  return { authKeyFile, roomsKeyFile, authKey, roomsKey };
}

export const signingKeys = generateSigningKeyFiles();

export const valuesCases: ValuesCase[] = [
  { name: 'default', args: [] },
  { name: 'cluster', args: ['-f', `${chartFolder}/ci/cluster-values.yaml`] },
  {
    name: 'minimal',
    args: [
      '-f',
      `${chartFolder}/ci/minimal-values.yaml`,
      '--set-file',
      `secrets.authSigningKey=${signingKeys.authKeyFile}`,
      '--set-file',
      `secrets.roomsSigningKey=${signingKeys.roomsKeyFile}`,
    ],
  },
];

export function valuesCase(name: ValuesCase['name']): ValuesCase {
  return valuesCases.find((c) => c.name === name) as ValuesCase;
}
