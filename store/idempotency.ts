import { createHash } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';

/** Remembers which resource a client's Idempotency-Key created, so a retry returns it. */
interface IdempotencyRecord {
  _id: string;
  resource: string;
  fingerprint: string;
  createdAt: Date;
}

const schema = new Schema<IdempotencyRecord>(
  { _id: String, resource: { type: String, required: true }, fingerprint: { type: String, required: true }, createdAt: { type: Date, required: true } },
  { collection: 'idempotency_keys', versionKey: false },
);

function model(db: Connection) {
  return db.models.IdempotencyKey ?? db.model('IdempotencyKey', schema);
}

export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Claims `key` for `resource`, unless an earlier request claimed it: then returns that
 * earlier claim (whose resource the caller must reuse).
 */
export async function claimKey(db: Connection, key: string, resource: string, fingerprint: string): Promise<{ resource: string; fingerprint: string } | null> {
  try {
    await model(db).create({ _id: key, resource, fingerprint, createdAt: new Date() });
    return null;
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    const earlier = await model(db).findById(key).lean<IdempotencyRecord>().exec();
    if (!earlier) throw error;
    return { resource: earlier.resource, fingerprint: earlier.fingerprint };
  }
}

export async function findKey(db: Connection, key: string): Promise<{ resource: string; fingerprint: string } | null> {
  const found = await model(db).findById(key).lean<IdempotencyRecord>().exec();
  return found && { resource: found.resource, fingerprint: found.fingerprint };
}
