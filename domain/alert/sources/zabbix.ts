/**
 * Zabbix, through a webhook media type whose script posts its parameters as a JSON object
 * (`req.post(url, value)`). The parameter names are FlowDesk's, in the style of Zabbix's
 * own media types (event_id, event_value, event_nseverity, event_tags_json …); the macro
 * each one is set to is in docs/alerts.md. Every value arrives as text.
 *
 * One Zabbix problem is one alert. Zabbix sends a message when the problem starts
 * (event_value 1), on each update (event_update_status 1: acknowledged, commented, severity
 * changed) and when it recovers (event_value 0). In all of them {EVENT.ID} is the problem's
 * event id (the recovery has its own, {EVENT.RECOVERY.ID}), so the problem's event id is
 * the native key and the recovery resolves the problem's alert.
 */

import { type AlertEvent, type NormalizedAlert, resourceFrom, type Severity, summaryLine } from '../alert';
import { alertFingerprint, payloadDigest } from '../fingerprint';
import { DEFAULT_LIMITS, type FieldProblem, type IntakeContext, type IntakeLimits, type ParseResult, type SourceAdapter } from './adapter';
import { annotationRule, capped, checkEntry, checkMapSize, isObject, isoOf, type Item, type JsonObject, labelRule, limitsOf, oneOrMany, shown, sortedRecord, receivedAtOf } from './fields';

/** Zabbix sends one event per call; a list is accepted for scripts that batch. */
export const ZABBIX_LIMITS: IntakeLimits = { ...DEFAULT_LIMITS, maxAlerts: 100 };

/** {EVENT.NSEVERITY} 0-5, in Zabbix's words. */
export const ZABBIX_SEVERITY_NAMES = ['Not classified', 'Information', 'Warning', 'Average', 'High', 'Disaster'] as const;

/**
 * Zabbix's levels onto FlowDesk's scale, keeping its order. "Not classified" is Zabbix's
 * lowest level (below Information), and Zabbix's own PagerDuty and Opsgenie media types
 * map it to their lowest, so here too.
 */
const SEVERITY_OF_LEVEL: readonly Severity[] = ['info', 'info', 'warning', 'minor', 'major', 'critical'];

/** {EVENT.SOURCE}: the kinds of event that are alerts. Discovery (1) and autoregistration (2) are not. */
const ALERT_EVENT_SOURCES: Record<string, string> = { '0': 'trigger', '3': 'internal', '4': 'service' };

/** Optional text parameters kept as annotations under their own names. */
const ANNOTATED = [
  'event_opdata',
  'event_update_action',
  'event_update_message',
  'event_ack_status',
  'event_date',
  'event_time',
  'event_recovery_id',
  'event_recovery_date',
  'event_recovery_time',
  'host_name',
  'host_ip',
  'trigger_description',
  'alert_subject',
  'alert_message',
] as const;

/** Every parameter FlowDesk reads; any other is ignored (it stays in the stored body). */
const PARAMETERS = new Set<string>([
  'event_id',
  'event_source',
  'event_value',
  'event_update_status',
  'event_nseverity',
  'event_name',
  'event_timestamp',
  'event_recovery_timestamp',
  'event_update_timestamp',
  'host_host',
  'trigger_id',
  'zabbix_url',
  ...ANNOTATED,
]);

/** One message, its parameters checked. */
interface ZabbixEvent {
  eventId: string;
  problem: boolean;
  update: boolean;
  acknowledged: boolean;
  level: number;
  name: string;
  eventSource: string;
  labels: Record<string, string>;
  startsAt: number | null;
  recoveredAt: number | null;
  updatedAt: number | null;
  params: Record<string, string>;
}

export const zabbix: SourceAdapter = { source: 'zabbix', limits: ZABBIX_LIMITS, parse: parseZabbix };

export function parseZabbix(payload: unknown, context: IntakeContext): ParseResult {
  const receivedAt = receivedAtOf(context);
  const limits = limitsOf(ZABBIX_LIMITS, context.limits);
  const problems: FieldProblem[] = [];
  const items = oneOrMany(payload, problems, limits.maxAlerts, 'Zabbix event');
  const read = items.map((item) => ({ item, event: readEvent(item, problems, limits) }));
  if (problems.length > 0) return { ok: false, errors: capped(problems) };
  const digest = payloadDigest(payload);
  const sender = context.sender ?? '';
  const notes: string[] = [];
  const events = read.flatMap(({ item, event }) => eventsOf(event!, item, { sender, receivedAt, digest }, notes));
  return { ok: true, events, digest, notes };
}

