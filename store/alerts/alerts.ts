import type { Connection } from 'mongoose';
import type { AlertCriteria } from '../../domain/alert/filter';
import type { AlertRecord } from '../../domain/alert/intake';
import { alertLock } from './keyedLock';
import { type ChangeEntry, ensureChangeLogIndexes, logChanges } from './changeLog';

/**
 * Alerts (`alerts`, one document per episode, by `<fingerprint>#<episode>`). The latest
 * episode of a fingerprint carries `latest: true`, so intake loads the alerts a request
 * names in one query. `rev` counts the document's writes: intake writes only over the
 * revision it read, and on a clash reads again (two requests about one alert at once).
 *
 * Labels and annotations are stored as lists of pairs: their names come from the senders
 * (a PagerDuty custom detail may be called `p99.ms` or `$cost`), and document stores refuse
 * field names with dots or a leading `$`. `terms` (`name=value`) make label equality indexable.
 *
 * Every write, and every incident link, is also logged in `alert_changes` (changeLog.ts), for
 * the console's live stream.
 */

type Pairs = Array<{ name: string; value: string }>;

export type AlertDocument = Omit<AlertRecord, 'id' | 'labels' | 'annotations'> & {
  _id: string;
  labels: Pairs;
  annotations: Pairs;
  terms: string[];
  latest: boolean;
  rev: number;
};

export const alertsCollection = (db: Connection) => db.collection<AlertDocument>('alerts');

export async function ensureAlertIndexes(db: Connection): Promise<void> {
  const alerts = alertsCollection(db);
  await Promise.all([
    alerts.createIndex({ fingerprint: 1, latest: 1 }),
    alerts.createIndex({ lastSeen: -1 }),
    alerts.createIndex({ state: 1, lastSeen: -1 }),
    alerts.createIndex({ terms: 1 }),
    alerts.createIndex({ applied: 1 }),
    alerts.createIndex({ firstSeen: 1 }),
    alerts.createIndex({ groupKey: 1, lastSeen: -1 }),
    alertIncidents(db).createIndex({ groupKey: 1 }),
    ensureChangeLogIndexes(db),
  ]);
}

const pairs = (record: Record<string, string>): Pairs => Object.entries(record).map(([name, value]) => ({ name, value }));
const recordOf = (list: Pairs): Record<string, string> => Object.fromEntries(list.map((p) => [p.name, p.value]));

export function toDocument(record: AlertRecord, rev: number, latest: boolean): AlertDocument {
  // The incident lives in alert_incidents (linkIncident); it is merged in on reads only.
  const { id, labels, annotations, incident: _incident, ...rest } = record;
  return { ...rest, _id: id, labels: pairs(labels), annotations: pairs(annotations), terms: Object.entries(labels).map(([n, v]) => `${n}=${v}`), latest, rev };
}

export function fromDocument(doc: AlertDocument): AlertRecord & { rev: number } {
  const { _id, labels, annotations, terms: _terms, latest: _latest, ...rest } = doc;
  return { ...rest, id: _id, labels: recordOf(labels), annotations: recordOf(annotations) };
}

/** The latest alert of each fingerprint (a crash between two writes can leave two marked latest: the higher episode wins). */
export async function latestAlerts(db: Connection, fingerprints: readonly string[]): Promise<Map<string, AlertRecord & { rev: number }>> {
  const found = new Map<string, AlertRecord & { rev: number }>();
  if (!fingerprints.length) return found;
  for (const doc of await alertsCollection(db).find({ fingerprint: { $in: [...new Set(fingerprints)] }, latest: true }).toArray()) {
    const known = found.get(doc.fingerprint);
    if (!known || known.episode < doc.episode) found.set(doc.fingerprint, fromDocument(doc));
  }
  return found;
}

/** Event references of `refs` that some alert already records as applied (a retried request). */
export async function appliedAmong(db: Connection, refs: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(refs);
  const done = new Set<string>();
  if (!refs.length) return done;
  for (const doc of await alertsCollection(db).find({ applied: { $in: refs } }, { projection: { applied: 1 } }).toArray()) {
    for (const ref of doc.applied) if (wanted.has(ref)) done.add(ref);
  }
  return done;
}

export class AlertWriteConflict extends Error {}

/**
 * Where a write's change-log entry goes: logged at once (the default), or collected by a
 * caller that writes many alerts and logs them in one insert (intake).
 */
export type ChangeSink = (entry: ChangeEntry) => Promise<void> | void;
const logNow = (db: Connection): ChangeSink => (entry) => logChanges(db, [entry]);

/** Inserts a new episode; another request that opened it first is a conflict. */
export async function insertAlert(db: Connection, record: AlertRecord, log: ChangeSink = logNow(db)): Promise<void> {
  try {
    await alertsCollection(db).insertOne(toDocument(record, 1, true));
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new AlertWriteConflict(`alert ${record.id} was opened by another request`);
    throw error;
  }
  if (record.episode > 1) await alertsCollection(db).updateOne({ _id: `${record.fingerprint}#${record.episode - 1}` }, { $set: { latest: false } });
  await log({ alert: record.id, what: 'r1' });
}

