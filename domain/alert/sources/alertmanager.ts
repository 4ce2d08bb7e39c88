/**
 * Prometheus Alertmanager's webhook receiver, message version 4 (notify/webhook/webhook.go:
 * `Message` = template.Data + version, groupKey, truncatedAlerts). One message carries one
 * notification group: many alerts, firing and resolved together. Each alert is identified
 * by its label set; its `fingerprint` (a hash of the labels) is kept as the native key.
 *
 * Fields newer than this adapter (notification_reason, routeLabels, and whatever comes
 * next) are accepted and ignored: Alertmanager adds optional fields within version 4.
 */

import { type AlertEvent, type AlertStatus, type NormalizedAlert, resourceFrom, type Severity, summaryLine } from '../alert';
import { alertFingerprint, labelsKey, payloadDigest } from '../fingerprint';
import { DEFAULT_LIMITS, type FieldProblem, type IntakeContext, type IntakeLimits, type ParseResult, type SourceAdapter } from './adapter';
import {
  annotationRule,
  BODY,
  capped,
  isObject,
  isoOf,
  type JsonObject,
  labelRule,
  limitsOf,
  pointerOf,
  readChoice,
  readStringMap,
  readText,
  readTime,
  receivedAtOf,
  shown,
} from './fields';

/** A notification group can be large in an outage; Alertmanager's own max_alerts defaults to no limit. */
export const ALERTMANAGER_LIMITS: IntakeLimits = { ...DEFAULT_LIMITS, maxAlerts: 10_000 };

const STATUSES = ['firing', 'resolved'] as const;

/** The fields of one alert of the message, checked. */
interface AlertFields {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  generatorURL: string | undefined;
  fingerprint: string | undefined;
}

export const alertmanager: SourceAdapter = { source: 'alertmanager', limits: ALERTMANAGER_LIMITS, parse: parseAlertmanager };

export function parseAlertmanager(payload: unknown, context: IntakeContext): ParseResult {
  const receivedAt = receivedAtOf(context);
  const limits = limitsOf(ALERTMANAGER_LIMITS, context.limits);
  if (!isObject(payload)) {
    return { ok: false, errors: [{ field: BODY, message: `must be an Alertmanager webhook message: an object with version "4", status, receiver, groupKey and alerts; got ${shown(payload)}` }] };
  }
  const problems: FieldProblem[] = [];
  const notes = checkEnvelope(payload, problems);
  const alerts = alertList(payload.alerts, problems, limits).map((alert, i) => readAlert(alert, `${BODY}.alerts.${i}`, problems, limits));
  if (problems.length > 0) return { ok: false, errors: capped(problems) };
  const digest = payloadDigest(payload);
  const sender = context.sender ?? '';
  const events: AlertEvent[] = alerts.map((fields, i) => ({
    kind: 'report',
    alert: normalize(fields!, { sender, receivedAt, digest, pointer: pointerOf('alerts', i) }),
  }));
  return { ok: true, events, digest, notes };
}

/** The message's own fields; only the ones every version-4 sender sets are required. */
function checkEnvelope(payload: JsonObject, problems: FieldProblem[]): string[] {
  const version = payload.version;
  if (version !== '4') {
    problems.push({
      field: `${BODY}.version`,
      message: version === undefined ? 'is required: "4", the Alertmanager webhook message version' : `must be "4": only version 4 of Alertmanager's webhook message is understood, got ${shown(version)}`,
    });
  }
  readChoice(payload.status, `${BODY}.status`, problems, STATUSES);
  readText(payload.receiver, `${BODY}.receiver`, problems, { required: true });
  readText(payload.groupKey, `${BODY}.groupKey`, problems, { required: true });
  readText(payload.externalURL, `${BODY}.externalURL`, problems);
  for (const key of ['groupLabels', 'commonLabels', 'commonAnnotations'] as const) {
    const value = payload[key];
    if (value !== undefined && value !== null && !isObject(value)) problems.push({ field: `${BODY}.${key}`, message: `must be an object of names to text values, got ${shown(value)}` });
  }
  return truncationNotes(payload.truncatedAlerts, problems);
}

/** Alertmanager's max_alerts drops the rest of a large group from the message: worth a log line, not a refusal. */
function truncationNotes(value: unknown, problems: FieldProblem[]): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    problems.push({ field: `${BODY}.truncatedAlerts`, message: `must be a whole number of 0 or more, got ${shown(value)}` });
    return [];
  }
  return value > 0 ? [`Alertmanager left ${value} alert${value === 1 ? '' : 's'} of this group out of the message (its max_alerts setting)`] : [];
}

function alertList(value: unknown, problems: FieldProblem[], limits: IntakeLimits): unknown[] {
  const field = `${BODY}.alerts`;
  if (!Array.isArray(value)) {
    problems.push({ field, message: value === undefined ? 'is required: the list of alerts' : `must be a list of alerts, got ${shown(value)}` });
    return [];
  }
  if (value.length > limits.maxAlerts) {
    problems.push({ field, message: `holds ${value.length} alerts; at most ${limits.maxAlerts} are accepted in one message (set max_alerts on the webhook receiver)` });
    return [];
  }
  return value;
}

