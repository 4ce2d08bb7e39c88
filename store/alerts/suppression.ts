import type { Connection } from 'mongoose';
import { applySuppression } from '../../domain/alert/lifecycle';
import { suppression } from '../../domain/alert/maintenance';
import { AlertWriteConflict, alertsCollection, fromDocument, updateAlert } from './alerts';
import type { SuppressionSource } from './intake';
import { currentSilences } from './silences';

/** What suppresses alerts at a time: the silences in force then (maintenance windows join them with the CMDB enrichment). */
export function storedSuppression(db: Connection): SuppressionSource {
  return async (at) => {
    const silences = await currentSilences(db, at);
    return (alert) => suppression(alert, silences, [], at);
  };
}

/**
 * Re-reads suppression for every open alert after silences changed, so a new silence shows
 * at once on the alerts it matches and an expired one releases them. An alert written by
 * intake meanwhile is left alone: that write already read the silences.
 */
export async function resuppressOpenAlerts(db: Connection, at: string): Promise<{ changed: number }> {
  const suppressionOf = await storedSuppression(db)(at);
  let changed = 0;
  for await (const doc of alertsCollection(db).find({ latest: true, state: { $in: ['firing', 'suppressed', 'acknowledged'] } })) {
    const record = fromDocument(doc);
    const next = applySuppression(record, suppressionOf({ status: 'firing', labels: record.labels, ciId: record.ciId }), at);
    const sameBy = JSON.stringify(next.episode.suppressedBy) === JSON.stringify(record.suppressedBy);
    if (!next.changed && sameBy) continue;
    try {
      await updateAlert(db, { ...record, ...next.episode }, record.rev);
      if (next.changed) changed += 1;
    } catch (error) {
      if (!(error instanceof AlertWriteConflict)) throw error;
    }
  }
  return { changed };
}
