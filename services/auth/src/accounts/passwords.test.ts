import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPasswordHasher } from './passwords.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('password hasher', () => {
  it('hashes with bcrypt at the configured cost and verifies only the right password', async () => {
    const passwords = await createPasswordHasher(5);
    const hash = await passwords.hash('correct horse battery');
    expect(bcrypt.getRounds(hash)).toBe(5);
    expect(await passwords.verify('correct horse battery', hash)).toBe(true);
    expect(await passwords.verify('correct horse batterY', hash)).toBe(false);
  });

  it('for an unknown account still runs one full compare, against a hash of the same cost', async () => {
    const passwords = await createPasswordHasher(5);
    const compare = vi.spyOn(bcrypt, 'compare');
    expect(await passwords.verify('correct horse battery', undefined)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    const comparedWith = compare.mock.calls[0]![1] as string;
    expect(bcrypt.getRounds(comparedWith)).toBe(5);
  });
});
