import type { Connection } from 'mongoose';
import type { Incident } from '../domain/incident';
import { incidentModel } from '../store/incidents';

const DUPLICATE_KEY = 11000;

export function createTicketActivities(db: Connection) {
  const incidents = incidentModel(db);
  return {
    /**
     * Upserts the incident projection unless a newer version is already stored.
     * Idempotent: a retried or late write of an older version changes nothing.
     */
    async persistIncident(incident: Incident): Promise<'written' | 'stale'> {
      const { number, ...fields } = incident;
      const seq = Number(number.slice(3));
      try {
        const result = await incidents
          .updateOne({ _id: number, version: { $lt: incident.version } }, { $set: { ...fields, seq } }, { upsert: true })
          .exec();
        return result.matchedCount + result.upsertedCount > 0 ? 'written' : 'stale';
      } catch (error) {
        // The filter missed because the stored version is newer, so the upsert hit the existing _id.
        if ((error as { code?: number }).code === DUPLICATE_KEY) return 'stale';
        throw error;
      }
    },
  };
}
