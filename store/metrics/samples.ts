import type { Connection } from 'mongoose';
import type { Sample } from '../../domain/collection/metrics';
import type { Point } from '../../domain/collection/series';

/**
 * Metric samples (`metric_samples`, docs/alerts-collection.md#samples): one document per CI,
 * metric, instance and poll time, its id made of those four, so recording a poll twice
 * stores it once. Read by CI and metric over a time range (index ci, metric, at), in time
 * order; instances are told apart in the caller. Plain finds and deletes only: FerretDB has
 * no TTL indexes, so old samples are deleted by `pruneSamples`.
 */

export interface SampleDocument {
  _id: string;
  ci: string;
  metric: string;
  instance: string;
  value: number;
  /** ISO 8601 UTC with milliseconds, so text order is time order. */
  at: string;
}

export const samplesCollection = (db: Connection) => db.collection<SampleDocument>('metric_samples');

const DUPLICATE_KEY = 11000;
/** Inserts per command; a retried recording collides on every one, each collision costs a read. */
const INSERTS_PER_COMMAND = 100;

export async function ensureSampleIndexes(db: Connection): Promise<void> {
  await samplesCollection(db).createIndex({ ci: 1, metric: 1, at: 1 });
}

export const sampleId = (ci: string, metric: string, instance: string, at: string) => JSON.stringify([ci, metric, instance, at]);

/** Stores a poll's samples; samples already stored (a retried recording) are left as they are. */
export async function insertSamples(db: Connection, ci: string, at: string, samples: readonly Sample[]): Promise<void> {
  const docs = samples.map((s): SampleDocument => ({ _id: sampleId(ci, s.metric, s.instance, at), ci, metric: s.metric, instance: s.instance, value: s.value, at }));
  for (let i = 0; i < docs.length; i += INSERTS_PER_COMMAND) {
    try {
      await samplesCollection(db).insertMany(docs.slice(i, i + INSERTS_PER_COMMAND), { ordered: false });
    } catch (error) {
      const errors = (error as { writeErrors?: Array<{ code?: number }> }).writeErrors ?? [error as { code?: number }];
      if (!errors.every((e) => e.code === DUPLICATE_KEY)) throw error;
    }
  }
}

export interface SampleQuery {
  ci: string;
  metric: string;
  /** One instance; absent: every instance. */
  instance?: string;
  from: string;
  /** Exclusive. */
  to: string;
}

/** The samples in the range, oldest first, by instance; `truncated` when more than `limit` were there. */
export async function readSamples(db: Connection, query: SampleQuery, limit: number): Promise<{ series: Map<string, Point[]>; truncated: boolean }> {
  const filter: Record<string, unknown> = { ci: query.ci, metric: query.metric, at: { $gte: query.from, $lt: query.to } };
  if (query.instance !== undefined) filter.instance = query.instance;
  const docs = await samplesCollection(db).find(filter, { projection: { instance: 1, value: 1, at: 1 } }).sort({ at: 1 }).limit(limit + 1).toArray();
  const series = new Map<string, Point[]>();
  for (const doc of docs.slice(0, limit)) {
    const points = series.get(doc.instance) ?? [];
    points.push({ at: doc.at, value: doc.value });
    series.set(doc.instance, points);
  }
  return { series, truncated: docs.length > limit };
}

/** Deletes a CI's samples older than `before`. */
export async function pruneSamples(db: Connection, ci: string, before: string): Promise<number> {
  const result = await samplesCollection(db).deleteMany({ ci, at: { $lt: before } });
  return result.deletedCount;
}
