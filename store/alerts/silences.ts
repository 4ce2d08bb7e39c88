import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Silence, SilenceSpec } from '../../domain/alert/silence';

/**
 * Silences (`alert_silences`, by id). Expiring a silence ends it now, as Alertmanager does;
 * the record stays, so an alert's history can still name it.
 */
export type SilenceDocument = Omit<Silence, 'id'> & { _id: string; createdAt: string; updatedBy?: string };

const silences = (db: Connection) => db.collection<SilenceDocument>('alert_silences');

export const silenceOf = ({ _id, ...rest }: SilenceDocument): Silence & { createdAt: string } => ({ id: _id, ...rest });

export async function ensureSilenceIndexes(db: Connection): Promise<void> {
  await silences(db).createIndex({ endsAt: 1 });
}

export async function insertSilence(db: Connection, spec: SilenceSpec, at: string): Promise<Silence & { createdAt: string }> {
  const { id, ...rest } = spec;
  const doc: SilenceDocument = { ...rest, _id: id ?? randomUUID(), createdAt: at };
  await silences(db).insertOne(doc);
  return silenceOf(doc);
}

export async function findSilence(db: Connection, id: string): Promise<(Silence & { createdAt: string }) | null> {
  const doc = await silences(db).findOne({ _id: id });
  return doc && silenceOf(doc);
}

/** Silences that have not ended by `at` (pending ones included), soonest ending first. */
export async function currentSilences(db: Connection, at: string): Promise<Array<Silence & { createdAt: string }>> {
  return (await silences(db).find({ endsAt: { $gt: at } }).sort({ endsAt: 1 }).toArray()).map(silenceOf);
}

/** Every silence, latest ending first (expired ones too, for the record). */
export async function listSilences(db: Connection, limit: number): Promise<Array<Silence & { createdAt: string }>> {
  return (await silences(db).find({}).sort({ endsAt: -1 }).limit(limit).toArray()).map(silenceOf);
}

/** Ends a silence at `at`; false when it had already ended. */
export async function expireSilence(db: Connection, id: string, at: string, by: string): Promise<boolean> {
  const result = await silences(db).updateOne({ _id: id, endsAt: { $gt: at } }, { $set: { endsAt: at, updatedBy: by } });
  return result.modifiedCount === 1;
}
