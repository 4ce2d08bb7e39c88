import type { Connection } from 'mongoose';
import type { AlertSource } from '../../domain/alert/alert';
import { sha256Hex } from '../../domain/alert/fingerprint';
import type { EventOutcome } from '../../domain/alert/intake';

/**
 * Intake requests (`alert_requests`), one per distinct body a sender delivered: the body as
 * received (JSON text: its keys are the sender's and may hold dots), and whether its events
 * have all been applied. Written before anything else, so an accepted request is always
 * here; a body delivered again finds its record and changes nothing.
 */
export interface IntakeRequestDocument {
  /** SHA-256 of source, sender and the body's digest: the same body from another sender is another request. */
  _id: string;
  source: AlertSource;
  sender: string;
  /** The body's digest (`raw.digest` of its alerts). */
  digest: string;
  body: string;
  receivedAt: string;
  /** Who sent it: the token's owner, or the signed-in user. */
  actor: string;
  /** received → applied (alerts written) → signalled (their groups told). */
  state: 'received' | 'applied' | 'signalled';
  appliedAt: string | null;
  outcomes: EventOutcome[];
  notes: string[];
  /** Deliveries of this body after the first. */
  redeliveries: number;
}

const requests = (db: Connection) => db.collection<IntakeRequestDocument>('alert_requests');

export const requestId = (source: AlertSource, sender: string, digest: string) => sha256Hex(JSON.stringify([source, sender, digest]));

export async function ensureRequestIndexes(db: Connection): Promise<void> {
  await Promise.all([requests(db).createIndex({ receivedAt: -1 }), requests(db).createIndex({ state: 1, receivedAt: 1 })]);
}

/** Stores a request; when it is already stored, counts the delivery and returns the stored one. */
export async function recordRequest(db: Connection, doc: IntakeRequestDocument): Promise<IntakeRequestDocument | null> {
  try {
    await requests(db).insertOne(doc);
    return null;
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
    const earlier = await requests(db).findOneAndUpdate({ _id: doc._id }, { $inc: { redeliveries: 1 } }, { returnDocument: 'after' });
    if (!earlier) throw error;
    return earlier;
  }
}

export async function markApplied(db: Connection, id: string, outcomes: EventOutcome[], at: string): Promise<void> {
  await requests(db).updateOne({ _id: id }, { $set: { state: 'applied', appliedAt: at, outcomes } });
}

export async function markSignalled(db: Connection, id: string): Promise<void> {
  await requests(db).updateOne({ _id: id }, { $set: { state: 'signalled' } });
}

export async function findRequest(db: Connection, id: string): Promise<IntakeRequestDocument | null> {
  return requests(db).findOne({ _id: id });
}

/** Requests whose alerts were written but whose groups were not all told (a process stopped in between), oldest first. */
export async function unsignalledRequests(db: Connection, limit: number): Promise<Array<Pick<IntakeRequestDocument, '_id' | 'outcomes'>>> {
  return requests(db).find({ state: 'applied' }, { projection: { _id: 1, outcomes: 1 } }).sort({ receivedAt: 1 }).limit(limit).toArray();
}
