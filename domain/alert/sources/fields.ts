/**
 * Reading a sender's JSON: each reader takes the value and its path, returns the value in
 * normalized form, and records what is wrong with it (in words for the person configuring
 * the sender) instead of throwing, so one answer names every wrong field at once.
 */

import type { FieldProblem, IntakeContext, IntakeLimits } from './adapter';

/** Paths start where the API's field errors start: at the request body. */
export const BODY = 'body';

/** A 400 naming 10,000 wrong alerts helps nobody; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 100;

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as it appears in a message: JSON, cut short. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function capped(problems: FieldProblem[]): FieldProblem[] {
  if (problems.length <= MAX_REPORTED_PROBLEMS) return problems;
  const more = problems.length - MAX_REPORTED_PROBLEMS;
  return [...problems.slice(0, MAX_REPORTED_PROBLEMS), { field: BODY, message: `and ${more} more problem${more === 1 ? '' : 's'} not listed` }];
}

/** RFC 6901: the pointer of `segments` ('alerts', 3 → '/alerts/3'). */
export function pointerOf(...segments: Array<string | number>): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export interface TextRule {
  required?: boolean;
  /** At most this many characters. */
  max?: number;
}

/** A string, or undefined when absent (undefined, null or blank), which is a problem when required. */
export function readText(value: unknown, field: string, problems: FieldProblem[], rule: TextRule = {}): string | undefined {
  if (value === undefined || value === null) {
    if (rule.required) problems.push({ field, message: 'is required' });
    return undefined;
  }
  if (typeof value !== 'string') return refuse(problems, field, `must be text, got ${shown(value)}`);
  if (value.trim() === '') return rule.required ? refuse(problems, field, 'must not be empty') : undefined;
  if (rule.max !== undefined && value.length > rule.max) return refuse(problems, field, `must be at most ${rule.max} characters long, got ${value.length}`);
  return value;
}

/** One of a few words, compared exactly. */
export function readChoice<T extends string>(value: unknown, field: string, problems: FieldProblem[], choices: readonly T[], required = true): T | undefined {
  if ((value === undefined || value === null) && !required) return undefined;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  return refuse(problems, field, value === undefined || value === null ? `is required: one of ${choices.join(', ')}` : `must be one of ${choices.join(', ')}, got ${shown(value)}`);
}

function refuse(problems: FieldProblem[], field: string, message: string): undefined {
  problems.push({ field, message });
  return undefined;
}

// --- Times.

/** Go's zero time.Time, which Alertmanager sends for "no end": 0001-01-01T00:00:00Z. */
export const GO_ZERO_TIME_MS = -62_135_596_800_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Milliseconds since the epoch of an RFC 3339 date-time (Go's encoding, with up to nine
 * fraction digits), or of ISO 8601 with a `+hhmm` offset (PagerDuty's own example:
 * `2015-07-17T08:42:58.315+0000`); null for anything else. A time zone is required:
 * without one the instant is a guess. Parsed here, not by Date.parse, which accepts
 * 2024-02-30 as 1 March and many non-ISO forms depending on the engine.
 */
export function parseTimestamp(text: string): number | null {
  const match = RFC3339.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  date.setUTCHours(hour, minute, second, millis);
  if (date.getUTCDate() !== day) return null; // 30 February rolled over
  const offset = offsetMinutes(match);
  return offset === null ? null : date.getTime() - offset * 60_000;
}

