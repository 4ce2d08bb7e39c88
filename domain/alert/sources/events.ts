/**
 * Generic events with PagerDuty Events API v2 semantics (developer.pagerduty.com, "Send an
 * Alert Event"), so any tool that can page PagerDuty can send to FlowDesk unchanged:
 * `event_action` trigger / acknowledge / resolve, `dedup_key` naming the alert, and a
 * `payload` with summary, source, severity and optional timestamp, component, group, class
 * and custom_details. A body is one event or a list of them.
 *
 * The dedup_key is the native key. A trigger without one gets the SHA-256 of the event
 * itself (its canonical JSON), where PagerDuty would make a random UUID: a random key would
 * turn a re-delivered trigger into a second alert; a digest makes the re-delivery the same
 * alert, while a trigger that differs in anything (another timestamp, another summary) is a
 * new one, as PagerDuty intends for triggers without a key. The key is returned to the
 * sender like PagerDuty's, to acknowledge or resolve with.
 *
 * "After a resolve, a trigger with the same key opens a new alert" is the store's rule (it
 * knows whether the key's alert is open); this adapter only reports events in order.
 */

import { type AlertEvent, type AlertKey, type NormalizedAlert, resourceFrom, type Severity, summaryLine } from '../alert';
import { alertFingerprint, payloadDigest } from '../fingerprint';
import { DEFAULT_LIMITS, type FieldProblem, type IntakeContext, type IntakeLimits, type ParseResult, type SourceAdapter } from './adapter';
import {
  annotationRule,
  capped,
  checkEntry,
  checkMapSize,
  isObject,
  isoOf,
  type Item,
  type JsonObject,
  labelRule,
  limitsOf,
  oneOrMany,
  readChoice,
  readText,
  readTime,
  receivedAtOf,
  shown,
  sortedRecord,
} from './fields';

export const EVENTS_LIMITS: IntakeLimits = { ...DEFAULT_LIMITS, maxAlerts: 1000 };

const ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/** PagerDuty's four levels onto FlowDesk's five: error is the level below critical. Nothing maps to minor. */
const SEVERITY_OF: Record<PagerDutySeverity, Severity> = { critical: 'critical', error: 'major', warning: 'warning', info: 'info' };

/** PagerDuty's own bounds. */
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

interface Trigger {
  action: 'trigger';
  dedupKey: string | undefined;
  summary: string;
  severity: PagerDutySeverity;
  timestamp: number | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hints: { host: string; component: string | undefined; service: string | undefined };
  generatorURL: string | null;
}

interface KeyedAction {
  action: 'acknowledge' | 'resolve';
  dedupKey: string;
}

export const events: SourceAdapter = { source: 'events', limits: EVENTS_LIMITS, parse: parseEvents };

export function parseEvents(payload: unknown, context: IntakeContext): ParseResult {
  const receivedAt = receivedAtOf(context);
  const limits = limitsOf(EVENTS_LIMITS, context.limits);
  const problems: FieldProblem[] = [];
  const items = oneOrMany(payload, problems, limits.maxAlerts, 'event');
  const read = items.map((item) => ({ item, event: readEvent(item, problems, limits) }));
  if (problems.length > 0) return { ok: false, errors: capped(problems) };
  const digest = payloadDigest(payload);
  const sender = context.sender ?? '';
  const out = read.map(({ item, event }) => eventOf(event!, item, { sender, receivedAt, digest }));
  return { ok: true, events: out, digest, notes: [] };
}

// --- Reading one event.

function readEvent(item: Item, problems: FieldProblem[], limits: IntakeLimits): Trigger | KeyedAction | undefined {
  const { value, field } = item;
  if (!isObject(value)) {
    problems.push({ field, message: `must be an event object with event_action (and, for a trigger, payload), got ${shown(value)}` });
    return undefined;
  }
  const before = problems.length;
  const action = readAction(value, `${field}.event_action`, problems);
  const keyField = `${field}.dedup_key`;
  // A blank dedup_key counts as none: a trigger gets a generated one, an acknowledge or resolve is refused.
  const dedupKey = readText(value.dedup_key, keyField, problems, { max: MAX_DEDUP_KEY });
  readText(value.routing_key, `${field}.routing_key`, problems);
  if (action === 'trigger') {
    const trigger = readTrigger(value, dedupKey, field, problems, limits);
    return problems.length > before ? undefined : trigger;
  }
  if (action !== undefined && dedupKey === undefined && !problems.some((p) => p.field === keyField)) {
    problems.push({ field: keyField, message: `is required to ${action}: the dedup_key of the alert, as sent with its trigger or answered by FlowDesk` });
  }
  return problems.length > before ? undefined : { action: action!, dedupKey: dedupKey! };
}

/** event_action, with a pointed message for an Events API v1 body (event_type, service_key, incident_key). */
function readAction(value: JsonObject, field: string, problems: FieldProblem[]): (typeof ACTIONS)[number] | undefined {
  if (value.event_action === undefined && (value.event_type !== undefined || value.service_key !== undefined || value.incident_key !== undefined)) {
    problems.push({ field, message: 'is required; this looks like an Events API v1 event (event_type, service_key, incident_key): send v2 fields event_action, dedup_key and payload' });
    return undefined;
  }
  return readChoice(value.event_action, field, problems, ACTIONS);
}

