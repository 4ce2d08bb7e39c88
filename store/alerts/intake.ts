import type { Connection } from 'mongoose';
import type { AlertEvent, AlertSource } from '../../domain/alert/alert';
import { type AlertRecord, applyEvents, type EventOutcome, eventRef } from '../../domain/alert/intake';
import type { Suppression, SuppressibleAlert } from '../../domain/alert/maintenance';
import { AlertWriteConflict, appliedAmong, insertAlert, latestAlerts, updateAlert } from './alerts';
import { type ChangeEntry, logChanges } from './changeLog';
import type { EnrichmentSource } from './enrichment';
import type { GroupingSource } from './grouping';
import { alertLock } from './keyedLock';
import { type IntakeRequestDocument, markApplied, recordRequest, requestId } from './requests';

/**
 * Accepting one parsed intake request (docs/alerts-processing.md#intake): store the request,
 * apply its events to the alerts, mark it applied. Only then does the API answer 2xx, so an
 * answered request is stored whole; one interrupted in between is finished by the sender's
 * retry, which skips the events already applied.
 */

export interface AcceptedRequest {
  source: AlertSource;
  sender: string;
  actor: string;
  digest: string;
  payload: unknown;
  receivedAt: string;
  events: AlertEvent[];
  notes: string[];
}

export interface IntakeResult {
  requestId: string;
  /** The body was delivered before and its events applied then; nothing changed now. */
  duplicate: boolean;
  outcomes: EventOutcome[];
  /** The alerts as written whose state or flapping changed: what their groups must hear. */
  changed: AlertRecord[];
}

/** Returns what suppresses an alert at the time given, e.g. from the silences in force. */
export type SuppressionSource = (at: string) => Promise<(alert: SuppressibleAlert) => Suppression>;

/** What intake reads besides the alerts: suppression and, when configured, the CMDB. */
export interface IntakeSources {
  suppressionAt: SuppressionSource;
  enrichment?: EnrichmentSource;
  /** The alert group each alert belongs to by the rules (none: no rule takes it), stored with the alert. */
  grouping?: GroupingSource;
}

/**
 * In one process the lock orders requests about one alert; the revision check catches a
 * write from another process (atomic on MongoDB), and the request reads again.
 */
const MAX_ATTEMPTS = 8;

export async function acceptRequest(db: Connection, request: AcceptedRequest, sources: IntakeSources): Promise<IntakeResult> {
  const id = requestId(request.source, request.sender, request.digest);
  const doc: IntakeRequestDocument = {
    _id: id,
    source: request.source,
    sender: request.sender,
    digest: request.digest,
    body: JSON.stringify(request.payload),
    receivedAt: request.receivedAt,
    actor: request.actor,
    state: 'received',
    appliedAt: null,
    outcomes: [],
    notes: request.notes,
    redeliveries: 0,
  };
  const earlier = await recordRequest(db, doc);
  if (earlier && earlier.state !== 'received') return { requestId: id, duplicate: true, outcomes: earlier.outcomes, changed: [] };
  const fingerprints = request.events.map((e) => (e.kind === 'report' ? e.alert.fingerprint : e.key.fingerprint));
  const { outcomes, written } = await alertLock(db).withLocks(fingerprints, () => applyWithRetry(db, id, request, fingerprints, sources, earlier !== null));
  await markApplied(db, id, outcomes, new Date().toISOString());
  const changedIds = new Set(outcomes.filter((o) => o.changed).map((o) => o.alertId));
  return { requestId: id, duplicate: false, outcomes, changed: written.filter((r) => changedIds.has(r.id)) };
}

async function applyWithRetry(db: Connection, id: string, request: AcceptedRequest, fingerprints: string[], sources: IntakeSources, retried: boolean): Promise<{ outcomes: EventOutcome[]; written: AlertRecord[] }> {
  const refs = request.events.map((_e, i) => eventRef(id, i));
  const [suppressionOf, enrich] = await Promise.all([sources.suppressionAt(request.receivedAt), sources.enrichment?.()]);
  for (let attempt = 1; ; attempt += 1) {
    // A first delivery has applied nothing yet; a retry (or a clash) may have applied part.
    const skip = retried || attempt > 1 ? await appliedAmong(db, refs) : new Set<string>();
    const latest = await latestAlerts(db, fingerprints);
    const result = applyEvents({ bodyId: id, events: request.events, latest, suppressionOf, enrich, skip });
    const groupOf = await sources.grouping?.();
    // The console's change log gets the request's writes in one insert, also those made before a clash.
    const logged: ChangeEntry[] = [];
    const log = (entry: ChangeEntry) => void logged.push(entry);
    const written: AlertRecord[] = [];
    try {
      for (const { record: applied, created } of result.writes.values()) {
        const group = groupOf?.(applied);
        const record = group ? { ...applied, ...group } : applied;
        if (created) await insertAlert(db, record, log);
        else await updateAlert(db, record, latest.get(record.fingerprint)!.rev, log);
        written.push(record);
      }
    } catch (error) {
      // Best effort: a store that failed the write may fail this too (the alerts' next change is logged).
      await logChanges(db, logged).catch(() => undefined);
      if (!(error instanceof AlertWriteConflict) || attempt >= MAX_ATTEMPTS) throw error;
      continue;
    }
    await logChanges(db, logged);
    return { outcomes: result.outcomes, written };
  }
}