// --- Reading the parameters.

function readEvent(item: Item, problems: FieldProblem[], limits: IntakeLimits): ZabbixEvent | undefined {
  const { value, field } = item;
  if (!isObject(value)) {
    problems.push({ field, message: `must be the media type's parameters as a JSON object, got ${shown(value)}` });
    return undefined;
  }
  const before = problems.length;
  const params = readParams(value, field, problems);
  const at = (name: string) => `${field}.${name}`;
  const eventId = readId(params.event_id, at('event_id'), problems, true);
  const eventSource = readEventSource(params.event_source, at('event_source'), problems);
  const problem = readFlag(params.event_value, at('event_value'), problems, 'is required: {EVENT.VALUE}, 1 for a problem and 0 for its recovery');
  const update = readFlag(params.event_update_status ?? '0', at('event_update_status'), problems, '');
  const acknowledged = readAck(params.event_ack_status, at('event_ack_status'), problems);
  const level = readLevel(params.event_nseverity, at('event_nseverity'), problems);
  const name = readName(params.event_name, at('event_name'), problems, limits);
  const tags = readTags(value.event_tags_json, at('event_tags_json'), problems);
  const startsAt = readUnixTime(params.event_timestamp, at('event_timestamp'), problems);
  const recoveredAt = readUnixTime(params.event_recovery_timestamp, at('event_recovery_timestamp'), problems);
  const updatedAt = readUnixTime(params.event_update_timestamp, at('event_update_timestamp'), problems);
  readId(params.trigger_id, at('trigger_id'), problems, false);
  readId(params.event_recovery_id, at('event_recovery_id'), problems, false);
  const labels = labelsOf(tags, { alertname: name, host: hostOf(params), trigger_id: params.trigger_id });
  checkSizes(labels, params, field, problems, limits);
  if (problems.length > before) return undefined;
  return { eventId: eventId!, problem: problem!, update: update!, acknowledged, level: level!, name: name!, eventSource: eventSource!, labels, startsAt, recoveredAt, updatedAt, params };
}

const UNRESOLVED_MACRO = /^\{\$?[A-Z0-9_.]+(?::[^}]*)?\}$/;

/**
 * The known parameters as text, trimmed; numbers are accepted for scripts that convert.
 * Zabbix leaves a macro it cannot resolve in place ({EVENT.RECOVERY.ID} in a problem
 * message) and writes UNKNOWN for a host without an interface: both mean "not given", as
 * does a blank. Other types are refused. event_tags_json is read apart.
 */
function readParams(value: JsonObject, field: string, problems: FieldProblem[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    if (!PARAMETERS.has(name) || raw === null || raw === undefined) continue;
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
      problems.push({ field: `${field}.${name}`, message: `must be text, as Zabbix sends every parameter, got ${shown(raw)}` });
      continue;
    }
    const text = String(raw).trim();
    if (text !== '' && !UNRESOLVED_MACRO.test(text) && text !== 'UNKNOWN' && text !== '*UNKNOWN*') params[name] = text;
  }
  return params;
}

/** Zabbix ids: positive whole numbers, up to 64 bits. */
function readId(text: string | undefined, field: string, problems: FieldProblem[], required: boolean): string | undefined {
  if (text === undefined) {
    if (required) problems.push({ field, message: 'is required: {EVENT.ID}, the numeric id of the problem event' });
    return undefined;
  }
  if (/^[1-9]\d{0,19}$/.test(text)) return text;
  problems.push({ field, message: `must be a positive whole number (a Zabbix id), got ${shown(text)}` });
  return undefined;
}

function readEventSource(text: string | undefined, field: string, problems: FieldProblem[]): string | undefined {
  const source = text ?? '0';
  if (Object.hasOwn(ALERT_EVENT_SOURCES, source)) return source;
  const message =
    source === '1' || source === '2'
      ? `is ${source} (${source === '1' ? 'discovery' : 'autoregistration'}): such events are not alerts; send FlowDesk only trigger (0), internal (3) and service (4) events`
      : `must be {EVENT.SOURCE}: 0 (trigger), 3 (internal) or 4 (service), got ${shown(source)}`;
  problems.push({ field, message });
  return undefined;
}

