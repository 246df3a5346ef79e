import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares against `hash`, or against a dummy hash of the same cost when there is no account. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

/**
 * bcrypt at the configured cost. The dummy hash makes "no such account" cost one full compare,
 * like a wrong password, so response time does not tell an attacker which emails exist.
 */
export async function createPasswordHasher(cost: number): Promise<PasswordHasher> {
  const dummyHash = await bcrypt.hash(randomBytes(18).toString('base64'), cost);
  return {
    hash: (password) => bcrypt.hash(password, cost),
    async verify(password, hash) {
      const matches = await bcrypt.compare(password, hash ?? dummyHash);
      return hash !== undefined && matches;
    },
  };
}