function readTrigger(value: JsonObject, dedupKey: string | undefined, field: string, problems: FieldProblem[], limits: IntakeLimits): Trigger | undefined {
  const payload = value.payload;
  const at = `${field}.payload`;
  if (!isObject(payload)) {
    problems.push({ field: at, message: payload === undefined ? 'is required for a trigger: an object with summary, source and severity' : `must be an object with summary, source and severity, got ${shown(payload)}` });
    return undefined;
  }
  const maxLabel = limits.maxLabelValueLength;
  const summary = readText(payload.summary, `${at}.summary`, problems, { required: true, max: MAX_SUMMARY });
  const source = readText(payload.source, `${at}.source`, problems, { required: true, max: maxLabel });
  const severity = readChoice(payload.severity, `${at}.severity`, problems, PAGERDUTY_SEVERITIES);
  const timestamp = readTime(payload.timestamp, `${at}.timestamp`, problems);
  const component = readText(payload.component, `${at}.component`, problems, { max: maxLabel });
  const group = readText(payload.group, `${at}.group`, problems, { max: maxLabel });
  const eventClass = readText(payload.class, `${at}.class`, problems, { max: maxLabel });
  const details = readDetails(payload.custom_details, `${at}.custom_details`, problems, limits);
  const client = readText(value.client, `${field}.client`, problems, { max: limits.maxAnnotationValueLength });
  const clientURL = readText(value.client_url, `${field}.client_url`, problems, { max: 4096 });
  if (summary === undefined || source === undefined || severity === undefined) return undefined;
  const name = summaryLine(eventClass ?? summary, 256);
  const labels = sortedRecord(present({ alertname: name, source, component, group, class: eventClass }));
  const annotations = sortedRecord([...present({ client, client_url: clientURL }), ...Object.entries(details)]);
  checkMapSize(Object.keys(annotations).length, `${at}.custom_details`, problems, annotationRule(limits));
  checkMapSize(Object.keys(labels).length, at, problems, labelRule(limits));
  const generatorURL = firstLink(value.links) ?? clientURL ?? null;
  return { action: 'trigger', dedupKey, summary, severity, timestamp, labels, annotations, hints: { host: source, component, service: group }, generatorURL };
}

function present(entries: Record<string, string | undefined>): Array<[string, string]> {
  return Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined);
}

/**
 * custom_details as annotations: text values as they are, other values as JSON, so nothing
 * is lost and annotations stay text. A text body (some tools send one) is one annotation.
 */
function readDetails(value: unknown, field: string, problems: FieldProblem[], limits: IntakeLimits): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string' && !isObject(value)) {
    problems.push({ field, message: `must be an object (or text) of details, got ${shown(value)}` });
    return {};
  }
  const entries: Array<[string, string]> = typeof value === 'string' ? [['details', value]] : Object.entries(value).map(([name, item]) => [name, typeof item === 'string' ? item : (JSON.stringify(item) ?? 'null')]);
  const rule = annotationRule(limits);
  for (const [name, text] of entries) checkEntry(name, text, field, problems, rule);
  return Object.fromEntries(entries);
}

/** images are decoration and are left in the raw body; the first http(s) link is the way back to the sender. */
function firstLink(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  const link = links.find((l): l is { href: string } => isObject(l) && typeof l.href === 'string' && /^https?:\/\//i.test(l.href));
  return link?.href;
}

// --- The event, normalized.

interface Place {
  sender: string;
  receivedAt: number;
  digest: string;
}

function eventOf(event: Trigger | KeyedAction, item: Item, place: Place): AlertEvent {
  const raw = { digest: place.digest, pointer: item.pointer };
  if (event.action === 'trigger') return { kind: 'report', alert: normalize(event, item, place, raw) };
  const key: AlertKey = { source: 'events', sender: place.sender, nativeKey: event.dedupKey, fingerprint: alertFingerprint('events', place.sender, event.dedupKey) };
  return { kind: event.action, key, at: isoOf(place.receivedAt), raw };
}

function normalize(trigger: Trigger, item: Item, place: Place, raw: NormalizedAlert['raw']): NormalizedAlert {
  // The digest of this event alone, not of the body: the same trigger in another batch is the same alert.
  const nativeKey = trigger.dedupKey ?? payloadDigest(item.value);
  return {
    source: 'events',
    sender: place.sender,
    nativeKey,
    nativeKeyFrom: trigger.dedupKey === undefined ? 'payload' : 'source',
    fingerprint: alertFingerprint('events', place.sender, nativeKey),
    name: trigger.labels.alertname!,
    severity: SEVERITY_OF[trigger.severity],
    nativeSeverity: trigger.severity,
    status: 'firing',
    summary: summaryLine(trigger.summary),
    description: null,
    labels: trigger.labels,
    annotations: trigger.annotations,
    resource: resourceFrom(trigger.hints),
    startsAt: isoOf(trigger.timestamp ?? place.receivedAt),
    endsAt: null,
    receivedAt: isoOf(place.receivedAt),
    generatorURL: trigger.generatorURL,
    raw,
  };
}