/** A 0/1 parameter as a boolean. */
function readFlag(text: string | undefined, field: string, problems: FieldProblem[], missing: string): boolean | undefined {
  if (text === undefined) {
    problems.push({ field, message: missing });
    return undefined;
  }
  if (text === '0' || text === '1') return text === '1';
  problems.push({ field, message: `must be 0 or 1, got ${shown(text)}` });
  return undefined;
}

/** {EVENT.ACK.STATUS}: Yes or No. */
function readAck(text: string | undefined, field: string, problems: FieldProblem[]): boolean {
  if (text === undefined) return false;
  const word = text.toLowerCase();
  if (word === 'yes' || word === 'no') return word === 'yes';
  problems.push({ field, message: `must be Yes or No ({EVENT.ACK.STATUS}), got ${shown(text)}` });
  return false;
}

function readLevel(text: string | undefined, field: string, problems: FieldProblem[]): number | undefined {
  if (text !== undefined && /^[0-5]$/.test(text)) return Number(text);
  problems.push({
    field,
    message: `${text === undefined ? 'is required' : `must be 0-5, got ${shown(text)}`}: {EVENT.NSEVERITY}, 0 Not classified, 1 Information, 2 Warning, 3 Average, 4 High, 5 Disaster`,
  });
  return undefined;
}

function readName(text: string | undefined, field: string, problems: FieldProblem[], limits: IntakeLimits): string | undefined {
  if (text === undefined) problems.push({ field, message: 'is required: {EVENT.NAME}, the name of the problem' });
  else if (text.length > limits.maxLabelValueLength) problems.push({ field, message: `must be at most ${limits.maxLabelValueLength} characters long, got ${text.length}` });
  else return text;
  return undefined;
}

/** {EVENT.TIMESTAMP} and its kin: Unix seconds. */
function readUnixTime(text: string | undefined, field: string, problems: FieldProblem[]): number | null {
  if (text === undefined) return null;
  if (/^[1-9]\d{0,10}$/.test(text)) return Number(text) * 1000;
  problems.push({ field, message: `must be a Unix time in seconds, such as {EVENT.TIMESTAMP} gives, got ${shown(text)}` });
  return null;
}

/**
 * {EVENT.TAGSJSON}: a JSON list of {tag, value}, as text (what Zabbix sends) or as a list
 * (a script that parsed it). Unresolved or blank means no tags.
 */
function readTags(value: unknown, field: string, problems: FieldProblem[]): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '' || UNRESOLVED_MACRO.test(text)) return [];
    try {
      list = JSON.parse(text);
    } catch {
      problems.push({ field, message: `must be {EVENT.TAGSJSON}, a JSON list of {"tag": …, "value": …}; this is not JSON: ${shown(text)}` });
      return [];
    }
  }
  if (!Array.isArray(list)) {
    problems.push({ field, message: `must be a JSON list of {"tag": …, "value": …}, got ${shown(list)}` });
    return [];
  }
  return list.flatMap((tag, i) => readTag(tag, i, field, problems));
}

function readTag(tag: unknown, i: number, field: string, problems: FieldProblem[]): Array<[string, string]> {
  const value = isObject(tag) ? (tag.value ?? '') : undefined;
  if (!isObject(tag) || typeof tag.tag !== 'string' || tag.tag.trim() === '' || typeof value !== 'string') {
    problems.push({ field, message: `tag ${i} must be {"tag": "<name>", "value": "<text>"}, got ${shown(tag)}` });
    return [];
  }
  return [[tag.tag, value]];
}

/** The labels (tags and the added ones) and the annotations, within the limits. */
function checkSizes(labels: Record<string, string>, params: Record<string, string>, field: string, problems: FieldProblem[], limits: IntakeLimits): void {
  const labelLimits = labelRule(limits);
  const tagField = `${field}.event_tags_json`;
  checkMapSize(Object.keys(labels).length, tagField, problems, labelLimits);
  for (const [name, value] of Object.entries(labels)) checkEntry(name, value, tagField, problems, { ...labelLimits, noun: 'tag' }, true);
  const annotations = annotationRule(limits);
  for (const name of ANNOTATED) if (params[name] !== undefined) checkEntry(name, params[name], field, problems, annotations);
}

