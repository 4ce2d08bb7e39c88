import type { Connection } from 'mongoose';

/**
 * The alert change log (`alert_changes`): one small insert for every write of an alert and
 * every incident link, `_id` `<at>~<alert id>~<what>` (`r<revision>`, `i<incident>`), kept
 * for RETAIN_MS. The console's live stream (api/alertFeed.ts) reads what was logged since a
 * time here instead of in the alerts: FerretDB has no change streams, and it runs every
 * filter but `{_id}` over the whole collection, so a range read must be over a small one.
 * Inserts only, each with its own id: writers in several processes never clash.
 */

export interface AlertChange {
  _id: string;
  /** When it was logged, by the writer's clock (just after the write itself). */
  at: string;
  alert: string;
}

/** Longer than a stream may resume after (10 minutes), with room for pruning every minute. */
export const RETAIN_MS = 15 * 60_000;

const changes = (db: Connection) => db.collection<AlertChange>('alert_changes');

export async function ensureChangeLogIndexes(db: Connection): Promise<void> {
  await changes(db).createIndex({ at: 1 });
}

export type ChangeEntry = { alert: string; what: string };

/** Entries per insert command (a 10,000-alert Alertmanager body is logged in 20). */
const PER_COMMAND = 500;

/** Logs that these alerts changed (`what` tells the writes of one alert apart). */
export async function logChanges(db: Connection, entries: readonly ChangeEntry[]): Promise<void> {
  const at = new Date().toISOString();
  for (let i = 0; i < entries.length; i += PER_COMMAND) {
    try {
      await changes(db).insertMany(
        entries.slice(i, i + PER_COMMAND).map((e) => ({ _id: `${at}~${e.alert}~${e.what}`, at, alert: e.alert })),
        { ordered: false },
      );
    } catch (error) {
      // The same write logged twice in one millisecond (a retried link): once is enough.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }
}

/** What was logged at or after `since`, oldest first, at most `limit`. */
export async function changesSince(db: Connection, since: string, limit: number): Promise<AlertChange[]> {
  return changes(db).find({ at: { $gte: since } }).sort({ at: 1, _id: 1 }).limit(limit).toArray();
}

/** Drops what was logged before `before`. */
export async function pruneChanges(db: Connection, before: string): Promise<number> {
  return (await changes(db).deleteMany({ at: { $lt: before } })).deletedCount;
}