function readAlert(value: unknown, field: string, problems: FieldProblem[], limits: IntakeLimits): AlertFields | undefined {
  if (!isObject(value)) {
    problems.push({ field, message: `must be an alert object with status, labels and startsAt, got ${shown(value)}` });
    return undefined;
  }
  const before = problems.length;
  const status = readChoice(value.status, `${field}.status`, problems, STATUSES);
  const labels = readLabels(value.labels, `${field}.labels`, problems, limits);
  const annotations = readStringMap(value.annotations, `${field}.annotations`, problems, annotationRule(limits));
  const startsAt = readTime(value.startsAt, `${field}.startsAt`, problems, true);
  const endsAt = readTime(value.endsAt, `${field}.endsAt`, problems);
  if (startsAt !== null && endsAt !== null && endsAt < startsAt) problems.push({ field: `${field}.endsAt`, message: `is before startsAt (${isoOf(startsAt)})` });
  const generatorURL = readText(value.generatorURL, `${field}.generatorURL`, problems, { max: 4096 });
  const fingerprint = readText(value.fingerprint, `${field}.fingerprint`, problems, { max: 255 });
  if (problems.length > before) return undefined;
  return { status: status!, labels, annotations, startsAt: startsAt!, endsAt, generatorURL, fingerprint };
}

/** Labels are what identifies an Alertmanager alert: required, and at least one. */
function readLabels(value: unknown, field: string, problems: FieldProblem[], limits: IntakeLimits): Record<string, string> {
  if (value === undefined || value === null) {
    problems.push({ field, message: 'is required: the labels that identify the alert' });
    return {};
  }
  const before = problems.length;
  const labels = readStringMap(value, field, problems, labelRule(limits));
  if (problems.length === before && Object.keys(labels).length === 0) problems.push({ field, message: 'must hold at least one label: labels are what identifies an Alertmanager alert' });
  return labels;
}

interface Place {
  sender: string;
  receivedAt: number;
  digest: string;
  pointer: string;
}

function normalize(fields: AlertFields, place: Place): NormalizedAlert {
  const { labels, annotations } = fields;
  const nativeKey = fields.fingerprint ?? labelsKey(labels);
  const name = labels.alertname ?? (annotations.summary === undefined ? `alert ${nativeKey}` : summaryLine(annotations.summary, 256));
  const nativeSeverity = labels.severity ?? labels.priority ?? null;
  return {
    source: 'alertmanager',
    sender: place.sender,
    nativeKey,
    nativeKeyFrom: fields.fingerprint === undefined ? 'labels' : 'source',
    fingerprint: alertFingerprint('alertmanager', place.sender, nativeKey),
    name,
    severity: severityOf(nativeSeverity),
    nativeSeverity,
    status: fields.status,
    summary: summaryLine(annotations.summary ?? annotations.message ?? annotations.description ?? name),
    description: annotations.description ?? null,
    labels,
    annotations,
    resource: resourceOf(labels),
    startsAt: isoOf(fields.startsAt),
    endsAt: endOf(fields, place.receivedAt),
    receivedAt: isoOf(place.receivedAt),
    generatorURL: fields.generatorURL ?? null,
    raw: { digest: place.digest, pointer: place.pointer },
  };
}

/** A resolved alert ended at its endsAt; if it gives none (not Alertmanager, a hand-written one), when it was reported resolved. */
function endOf(fields: AlertFields, receivedAt: number): string | null {
  if (fields.endsAt !== null) return isoOf(fields.endsAt);
  return fields.status === 'resolved' ? isoOf(Math.max(fields.startsAt, receivedAt)) : null;
}

/**
 * The `severity` label (else `priority`), by the words rule authors use. Alertmanager has
 * no severity of its own; an alert without the label, or with an unknown word, is a warning:
 * visible, but not paged on a guess.
 */
const SEVERITY_WORDS: Record<string, Severity> = {
  ...words('critical', ['critical', 'crit', 'fatal', 'emergency', 'emerg', 'alert', 'disaster', 'page', 'p1', 'sev1']),
  ...words('major', ['major', 'high', 'error', 'err', 'p2', 'sev2']),
  ...words('minor', ['minor', 'average', 'medium', 'moderate', 'p3', 'sev3']),
  ...words('warning', ['warning', 'warn', 'low', 'p4', 'sev4']),
  ...words('info', ['info', 'information', 'informational', 'notice', 'none', 'debug', 'ok', 'p5', 'sev5']),
};

function words(severity: Severity, list: string[]): Record<string, Severity> {
  return Object.fromEntries(list.map((word) => [word, severity]));
}

export function severityOf(label: string | null): Severity {
  const word = label?.trim().toLowerCase();
  return word !== undefined && Object.hasOwn(SEVERITY_WORDS, word) ? SEVERITY_WORDS[word]! : 'warning';
}

/** The labels Prometheus exporters and rule authors commonly use to say which machine and service. */
function resourceOf(labels: Record<string, string>) {
  return resourceFrom({
    host: labels.host ?? labels.hostname ?? labels.nodename ?? labels.node,
    ip: labels.ip,
    instance: labels.instance,
    service: labels.service ?? labels.app ?? labels.application,
    component: labels.component ?? labels.device,
  });
}
