import { createHash, randomBytes } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';

/** Idle and absolute lifetimes of a UI session. */
export const SESSION_LIFETIME = { idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000 } as const;

/** Only the SHA-256 of the session id is stored: a copy of the database opens no session. */
interface SessionDocument {
  _id: string;
  username: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
}

const schema = new Schema<SessionDocument>(
  { _id: String, username: { type: String, required: true }, csrfToken: { type: String, required: true }, createdAt: Date, lastSeenAt: Date },
  { collection: 'sessions', versionKey: false },
);
schema.index({ username: 1 });

function model(db: Connection) {
  return db.models.Session ?? db.model<SessionDocument>('Session', schema);
}

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

export async function createSession(db: Connection, username: string, now = new Date()): Promise<{ id: string; csrfToken: string }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await model(db).create({ _id: digest(id), username, csrfToken, createdAt: now, lastSeenAt: now });
  return { id, csrfToken };
}

/** The live session for `id`, touching its idle clock; null when unknown or expired (and then deleted). */
export async function findSession(db: Connection, id: string, now = new Date()): Promise<{ username: string; csrfToken: string } | null> {
  const session = await model(db).findById(digest(id)).lean<SessionDocument>().exec();
  if (!session) return null;
  const idle = now.getTime() - new Date(session.lastSeenAt).getTime() > SESSION_LIFETIME.idleMs;
  const old = now.getTime() - new Date(session.createdAt).getTime() > SESSION_LIFETIME.absoluteMs;
  if (idle || old) {
    await model(db).deleteOne({ _id: session._id }).exec();
    return null;
  }
  // Touch at most once a minute: a busy UI should not write on every request.
  if (now.getTime() - new Date(session.lastSeenAt).getTime() > 60_000) await model(db).updateOne({ _id: session._id }, { $set: { lastSeenAt: now } }).exec();
  return { username: session.username, csrfToken: session.csrfToken };
}

export async function deleteSession(db: Connection, id: string): Promise<void> {
  await model(db).deleteOne({ _id: digest(id) }).exec();
}

export async function deleteSessionsOf(db: Connection, username: string): Promise<void> {
  await model(db).deleteMany({ username }).exec();
}
