import type { Connection } from 'mongoose';
import { applySuppression } from '../../domain/alert/lifecycle';
import { suppression } from '../../domain/alert/maintenance';
import type { Suppression, SuppressibleAlert } from '../../domain/alert/maintenance';
import type { AlertRecord } from '../../domain/alert/intake';
import { AlertWriteConflict, alertsCollection, findAlert, updateAlert } from './alerts';
import { alertLock } from './keyedLock';
import type { SuppressionSource } from './intake';
import { select, type Selector } from '../../domain/cmdb/selector';
import type { CmdbSource } from './enrichment';
import { currentWindows } from './maintenanceWindows';
import { currentSilences } from './silences';

/**
 * What suppresses alerts at a time: the silences in force then, and the maintenance windows
 * over the alert's CI (a selector-scoped window's CIs resolved from the CMDB as it is now).
 */
export function storedSuppression(db: Connection, cmdb?: CmdbSource): SuppressionSource {
  return async (at) => {
    const [silences, windows] = await Promise.all([currentSilences(db, at), currentWindows(db, at)]);
    const resolved = new Map<string, Set<string>>();
    const selectorScoped = windows.filter((w) => 'selector' in w.scope);
    if (selectorScoped.length) {
      if (!cmdb) throw new Error('maintenance windows with a CMDB selector need the CMDB to resolve');
      const [graph, model] = await Promise.all([cmdb.graph(), cmdb.model()]);
      for (const w of selectorScoped) resolved.set(w.id, select((w.scope as { selector: Selector }).selector, { graph, model }));
    }
    return (alert) => suppression(alert, silences, windows, at, resolved);
  };
}

/**
 * Re-reads suppression for every open alert after silences changed, so a new silence shows
 * at once on the alerts it matches and an expired one releases them.
 */
export async function resuppressOpenAlerts(db: Connection, at: string, cmdb?: CmdbSource): Promise<{ changed: AlertRecord[] }> {
  const suppressionOf = await storedSuppression(db, cmdb)(at);
  const changed: AlertRecord[] = [];
  const open = await alertsCollection(db).find({ latest: true, state: { $in: ['firing', 'suppressed', 'acknowledged'] } }, { projection: { _id: 1, fingerprint: 1 } }).toArray();
  for (const { _id, fingerprint } of open) {
    const record = await alertLock(db).withLocks([fingerprint], () => resuppress(db, _id, suppressionOf, at));
    if (record) changed.push(record);
  }
  return { changed };
}

/** Re-reads one alert's suppression; the alert as written when its state changed, else null. */
async function resuppress(db: Connection, id: string, suppressionOf: (alert: SuppressibleAlert) => Suppression, at: string): Promise<AlertRecord | null> {
  const found = await findAlert(db, id);
  if (!found || found.state === 'resolved') return null;
  const { latest: _latest, ...record } = found;
  const next = applySuppression(record, suppressionOf({ status: 'firing', labels: record.labels, ciId: record.ciId }), at);
  const sameBy = JSON.stringify(next.episode.suppressedBy) === JSON.stringify(record.suppressedBy);
  if (!next.changed && sameBy) return null;
  const written = { ...record, ...next.episode };
  try {
    await updateAlert(db, written, record.rev);
    return next.changed ? written : null;
  } catch (error) {
    // Another process wrote it meanwhile, having read the silences itself.
    if (!(error instanceof AlertWriteConflict)) throw error;
    return null;
  }
}
