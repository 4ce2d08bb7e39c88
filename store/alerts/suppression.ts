import type { Connection } from 'mongoose';
import { applySuppression } from '../../domain/alert/lifecycle';
import { suppression } from '../../domain/alert/maintenance';
import type { Suppression, SuppressibleAlert } from '../../domain/alert/maintenance';
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
export async function resuppressOpenAlerts(db: Connection, at: string, cmdb?: CmdbSource): Promise<{ changed: number }> {
  const suppressionOf = await storedSuppression(db, cmdb)(at);
  let changed = 0;
  const open = await alertsCollection(db).find({ latest: true, state: { $in: ['firing', 'suppressed', 'acknowledged'] } }, { projection: { _id: 1, fingerprint: 1 } }).toArray();
  for (const { _id, fingerprint } of open) {
    if (await alertLock(db).withLocks([fingerprint], () => resuppress(db, _id, suppressionOf, at))) changed += 1;
  }
  return { changed };
}

/** Re-reads one alert's suppression; true when its state changed. */
async function resuppress(db: Connection, id: string, suppressionOf: (alert: SuppressibleAlert) => Suppression, at: string): Promise<boolean> {
  const found = await findAlert(db, id);
  if (!found || found.state === 'resolved') return false;
  const { latest: _latest, ...record } = found;
  const next = applySuppression(record, suppressionOf({ status: 'firing', labels: record.labels, ciId: record.ciId }), at);
  const sameBy = JSON.stringify(next.episode.suppressedBy) === JSON.stringify(record.suppressedBy);
  if (!next.changed && sameBy) return false;
  try {
    await updateAlert(db, { ...record, ...next.episode }, record.rev);
    return next.changed;
  } catch (error) {
    // Another process wrote it meanwhile, having read the silences itself.
    if (!(error instanceof AlertWriteConflict)) throw error;
    return false;
  }
}