function offsetMinutes(match: RegExpExecArray): number | null {
  if (match[8]) return 0;
  const hours = Number(match[10]);
  const minutes = Number(match[11]);
  if (hours > 23 || minutes > 59) return null;
  return (match[9] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** The API's receipt time; a bad one is a programming error, not the sender's. */
export function receivedAtOf(context: IntakeContext): number {
  const ms = parseTimestamp(context.receivedAt);
  if (ms === null) throw new TypeError(`receivedAt must be an ISO 8601 date-time with a time zone, got ${shown(context.receivedAt)}`);
  return ms;
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A date-time in milliseconds; null when absent or Go's zero time (both mean "not set").
 * A required time that is absent or zero, or any value that is not a date-time with a time
 * zone, is a problem.
 */
export function readTime(value: unknown, field: string, problems: FieldProblem[], required = false): number | null {
  if (value === undefined || value === null || value === '') {
    if (required) problems.push({ field, message: 'is required: an RFC 3339 date-time such as 2026-03-01T10:15:00Z' });
    return null;
  }
  const ms = typeof value === 'string' ? parseTimestamp(value) : null;
  if (ms === null) {
    problems.push({ field, message: `must be an RFC 3339 date-time with a time zone, such as 2026-03-01T10:15:00Z, got ${shown(value)}` });
    return null;
  }
  if (ms === GO_ZERO_TIME_MS) {
    if (required) problems.push({ field, message: 'is the zero time 0001-01-01T00:00:00Z, which means "not set"; it is required' });
    return null;
  }
  return ms;
}

// --- Labels and annotations.

export interface MapRule {
  /** What the entries are called in messages: label, annotation, tag. */
  noun: string;
  maxEntries: number;
  maxNameLength: number;
  maxValueLength: number;
}

export function labelRule(limits: IntakeLimits): MapRule {
  return { noun: 'label', maxEntries: limits.maxLabels, maxNameLength: limits.maxNameLength, maxValueLength: limits.maxLabelValueLength };
}

export function annotationRule(limits: IntakeLimits): MapRule {
  return { noun: 'annotation', maxEntries: limits.maxLabels, maxNameLength: limits.maxNameLength, maxValueLength: limits.maxAnnotationValueLength };
}

/** An object of text values, keys sorted; {} when absent. Values are never coerced: "1" and 1 are different labels. */
export function readStringMap(value: unknown, field: string, problems: FieldProblem[], rule: MapRule): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    problems.push({ field, message: `must be an object of ${rule.noun} names to text values, got ${shown(value)}` });
    return {};
  }
  const entries = Object.entries(value);
  const before = problems.length;
  checkMapSize(entries.length, field, problems, rule);
  if (problems.length > before) return {};
  for (const [name, item] of entries) checkEntry(name, item, field, problems, rule);
  return problems.length > before ? {} : sortedRecord(entries as Array<[string, string]>);
}

export function checkMapSize(count: number, field: string, problems: FieldProblem[], rule: MapRule): void {
  if (count > rule.maxEntries) problems.push({ field, message: `has ${count} ${rule.noun}s; at most ${rule.maxEntries} are accepted` });
}

/**
 * One name and value of a label or annotation map: a name that is not blank, text values,
 * lengths within the rule. A wrong value's path is `field.name`, unless the map is text
 * inside the field (Zabbix's tags JSON): then the field is named and the message says which entry.
 */
export function checkEntry(name: string, value: unknown, field: string, problems: FieldProblem[], rule: MapRule, entryInMessage = false): void {
  const wrong = (message: string) => problems.push(entryInMessage ? { field, message: `${rule.noun} ${shown(name)} ${message}` } : { field: `${field}.${name}`, message });
  if (name.trim() === '') problems.push({ field, message: `has a blank ${rule.noun} name` });
  else if (name.length > rule.maxNameLength) problems.push({ field, message: `has a ${rule.noun} name of ${name.length} characters (${shown(name)}); at most ${rule.maxNameLength} are accepted` });
  else if (typeof value !== 'string') wrong(`must be text, got ${shown(value)}`);
  else if (value.length > rule.maxValueLength) wrong(`must be at most ${rule.maxValueLength} characters long, got ${value.length}`);
}

/** A record with keys in a fixed order, so equal maps are stored and hashed alike. fromEntries keeps `__proto__` an ordinary key. */
export function sortedRecord(entries: Iterable<[string, string]>): Record<string, string> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- Bodies that hold one item or a list of them.

export interface Item {
  value: unknown;
  /** Path of the item for field problems: 'body' or 'body.3'. */
  field: string;
  /** JSON pointer of the item in the body: '' or '/3'. */
  pointer: string;
}

/** One object, or a non-empty list of at most `max` of them; `noun` names them in messages. */
export function oneOrMany(payload: unknown, problems: FieldProblem[], max: number, noun: string): Item[] {
  if (isObject(payload)) return [{ value: payload, field: BODY, pointer: '' }];
  if (!Array.isArray(payload)) return refuseAll(problems, `must be one ${noun} (a JSON object) or a list of them, got ${shown(payload)}`);
  if (payload.length === 0) return refuseAll(problems, `is an empty list: send at least one ${noun}`);
  if (payload.length > max) return refuseAll(problems, `holds ${payload.length} ${noun}s; at most ${max} are accepted in one request`);
  return payload.map((value, i) => ({ value, field: `${BODY}.${i}`, pointer: pointerOf(i) }));
}

function refuseAll(problems: FieldProblem[], message: string): Item[] {
  problems.push({ field: BODY, message });
  return [];
}

/** The adapter's limits with the context's overrides. */
export function limitsOf(defaults: IntakeLimits, overrides: Partial<IntakeLimits> | undefined): IntakeLimits {
  return { ...defaults, ...overrides };
}
