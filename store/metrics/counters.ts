import type { Connection } from 'mongoose';
import type { CounterSnapshot } from '../../domain/collection/derive';

/**
 * The octet counters of each CI's latest poll (`metric_counters`, one document per CI),
 * kept so the next poll's rates can be taken against them. The one before is kept too:
 * recording a poll again (a retried activity) takes its rates against the same counters
 * as the first time, so a retry stores the same samples.
 */

interface CounterDocument {
  _id: string;
  current: CounterSnapshot;
  previous: CounterSnapshot | null;
}

const counters = (db: Connection) => db.collection<CounterDocument>('metric_counters');

/** What a poll read at `atMs` takes its rates against: the latest earlier snapshot, or null. */
export async function counterBase(db: Connection, ci: string, atMs: number): Promise<CounterSnapshot | null> {
  const doc = await counters(db).findOne({ _id: ci });
  if (!doc) return null;
  if (doc.current.atMs < atMs) return doc.current;
  if (doc.current.atMs === atMs) return doc.previous;
  // An older poll recorded late: rates against a later reading would be negative.
  return null;
}

/** Keeps the snapshot as the CI's latest; an older or the same one changes nothing. */
export async function keepCounters(db: Connection, ci: string, snapshot: CounterSnapshot): Promise<void> {
  const doc = await counters(db).findOne({ _id: ci });
  if (doc && doc.current.atMs >= snapshot.atMs) return;
  await counters(db).replaceOne({ _id: ci }, { current: snapshot, previous: doc?.current ?? null }, { upsert: true });
}
