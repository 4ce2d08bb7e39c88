/**
 * The normalized alert: the one shape every intake adapter (Alertmanager, Zabbix, generic
 * events, later SNMP traps and built-in thresholds) turns its sender's payload into, so
 * dedup, silences, enrichment, correlation and escalation are written once. The field by
 * field description, and each source's mapping, are in docs/alerts.md.
 *
 * An adapter does not only report alerts: a PagerDuty-style `acknowledge` or `resolve`
 * names an alert by its key and carries nothing else. So an adapter's output is an ordered
 * list of `AlertEvent`s; order matters, because "trigger, resolve, trigger" of one key in a
 * batch is two occurrences of the alert, not one.
 */

import { parseIp } from '../cmdb/ip';

export const ALERT_SOURCES = [
  'alertmanager',
  'zabbix',
  'events',
  /** Reserved for the trap receiver of issue 7: no adapter yet. */
  'snmp',
  /** The built-in SNMP polling's threshold rules (sources/threshold.ts, docs/alerts-collection.md). */
  'threshold',
] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/**
 * A small fixed scale, most severe first. Five steps because the sources disagree:
 * Zabbix has six levels (one of them "not classified"), PagerDuty four, Alertmanager none
 * (a `severity` label by convention). Each adapter documents how it maps onto this scale;
 * the source's own word is kept in `nativeSeverity`.
 */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 5 for critical down to 1 for info, for "at least major" comparisons and priority matrices. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export type AlertStatus = 'firing' | 'resolved';

/**
 * Where the native key came from: the sender's own identifier (Alertmanager fingerprint,
 * Zabbix problem event id, PagerDuty dedup_key), the alert's labels (a sender that gives no
 * key), or a digest of the event itself (a PagerDuty trigger without dedup_key).
 */
export type NativeKeyOrigin = 'source' | 'labels' | 'payload';

/**
 * What the payload says about the affected thing, for the CMDB enrichment rules that find
 * the CI (by host name, IP, instance or service name). Hints, not a CI: nothing here has
 * been looked up. Every member is absent rather than empty.
 */
export interface AlertResource {
  /** A host name as the sender knows it (not lower-cased: the CMDB rules decide how to compare). */
  host?: string;
  /** Canonical IPv4 or IPv6 text (see domain/cmdb/ip.ts), so it compares equal to CI attributes. */
  ip?: string;
  /** Prometheus' `instance` (host:port, or a URL for probes), verbatim. */
  instance?: string;
  /** A service or application name. */
  service?: string;
  /** The part of the resource at fault: a disk, an interface, a database. */
  component?: string;
}

/** Where the alert's part of the original request body is: the store keeps the body under `digest`. */
export interface RawReference {
  /** SHA-256 (hex) of the canonical JSON of the whole request body; equal bodies, equal digests. */
  digest: string;
  /** RFC 6901 JSON pointer to this alert within the body: '/alerts/3', '/2', or '' for the whole body. */
  pointer: string;
}

/** What identifies an alert across every message about it. */
export interface AlertKey {
  source: AlertSource;
  /**
   * The intake integration the request came through (given by the API from its token), or ''.
   * Native keys are unique only within one sender: two Zabbix servers both have an event 1234.
   */
  sender: string;
  /** The sender's own key for the alert, verbatim, so messages about it can be matched (see fingerprint.ts). */
  nativeKey: string;
  /** FlowDesk's key: SHA-256 over source, sender and native key. Dedup and the store use this one. */
  fingerprint: string;
}

export interface NormalizedAlert extends AlertKey {
  nativeKeyFrom: NativeKeyOrigin;
  /** A short stable name for the kind of problem (Alertmanager's alertname, the Zabbix event name). */
  name: string;
  severity: Severity;
  /** The sender's own severity word or number, e.g. 'page', 'High (4)', 'error'; null when it gave none. */
  nativeSeverity: string | null;
  status: AlertStatus;
  /** One line for lists and ticket titles. */
  summary: string;
  description: string | null;
  /** Identity and routing: what matchers, silences and group keys look at. Keys sorted. */
  labels: Record<string, string>;
  /** Descriptive text that does not identify the alert (runbook URL, operational data). Keys sorted. */
  annotations: Record<string, string>;
  resource: AlertResource;
  /** ISO 8601 UTC (millisecond precision) of when the problem began, as the sender says, else when it arrived. */
  startsAt: string;
  /**
   * When it ended, for a resolved alert. A firing alert may carry one too: Alertmanager's
   * "resolved at this time unless refreshed". null when unknown.
   */
  endsAt: string | null;
  /** When FlowDesk's intake received the request (the API's clock). */
  receivedAt: string;
  /** A link back to the sender's view of the alert, if it gave one. */
  generatorURL: string | null;
  raw: RawReference;
}

export type AlertEvent =
  /** The sender's full view of an alert, firing or resolved: create, refresh or resolve it. */
  | { kind: 'report'; alert: NormalizedAlert }
  /** The sender acknowledged the alert with this key (a PagerDuty acknowledge, a Zabbix ack). */
  | { kind: 'acknowledge'; key: AlertKey; at: string; raw: RawReference }
  /**
   * The sender resolved the alert with this key but sent nothing else (a PagerDuty
   * resolve). With no open alert under the key the store drops it, as PagerDuty does.
   */
  | { kind: 'resolve'; key: AlertKey; at: string; raw: RawReference };

/** Raw hints as an adapter finds them, any of them missing or blank. */
export type ResourceHints = { [K in keyof AlertResource]?: string | undefined };

/**
 * The resource hints in their normalized form: blanks dropped, the IP canonical (an `ip`
 * that is not an address is dropped), and a host and IP read out of `instance` (host:port,
 * [v6]:port, or a probe URL) when no hint names them, because `instance` is often the only
 * place a Prometheus alert says which machine. A "host" that is an IP address counts as the IP.
 */
export function resourceFrom(hints: ResourceHints): AlertResource {
  const instance = present(hints.instance);
  const named = [present(hints.host), instance === undefined ? undefined : instanceHost(instance)].filter((name): name is string => name !== undefined);
  const host = named.find((name) => parseIp(name) === null);
  const ip = [present(hints.ip), ...named].map((text) => (text === undefined ? null : parseIp(text))).find((parsed) => parsed !== null)?.text;
  const resource: AlertResource = {};
  if (host !== undefined) resource.host = host;
  if (ip !== undefined) resource.ip = ip;
  if (instance !== undefined) resource.instance = instance;
  const service = present(hints.service);
  if (service !== undefined) resource.service = service;
  const component = present(hints.component);
  if (component !== undefined) resource.component = component;
  return resource;
}

function present(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** The host part of an instance: 'db-1:9100' → 'db-1', '[fd00::1]:9100' → 'fd00::1', 'https://a.example/x' → 'a.example'. */
export function instanceHost(instance: string): string | undefined {
  const withoutScheme = instance.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const authority = withoutScheme.split(/[/?#]/, 1)[0]!.replace(/^[^@]*@/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(authority);
  if (bracketed) return bracketed[1];
  if (parseIp(authority)) return authority; // a bare IPv6 address has colons but no port
  const host = authority.replace(/:\d+$/, '');
  return host === '' ? undefined : host;
}

/** Summaries are one line for lists and ticket titles: the first non-blank line, cut at `max` characters. */
export function summaryLine(text: string, max = 1024): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
