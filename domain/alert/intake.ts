/**
 * What one accepted request does to the alerts it names (docs/alerts-processing.md#intake).
 *
 * Pure: the store loads the latest alert of every fingerprint the request's events name,
 * calls `applyEvents`, and writes back the records it returns. Events apply in the body's
 * order, each to the result of the one before, so "trigger, resolve, trigger" of one key in
 * one request is two alerts.
 *
 * A request interrupted half-way (the API crashed between two writes) is applied again when
 * the sender retries it. Each record keeps the references of the latest events applied to it
 * (`<bodyId>/<index>`); the store passes those of the request being retried as `skip`, so an
 * event already applied is not counted twice.
 */

import type { AlertEvent, AlertKey, NormalizedAlert } from './alert';
import type { AlertContext } from './enrichment';
import { acknowledge, type AlertEpisode, applyOccurrence, DEFAULT_FLAP_POLICY, episodeId, type FlapPolicy } from './lifecycle';
import type { Suppression, SuppressibleAlert } from './maintenance';

/** The latest message's view of the alert: what lists, silences and rules look at. */
export type AlertView = Omit<NormalizedAlert, 'status' | 'receivedAt' | 'startsAt'>;

/** One stored alert: an episode of a fingerprint, with the view its latest message gave. */
export type AlertRecord = AlertEpisode &
  AlertView & {
    /** `<fingerprint>#<episode>`. */
    id: string;
    /** The CI enrichment mapped it to; null when none was found. */
    ciId: string | null;
    /** What the CMDB knows around that CI, as of the latest message. */
    context: AlertContext | null;
    /** References of the latest events applied to it, newest last (at most MAX_APPLIED). */
    applied: string[];
    /** The alert group it joined, and the incident that group opened or attached it to (set by the group). */
    groupKey?: string;
    incident?: string;
    /** Set when it joined its group by topology: the group's probable root CI then, and the open alerts it relates to. */
    topology?: { rootCi: string; related: string[] };
  };

export const MAX_APPLIED = 32;

export interface EventOutcome {
  /** The event's place in the request's events. */
  index: number;
  fingerprint: string;
  /** The alert it landed on; null when it named none. */
  alertId: string | null;
  /** `skipped`: applied by an earlier delivery of the same request. */
  kind: 'opened' | 'repeated' | 'resolved' | 'acknowledged' | 'ignored' | 'skipped';
  /** Whether the alert's state or flapping changed (its group must hear of it). */
  changed: boolean;
  /** Why an event was ignored. */
  reason?: string;
}

export interface ApplyInput {
  /** The stored request's id; with an event's index it names the event. */
  bodyId: string;
  events: readonly AlertEvent[];
  /** The latest alert of each fingerprint the events name (absent: never seen). */
  latest: ReadonlyMap<string, AlertRecord>;
  /** What suppresses an alert with these labels and CI now. */
  suppressionOf: (alert: SuppressibleAlert) => Suppression;
  /** The CMDB context of a reported alert (its CI and around); absent: keep what the alert had. */
  enrich?: (alert: NormalizedAlert) => AlertContext | null;
  /** References already applied (a retried request); empty on a first delivery. */
  skip?: ReadonlySet<string>;
  flapPolicy?: FlapPolicy;
}

export interface ApplyResult {
  /** Every record to write, by id: new ones (`created`) and changed ones. */
  writes: Map<string, { record: AlertRecord; created: boolean }>;
  outcomes: EventOutcome[];
}

export const eventRef = (bodyId: string, index: number) => `${bodyId}/${index}`;

/** Who acknowledged, when the sender did: `source:zabbix`, `source:events/<sender>`. */
export const senderActor = (key: AlertKey) => `source:${key.source}${key.sender ? `/${key.sender}` : ''}`;

