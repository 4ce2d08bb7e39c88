import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { MaintenanceWindow, MaintenanceWindowSpec } from '../../domain/alert/maintenance';

/**
 * Maintenance windows (`alert_maintenance`, by id). The scope (CI ids or a CMDB selector)
 * is stored as JSON text: a selector's `where` holds operators such as `$`-free `eq`, but
 * its attribute names are the model's and may not suit a document store's field rules.
 * Ending a window sets its end to now; the record stays for the alerts' history.
 */
type MaintenanceDocument = Omit<MaintenanceWindow, 'id' | 'scope'> & { _id: string; scope: string; createdAt: string; endedBy?: string };

const windows = (db: Connection) => db.collection<MaintenanceDocument>('alert_maintenance');

export type StoredWindow = MaintenanceWindow & { createdAt: string; endedBy?: string };

const windowOf = ({ _id, scope, ...rest }: MaintenanceDocument): StoredWindow => ({ ...rest, id: _id, scope: JSON.parse(scope) as MaintenanceWindow['scope'] });

export async function insertWindow(db: Connection, spec: MaintenanceWindowSpec, at: string): Promise<StoredWindow> {
  const { id, scope, ...rest } = spec;
  const doc: MaintenanceDocument = { ...rest, _id: id ?? randomUUID(), scope: JSON.stringify(scope), createdAt: at };
  await windows(db).insertOne(doc);
  return windowOf(doc);
}

export async function findWindow(db: Connection, id: string): Promise<StoredWindow | null> {
  const doc = await windows(db).findOne({ _id: id });
  return doc && windowOf(doc);
}

/** Every window, open-ended and not yet ended ones included (few: they are made by hand or by changes). */
export async function listWindows(db: Connection): Promise<StoredWindow[]> {
  return (await windows(db).find({}).sort({ startsAt: -1 }).toArray()).map(windowOf);
}

/** Windows that may still suppress at `at` or later: not ended by then. */
export async function currentWindows(db: Connection, at: string): Promise<StoredWindow[]> {
  return (await listWindows(db)).filter((w) => w.endsAt === undefined || w.endsAt > at);
}

/** Ends a window now; false when it had already ended. */
export async function endWindow(db: Connection, id: string, at: string, by: string): Promise<boolean> {
  const found = await findWindow(db, id);
  if (!found || (found.endsAt !== undefined && found.endsAt <= at)) return false;
  await windows(db).updateOne({ _id: id }, { $set: { endsAt: at < found.startsAt ? found.startsAt : at, endedBy: by } });
  return true;
}
