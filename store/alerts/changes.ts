import type { Connection } from 'mongoose';
import type { AlertRecord } from '../../domain/alert/intake';
import { alertIncidents, alertsCollection, fromDocument } from './alerts';

/** Lookups at once: FerretDB serves each `{_id}` find from its index, and a few in parallel keep a batch quick. */
const PARALLEL = 8;

/**
 * The alerts as they are now (without history), with their revision and incident, for the
 * live stream. One `{_id}` find each, alert and link: the one filter FerretDB runs from an
 * index (an `$in` over ids reads the whole collection there). Gone ones are left out.
 */
export async function alertsById(db: Connection, ids: readonly string[]): Promise<Array<AlertRecord & { rev: number }>> {
  const unique = [...new Set(ids)];
  const found: Array<(AlertRecord & { rev: number }) | null> = new Array(unique.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < unique.length; i = next++) found[i] = await currentAlert(db, unique[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, unique.length) }, worker));
  return found.filter((r): r is AlertRecord & { rev: number } => r !== null);
}

async function currentAlert(db: Connection, id: string): Promise<(AlertRecord & { rev: number }) | null> {
  const [doc, link] = await Promise.all([alertsCollection(db).findOne({ _id: id }, { projection: { history: 0, applied: 0 } }), alertIncidents(db).findOne({ _id: id })]);
  if (!doc) return null;
  const record = fromDocument({ ...doc, history: [], applied: [] });
  return link ? { ...record, incident: link.incident } : record;
}