/** The technical host name ({HOST.HOST}) when sent, which is what CMDB host names match; else the visible one. */
function hostOf(params: Record<string, string>): string | undefined {
  return params.host_host ?? params.host_name;
}

// --- Building the alert.

/**
 * Tags as labels. Zabbix allows a tag name more than once (service: web, service: db);
 * labels hold one value per name, so the values are joined with commas, in order, each once.
 */
function mergeTags(tags: Array<[string, string]>): Map<string, string> {
  const merged = new Map<string, string[]>();
  for (const [name, value] of tags) {
    const values = merged.get(name) ?? [];
    if (!values.includes(value)) values.push(value);
    merged.set(name, values);
  }
  return new Map([...merged].map(([name, values]) => [name, values.join(',')]));
}

interface Place {
  sender: string;
  receivedAt: number;
  digest: string;
}

/**
 * A problem or recovery is a report. An update of an open problem is a report too (its
 * severity may have changed), followed by an acknowledgement when Zabbix says the problem
 * is acknowledged. An unacknowledgement is not passed on: acknowledgement here is one way.
 */
function eventsOf(event: ZabbixEvent, item: Item, place: Place, notes: string[]): AlertEvent[] {
  const raw = { digest: place.digest, pointer: item.pointer };
  const alert = normalize(event, place, raw);
  if (event.startsAt === null) notes.push(`${item.field}: event_timestamp is missing, so startsAt is when the message arrived ({EVENT.DATE} and {EVENT.TIME} carry no time zone)`);
  const report: AlertEvent = { kind: 'report', alert };
  if (!(event.problem && event.update && event.acknowledged)) return [report];
  const key = { source: alert.source, sender: alert.sender, nativeKey: alert.nativeKey, fingerprint: alert.fingerprint };
  return [report, { kind: 'acknowledge', key, at: isoOf(event.updatedAt ?? place.receivedAt), raw }];
}

function normalize(event: ZabbixEvent, place: Place, raw: NormalizedAlert['raw']): NormalizedAlert {
  const { params, labels } = event;
  const host = hostOf(params);
  const startsAt = event.startsAt ?? place.receivedAt;
  const shownHost = params.host_name ?? host;
  return {
    source: 'zabbix',
    sender: place.sender,
    nativeKey: event.eventId,
    nativeKeyFrom: 'source',
    fingerprint: alertFingerprint('zabbix', place.sender, event.eventId),
    name: event.name,
    severity: SEVERITY_OF_LEVEL[event.level]!,
    nativeSeverity: `${ZABBIX_SEVERITY_NAMES[event.level]} (${event.level})`,
    status: event.problem ? 'firing' : 'resolved',
    summary: summaryLine(shownHost === undefined ? event.name : `${event.name} on ${shownHost}`),
    description: params.trigger_description ?? params.alert_message ?? null,
    labels,
    annotations: sortedRecord(ANNOTATED.flatMap((name) => (params[name] === undefined ? [] : [[name, params[name]] as [string, string]]))),
    resource: resourceFrom({ host, ip: params.host_ip, service: labels.service ?? labels.application ?? labels.app, component: labels.component }),
    startsAt: isoOf(startsAt),
    endsAt: event.problem ? null : isoOf(Math.max(startsAt, event.recoveredAt ?? place.receivedAt)),
    receivedAt: isoOf(place.receivedAt),
    generatorURL: eventURL(params, event),
    raw,
  };
}

/** The tags, plus alertname, host and trigger_id for matchers and group keys, unless a tag already has that name. */
function labelsOf(tags: Array<[string, string]>, added: Record<string, string | undefined>): Record<string, string> {
  const labels = mergeTags(tags);
  for (const [name, value] of Object.entries(added)) if (value !== undefined && !labels.has(name)) labels.set(name, value);
  return sortedRecord(labels);
}

/** The problem's page in the Zabbix frontend, as Zabbix's own media types link it. */
function eventURL(params: Record<string, string>, event: ZabbixEvent): string | null {
  const base = params.zabbix_url;
  if (base === undefined || !/^https?:\/\//i.test(base) || params.trigger_id === undefined || event.eventSource !== '0') return null;
  return `${base.replace(/\/+$/, '')}/tr_events.php?triggerid=${params.trigger_id}&eventid=${event.eventId}`;
}
