import { isValidObjectId } from 'mongoose';
import { AppError, ErrorCode } from '@meshcall/shared';
import { isDuplicateKeyError } from './duplicate-key.js';
import type { UserDocument, UserModel } from './user-model.js';

export interface NewUser {
  name: string;
  email: string;
  passwordHash: string;
}

export interface UserRepository {
  /** Throws AppError EMAIL_TAKEN when the address already has an account. */
  create(user: NewUser): Promise<UserDocument>;
  findByEmail(email: string): Promise<UserDocument | null>;
  findById(id: string): Promise<UserDocument | null>;
}

export function createUserRepository(users: UserModel): UserRepository {
  return {
    async create(user) {
      try {
        return await users.create(user);
      } catch (error) {
        // The unique index decides races: of 20 simultaneous sign-ups of one address exactly
        // one insert wins, and the others land here.
        if (isDuplicateKeyError(error)) throw new AppError(ErrorCode.EMAIL_TAKEN);
        throw error;
      }
    },
    async findByEmail(email) {
      // $eq pins the value as a literal even if a non-string ever slipped past the schema.
      return users.findOne({ email: { $eq: email } });
    },
    async findById(id) {
      if (!isValidObjectId(id)) return null;
      return users.findById(id);
    },
  };
}