/** Writes over revision `rev`; a write in between is a conflict. */
export async function updateAlert(db: Connection, record: AlertRecord, rev: number, log: ChangeSink = logNow(db)): Promise<void> {
  const doc = toDocument(record, rev + 1, true);
  const { _id, latest: _latest, ...set } = doc;
  const result = await alertsCollection(db).updateOne({ _id, rev }, { $set: set });
  if (result.matchedCount === 0) throw new AlertWriteConflict(`alert ${record.id} changed while this request applied`);
  await log({ alert: record.id, what: `r${rev + 1}` });
}

/**
 * The incident an alert's group opened or attached it to (`alert_incidents`, by alert id),
 * apart from the alert's own document: the group's worker writes it while intake writes the
 * alert, and on FerretDB every update rewrites the whole document, so two writers of one
 * document lose each other's changes. One writer per document keeps both.
 */
export const alertIncidents = (db: Connection) => db.collection<{ _id: string; incident: string; groupKey: string; at: string }>('alert_incidents');

export async function linkIncident(db: Connection, alertIds: readonly string[], incident: string, groupKey: string): Promise<void> {
  const at = new Date().toISOString();
  for (const id of alertIds) await alertIncidents(db).replaceOne({ _id: id }, { incident, groupKey, at }, { upsert: true });
  await logChanges(db, alertIds.map((id) => ({ alert: id, what: `i${incident}` })));
}

async function withIncidents<T extends AlertRecord>(db: Connection, records: T[]): Promise<T[]> {
  if (!records.length) return records;
  const found = new Map((await alertIncidents(db).find({ _id: { $in: records.map((r) => r.id) } }).toArray()).map((l) => [l._id, l.incident]));
  return records.map((r) => (found.has(r.id) ? { ...r, incident: found.get(r.id) } : r));
}

export async function findAlert(db: Connection, id: string): Promise<(AlertRecord & { rev: number; latest: boolean }) | null> {
  const doc = await alertsCollection(db).findOne({ _id: id });
  if (!doc) return null;
  const [record] = await withIncidents(db, [{ ...fromDocument(doc), latest: doc.latest }]);
  return record!;
}

/** The console's criteria (domain/alert/filter.ts, which the live stream checks alike), and paging. */
export interface AlertFilter extends AlertCriteria {
  fingerprint?: string;
  /** lastSeen of the last alert of the previous page. */
  before?: string;
}

/** The store query of the console's criteria. */
export function criteriaQuery(criteria: AlertCriteria): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (criteria.state?.length) query.state = { $in: criteria.state };
  if (criteria.severity?.length) query.severity = { $in: criteria.severity };
  if (criteria.source?.length) query.source = { $in: criteria.source };
  if (criteria.labels?.length) query.terms = { $all: criteria.labels };
  if (criteria.ci !== undefined) query.ciId = criteria.ci;
  // Dot notation into the list of applications (FerretDB has it; it has no $elemMatch).
  if (criteria.application !== undefined) query['context.applications.id'] = criteria.application;
  if (criteria.group !== undefined) query.groupKey = criteria.group;
  return query;
}

/** Most recently seen first. */
export async function listAlerts(db: Connection, filter: AlertFilter, limit: number): Promise<AlertRecord[]> {
  const query = criteriaQuery(filter);
  if (filter.fingerprint) query.fingerprint = filter.fingerprint;
  if (filter.before) query.lastSeen = { $lt: filter.before };
  const docs = await alertsCollection(db).find(query, { projection: { history: 0, applied: 0 } }).sort({ lastSeen: -1, _id: 1 }).limit(limit).toArray();
  return withIncidents(db, docs.map((doc) => fromDocument({ ...doc, history: [], applied: [] })));
}

/** What a person's (or the incident's) change makes of an alert; not ok says why it cannot. */
export type AlertChange = (current: AlertRecord, at: string) => Promise<{ ok: true; episode: Partial<AlertRecord>; changed: boolean } | { ok: false; reason: string }>;

export class AlertChangeRefused extends Error {}

/**
 * Applies `apply` to alert `id` over the revision read, holding the alert's lock; a write in
 * between (another process) is read again. Null when there is no such alert.
 */
export async function changeAlert(db: Connection, id: string, apply: AlertChange): Promise<AlertRecord | null> {
  return alertLock(db).withLocks([id.split('#')[0]!], async () => {
    for (let attempt = 1; ; attempt += 1) {
      const current = await findAlert(db, id);
      if (!current) return null;
      const outcome = await apply(current, new Date().toISOString());
      if (!outcome.ok) throw new AlertChangeRefused(outcome.reason);
      if (!outcome.changed) return current;
      const next = { ...current, ...outcome.episode };
      try {
        await updateAlert(db, next, current.rev);
        return next;
      } catch (error) {
        if (!(error instanceof AlertWriteConflict) || attempt >= 5) throw error;
      }
    }
  });
}
