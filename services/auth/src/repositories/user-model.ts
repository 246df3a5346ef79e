import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import type { PublicUser } from '@meshcall/shared';

export interface UserFields {
  name: string;
  /** Trimmed and lower-cased by the request schema before it gets here; unique. */
  email: string;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserMethods {
  /** The user as every API returns it: never the password hash. */
  toPublicUser(): PublicUser;
}

export type UserModel = Model<UserFields, object, UserMethods>;
export type UserDocument = HydratedDocument<UserFields, UserMethods>;

const userSchema = new Schema<UserFields, UserModel, UserMethods>(
  {
    name: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
  },
  {
    timestamps: true,
    // Indexes are built explicitly once connected (see ensureIndexes); mongoose's automatic build
    // would run before the connection exists and fail quietly with bufferCommands off.
    autoIndex: false,
    autoCreate: false,
    methods: {
      toPublicUser(): PublicUser {
        return { id: this._id.toHexString(), name: this.name, email: this.email, createdAt: this.createdAt.toISOString() };
      },
    },
  },
);
// `unique` is an index, not a validator: it is what makes concurrent sign-ups of one address safe.
userSchema.index({ email: 1 }, { unique: true });

export function userModel(connection: Connection): UserModel {
  return connection.model<UserFields, UserModel>('User', userSchema, 'users');
}
