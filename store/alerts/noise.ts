import type { Connection } from 'mongoose';
import type { NoiseAlert } from '../../domain/alert/noise';
import { alertsCollection } from './alerts';

/**
 * What the noise figures (domain/alert/noise.ts) read: the alerts that opened in [from, to),
 * projected to source, count, group key, state and who made each state change. A range find
 * on an indexed field with a projection, which FerretDB serves.
 */
export async function alertsOpenedBetween(db: Connection, from: string, to: string, max: number): Promise<{ alerts: NoiseAlert[]; truncated: boolean }> {
  const docs = await alertsCollection(db)
    .find({ firstSeen: { $gte: from, $lt: to } }, { projection: { _id: 0, source: 1, count: 1, groupKey: 1, state: 1, 'history.type': 1, 'history.to': 1, 'history.by': 1 } })
    .sort({ firstSeen: 1 })
    .limit(max + 1)
    .toArray();
  const alerts = docs.slice(0, max).map((d) => ({ source: d.source, count: d.count, groupKey: d.groupKey ?? null, state: d.state, history: d.history ?? [] }));
  return { alerts, truncated: docs.length > max };
}
