import type { RegisterBody, LoginBody } from '@meshcall/shared';
import type { UserDocument } from '../repositories/user-model.js';
import type { UserRepository } from '../repositories/user-repository.js';
import { assertAcceptablePassword } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';

export interface Accounts {
  /**
   * Creates the account; throws AppError WEAK_PASSWORD for a guessable password and EMAIL_TAKEN
   * when the address is in use.
   */
  register(input: RegisterBody): Promise<UserDocument>;
  /** The user when email and password match, null otherwise (never saying which part was wrong). */
  verifyCredentials(input: LoginBody): Promise<UserDocument | null>;
  findById(id: string): Promise<UserDocument | null>;
}

export function createAccounts(users: UserRepository, passwords: PasswordHasher): Accounts {
  return {
    async register({ name, email, password }) {
      assertAcceptablePassword(password, { email, name });
      return users.create({ name, email, passwordHash: await passwords.hash(password) });
    },
    async verifyCredentials({ email, password }) {
      const user = await users.findByEmail(email);
      const matches = await passwords.verify(password, user?.passwordHash);
      return matches ? user : null;
    },
    findById: (id) => users.findById(id),
  };
}
