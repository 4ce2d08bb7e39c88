/**
 * Built-in thresholds (docs/alerts-collection.md#alerts): a threshold rule's crossing on one
 * instance of one CI, as an alert event for the same intake as every other source. Pure.
 * What the crossing says (its summary, values, limits) is put into words by the collection
 * (domain/collection/crossingReport.ts); this file gives it its keys and its alert shape.
 *
 * The native key is `<rule>|<CI id>|<instance>`: one alert per rule, CI and interface or
 * mount point, whichever job polled it, so the resolve lands on the alert that fired. The
 * fingerprint is the usual SHA-256 over source `threshold`, the sender (`thresholds`) and
 * that key. Labels carry `ci: <CI id>`, so the enrichment's first rule (`labels.ci` → id)
 * finds the CI without guessing by name or address.
 */

import { type AlertEvent, type NormalizedAlert, resourceFrom, type Severity, summaryLine } from '../alert';
import { alertFingerprint, payloadDigest } from '../fingerprint';

/** The intake integration threshold alerts are stored under (part of their fingerprints). */
export const THRESHOLD_SENDER = 'thresholds';

export interface ThresholdReport {
  rule: { id: string; name: string; severity: Severity; metric: string; labels: Readonly<Record<string, string>>; description: string };
  ci: { id: string; name: string; address: string | null };
  /** The interface or mount point; '' for the device. */
  instance: string;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  /** The sample's time: the event's time of receipt. */
  at: string;
  summary: string;
  annotations: Readonly<Record<string, string>>;
}

export const thresholdKey = (rule: string, ciId: string, instance: string) => `${rule}|${ciId}|${instance}`;

/**
 * One intake request for the crossings of one device's poll: the events in order, and the
 * digest of what they say, so recording the same poll again is a re-delivery, not a repeat.
 */
export function thresholdRequest(reports: readonly ThresholdReport[], sender = THRESHOLD_SENDER): { events: AlertEvent[]; digest: string; payload: unknown } {
  const payload = reports.map((r) => ({ rule: r.rule.id, ci: r.ci.id, instance: r.instance, status: r.status, startsAt: r.startsAt, endsAt: r.endsAt, at: r.at, annotations: r.annotations }));
  const digest = payloadDigest(payload);
  return { events: reports.map((r, i) => ({ kind: 'report', alert: thresholdAlert(r, { sender, digest, pointer: `/${i}` }) })), digest, payload };
}

export function thresholdAlert(r: ThresholdReport, context: { sender: string; digest: string; pointer: string }): NormalizedAlert {
  const nativeKey = thresholdKey(r.rule.id, r.ci.id, r.instance);
  // The rule's own labels first: the ones that identify the alert are not theirs to change.
  const labels: Record<string, string> = { ...r.rule.labels, alertname: r.rule.name, rule: r.rule.id, metric: r.rule.metric, ci: r.ci.id, ...(r.instance ? { instance: r.instance } : {}) };
  return {
    source: 'threshold',
    sender: context.sender,
    nativeKey,
    fingerprint: alertFingerprint('threshold', context.sender, nativeKey),
    nativeKeyFrom: 'source',
    name: r.rule.name,
    severity: r.rule.severity,
    nativeSeverity: null,
    status: r.status,
    summary: summaryLine(r.summary),
    description: r.rule.description || null,
    labels: sorted(labels),
    annotations: sorted({ ...r.annotations }),
    resource: resourceFrom({ host: r.ci.name, ip: r.ci.address ?? undefined, component: r.instance || undefined }),
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    receivedAt: r.at,
    generatorURL: null,
    raw: { digest: context.digest, pointer: context.pointer },
  };
}

const sorted = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
