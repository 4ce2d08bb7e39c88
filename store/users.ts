import { type Connection, Schema } from 'mongoose';

/** A person who signs in. `_id` is the user name, lower case, so it is unique by construction. */
export interface UserDocument {
  _id: string;
  displayName: string;
  email: string | null;
  manager: string | null;
  active: boolean;
  roles: string[];
  /** argon2id hash; null for users who sign in only through SSO or LDAP. */
  passwordHash: string | null;
  source: 'local' | 'ldap' | 'oidc';
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

const schema = new Schema<UserDocument>(
  {
    _id: String,
    displayName: { type: String, required: true },
    email: { type: String, default: null },
    manager: { type: String, default: null },
    active: { type: Boolean, default: true },
    roles: { type: [String], default: [] },
    passwordHash: { type: String, default: null },
    source: { type: String, required: true },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: String, default: null },
    createdAt: { type: String, required: true },
    updatedAt: { type: String, required: true },
  },
  { collection: 'users', versionKey: false },
);

export function userModel(db: Connection) {
  return db.models.User ?? db.model<UserDocument>('User', schema);
}

/** The user without secrets, as the API shows it. */
export function publicUser({ _id, passwordHash: _hash, failedLogins: _f, ...rest }: UserDocument) {
  return { username: _id, ...rest };
}

/** Inserts a new local user; throws a duplicate-key error (11000) if the name is taken. */
export async function insertUser(db: Connection, user: { username: string; displayName: string; email?: string | null; roles: string[]; passwordHash: string | null }): Promise<void> {
  const now = new Date().toISOString();
  await userModel(db).create({
    _id: user.username,
    displayName: user.displayName,
    email: user.email ?? null,
    manager: null,
    active: true,
    roles: user.roles,
    passwordHash: user.passwordHash,
    source: 'local',
    failedLogins: 0,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
  });
}
