import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';

/** API tokens look like `fdt_<id>_<secret>`; only the secret's SHA-256 is stored. */
export interface TokenDocument {
  _id: string;
  owner: string;
  name: string;
  /** A subset of the owner's permissions; checked again at use, as the owner's roles may shrink. */
  scopes: string[];
  secretHash: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const schema = new Schema<TokenDocument>(
  {
    _id: String,
    owner: { type: String, required: true },
    name: { type: String, required: true },
    scopes: { type: [String], default: [] },
    secretHash: { type: String, required: true },
    createdAt: String,
    expiresAt: { type: String, default: null },
    lastUsedAt: { type: String, default: null },
    revokedAt: { type: String, default: null },
  },
  { collection: 'api_tokens', versionKey: false },
);
schema.index({ owner: 1 });

export function tokenModel(db: Connection) {
  return db.models.ApiToken ?? db.model<TokenDocument>('ApiToken', schema);
}

const TOKEN_PATTERN = /^fdt_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
const digest = (secret: string) => createHash('sha256').update(secret).digest();

export async function issueToken(db: Connection, owner: string, name: string, scopes: string[], expiresAt: string | null, now = new Date()) {
  const id = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  const doc = await tokenModel(db).create({ _id: id, owner, name, scopes, secretHash: digest(secret).toString('hex'), createdAt: now.toISOString(), expiresAt });
  return { token: `fdt_${id}_${secret}`, record: publicToken(doc.toObject()) };
}

/** The token's record when `presented` is a valid, unexpired, unrevoked token; records its use. */
export async function checkToken(db: Connection, presented: string, now = new Date()): Promise<TokenDocument | null> {
  const match = TOKEN_PATTERN.exec(presented);
  if (!match) return null;
  const record = await tokenModel(db).findById(match[1]).lean<TokenDocument>().exec();
  if (!record || record.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(record.secretHash, 'hex'), digest(match[2]!))) return null;
  if (record.expiresAt && new Date(record.expiresAt) <= now) return null;
  // Last use to the minute is enough, and spares a write per request.
  if (!record.lastUsedAt || now.getTime() - new Date(record.lastUsedAt).getTime() > 60_000) {
    await tokenModel(db).updateOne({ _id: record._id }, { $set: { lastUsedAt: now.toISOString() } }).exec();
  }
  return record;
}

export function publicToken({ _id, secretHash: _secret, ...rest }: TokenDocument) {
  return { id: _id, ...rest };
}
