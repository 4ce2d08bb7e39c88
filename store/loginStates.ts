import { randomBytes } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';

/** A sign-in in progress at an identity provider (state, nonce, PKCE verifier), used once. */
interface LoginStateDocument {
  _id: string;
  data: string;
  createdAt: Date;
}

const schema = new Schema<LoginStateDocument>({ _id: String, data: { type: String, required: true }, createdAt: { type: Date, required: true } }, { collection: 'login_states', versionKey: false });

function model(db: Connection) {
  return db.models.LoginState ?? db.model<LoginStateDocument>('LoginState', schema);
}

const MAX_AGE_MS = 10 * 60_000;

export async function saveLoginState(db: Connection, data: unknown): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  await model(db).create({ _id: id, data: JSON.stringify(data), createdAt: new Date() });
  // Abandoned sign-ins are swept as new ones start.
  await model(db).deleteMany({ createdAt: { $lt: new Date(Date.now() - MAX_AGE_MS) } }).exec();
  return id;
}

/** Returns and deletes the state, so a callback can be replayed at most once. */
export async function takeLoginState<T>(db: Connection, id: string): Promise<T | null> {
  const found = await model(db).findOneAndDelete({ _id: id }).lean<LoginStateDocument>().exec();
  return found ? (JSON.parse(found.data) as T) : null;
}