export function applyEvents(input: ApplyInput): ApplyResult {
  const current = new Map(input.latest);
  const writes: ApplyResult['writes'] = new Map();
  const outcomes: EventOutcome[] = [];
  input.events.forEach((event, index) => {
    const ref = eventRef(input.bodyId, index);
    const fingerprint = event.kind === 'report' ? event.alert.fingerprint : event.key.fingerprint;
    const before = current.get(fingerprint) ?? null;
    if (input.skip?.has(ref)) {
      outcomes.push({ index, fingerprint, alertId: before?.id ?? null, changed: false, kind: 'skipped' });
      return;
    }
    const step = applyOne(event, before, input);
    outcomes.push({ index, fingerprint, ...step.outcome });
    if (!step.record) return;
    const record = { ...step.record, applied: [...step.record.applied, ref].slice(-MAX_APPLIED) };
    current.set(fingerprint, record);
    writes.set(record.id, { record, created: step.created || (writes.get(record.id)?.created ?? false) });
  });
  return { writes, outcomes };
}

type Step = { outcome: Omit<EventOutcome, 'index' | 'fingerprint'>; record: AlertRecord | null; created: boolean };

function applyOne(event: AlertEvent, before: AlertRecord | null, input: ApplyInput): Step {
  const policy = input.flapPolicy ?? DEFAULT_FLAP_POLICY;
  if (event.kind === 'acknowledge') {
    if (!before) return ignored(null, 'an acknowledgement for a key with no alert');
    const acked = acknowledge(before, senderActor(event.key), event.at);
    if (!acked.ok) return ignored(before, acked.reason);
    if (!acked.changed) return ignored(before, `alert ${before.id} is already acknowledged`);
    return { outcome: { kind: 'acknowledged', alertId: before.id, changed: true }, record: { ...before, ...acked.episode }, created: false };
  }
  const occurrence =
    event.kind === 'resolve'
      ? { fingerprint: event.key.fingerprint, status: 'resolved' as const, receivedAt: event.at, endsAt: event.at }
      : { fingerprint: event.alert.fingerprint, status: event.alert.status, receivedAt: event.alert.receivedAt, startsAt: event.alert.startsAt, endsAt: event.alert.endsAt };
  const labels = event.kind === 'report' ? event.alert.labels : (before?.labels ?? {});
  // Enriched before suppression: a maintenance window covers the alert by its CI.
  const context = event.kind === 'report' && input.enrich ? input.enrich(event.alert) : (before?.context ?? null);
  const suppressed = input.suppressionOf({ status: occurrence.status, labels, ciId: context?.ci.id ?? null });
  const outcome = applyOccurrence(before, occurrence, suppressed, policy);
  if (outcome.kind === 'ignored') return ignored(before, outcome.reason);
  // The lifecycle returns the whole record it was given, changed: the new message's view goes on top.
  const episode = outcome.episode;
  const id = episodeId(episode);
  const created = outcome.kind === 'opened';
  const base: Pick<AlertRecord, 'ciId' | 'context' | 'applied'> = { ciId: context?.ci.id ?? null, context, applied: created ? [] : before!.applied };
  const view = event.kind === 'report' ? viewOf(event.alert) : { ...viewOfRecord(before!), endsAt: event.at, raw: event.raw };
  return { outcome: { kind: outcome.kind, alertId: id, changed: outcome.changed }, record: { ...episode, ...base, ...view, id }, created };
}

const ignored = (before: AlertRecord | null, reason: string): Step => ({ outcome: { kind: 'ignored', alertId: before?.id ?? null, changed: false, reason }, record: null, created: false });

function viewOf(alert: NormalizedAlert): AlertView {
  const { status: _status, receivedAt: _received, startsAt: _starts, ...view } = alert;
  return view;
}

function viewOfRecord(record: AlertRecord): AlertView {
  const { source, sender, nativeKey, fingerprint, nativeKeyFrom, name, severity, nativeSeverity, summary, description, labels, annotations, resource, endsAt, generatorURL, raw } = record;
  return { source, sender, nativeKey, fingerprint, nativeKeyFrom, name, severity, nativeSeverity, summary, description, labels, annotations, resource, endsAt, generatorURL, raw };
}
