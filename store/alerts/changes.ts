import type { Connection } from 'mongoose';
import type { AlertRecord } from '../../domain/alert/intake';
import { alertIncidents, alertsCollection, fromDocument, withIncidents } from './alerts';

/**
 * What changed in the alerts since a time, for the console's live stream (api/alertFeed.ts):
 * the documents written since then (`changedAt`, stamped by each writer) and the incident
 * links made since then (`alert_incidents.at`, stamped by the group's worker). Plain range
 * finds on indexed fields, which FerretDB serves; it has no change streams.
 */

/** A write, as the stream tells one apart from the next: the alert's id and revision. */
export interface AlertWrite {
  id: string;
  rev: number;
  changedAt: string;
}

/** Writes stamped at or after `since`, oldest first, at most `limit` (the caller pages by time). */
export async function writesSince(db: Connection, since: string, limit: number): Promise<AlertWrite[]> {
  const docs = await alertsCollection(db)
    .find({ changedAt: { $gte: since } }, { projection: { _id: 1, rev: 1, changedAt: 1 } })
    .sort({ changedAt: 1, _id: 1 })
    .limit(limit)
    .toArray();
  return docs.map((d) => ({ id: d._id, rev: d.rev, changedAt: d.changedAt }));
}

export interface IncidentLinkWrite {
  id: string;
  incident: string;
  at: string;
}

/** Incident links made at or after `since`, oldest first, at most `limit`. */
export async function incidentLinksSince(db: Connection, since: string, limit: number): Promise<IncidentLinkWrite[]> {
  const links = await alertIncidents(db).find({ at: { $gte: since } }).sort({ at: 1, _id: 1 }).limit(limit).toArray();
  return links.map((l) => ({ id: l._id, incident: l.incident, at: l.at }));
}

/** The alerts as they are now (without history), with their revision and incident. */
export async function alertsById(db: Connection, ids: readonly string[]): Promise<Array<AlertRecord & { rev: number }>> {
  if (!ids.length) return [];
  const docs = await alertsCollection(db)
    .find({ _id: { $in: [...new Set(ids)] } }, { projection: { history: 0, applied: 0 } })
    .toArray();
  return withIncidents(db, docs.map((doc) => fromDocument({ ...doc, history: [], applied: [] })));
}
