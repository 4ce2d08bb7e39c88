/**
 * Silences: "do not notify or escalate alerts whose labels match these matchers, from
 * startsAt until endsAt", with who made it and why — Alertmanager's silences, plus an
 * optional weekly recurrence ("every Sunday 02:00–04:00 Europe/Paris") for the standing
 * quiet hours operators otherwise re-create by hand. docs/alerts-processing.md#silences.
 *
 * A silence suppresses; it never hides. The alert stays visible, and a resolve always goes
 * through (maintenance.ts `suppression`), so a ticket never stays open because its alert was
 * silenced.
 *
 * Times are half-open, [startsAt, endsAt): at endsAt the silence has expired. (Alertmanager
 * still counts the instant endsAt as active; the difference is one millisecond, and half-open
 * spans chain without overlap.)
 *
 * A recurrence is a list of weekly windows in one IANA time zone, read on the local wall
 * clock, so "02:00–04:00 Europe/Paris" stays 02:00–04:00 in Paris across DST changes. Local
 * times are converted by the SLA calendar code (domain/sla/calendar.ts), with its rules: a
 * boundary in the hour skipped in spring moves to the instant the clocks jump (02:00–04:00
 * lasts one hour that Sunday, and a window entirely inside the skipped hour does not happen),
 * a boundary in the hour repeated in autumn takes its first occurrence (02:00–04:00 lasts
 * three hours). A window whose end is not after its start runs past midnight into the next
 * day (22:00–02:00); windows that touch or overlap are one continuous window.
 *
 * Silences and recurrences are values: what is computed from one (parsed times, its windows
 * around the last instant asked about) is kept per object, so they are not edited in place;
 * the validators return fresh copies.
 */

import { type BusinessCalendar, validateCalendar, type Weekday, workingIntervals } from '../sla/calendar';
import { type Labels, type Matcher, MatcherSyntaxError, matcherProblems, matchesAll, matchesEmpty, parseMatcher, parseMatchers } from './matchers';

export type { Weekday } from '../sla/calendar';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** One weekly window: on each of `days`, from `start` to `end` local time ('HH:MM', end exclusive). */
export interface WeeklyWindow {
  days: Weekday[];
  start: string;
  /** '24:00' is midnight at the end of the day; an end not after the start is on the next day. */
  end: string;
}

export interface Recurrence {
  /** IANA zone the windows are read in, e.g. 'Europe/Paris'. */
  timeZone: string;
  windows: WeeklyWindow[];
}

/** When something suppresses: from startsAt until endsAt, and when recurring only inside its windows. */
export interface Timeframe {
  /** ISO 8601 with a zone or offset. */
  startsAt: string;
  /** Absent: until removed (maintenance windows only; a silence always ends). */
  endsAt?: string;
  recurrence?: Recurrence;
}

export interface Silence extends Timeframe {
  id: string;
  /** Every one must hold; see matchers.ts for what absent labels and regexes mean. */
  matchers: Matcher[];
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** A silence as validated before it is stored: the store gives it its id. */
export type SilenceSpec = Omit<Silence, 'id'> & { id?: string };

export type SilenceState = 'pending' | 'active' | 'expired';

/** A time as the functions here take it: ISO text, epoch ms or a Date. */
export type Instant = string | number | Date;

export interface TimeWindow {
  startsAt: string;
  /** null: the window does not end (an open-ended timeframe without recurrence). */
  endsAt: string | null;
}

export interface SilenceProblem {
  path: string;
  message: string;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** How far windowAt looks for the next window or for the ends of a continuous one. */
const MAX_SEARCH_MS = 731 * DAY_MS;
const NEXT_DAY: Readonly<Record<Weekday, Weekday>> = { mon: 'tue', tue: 'wed', wed: 'thu', thu: 'fri', fri: 'sat', sat: 'sun', sun: 'mon' };
const DAY_NAMES: Readonly<Record<Weekday, string>> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const TIME_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

// ---------------------------------------------------------------- times

/** Epoch ms of an ISO 8601 time with a zone (a time without one is ambiguous), or null. */
export function parseInstant(text: string): number | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse rolls 30 February over into March; a mistyped date is refused instead.
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

export function toMs(at: Instant): number {
  const ms = typeof at === 'number' ? at : at instanceof Date ? at.getTime() : parseInstant(at);
  if (ms === null || Number.isNaN(ms)) throw new Error(`not a time: ${String(at)}`);
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Parsed bounds, kept per timeframe object: the same silences are checked for every alert. */
const boundsCache = new WeakMap<Timeframe, { start: number; end: number; startsAt: string; endsAt: string | undefined }>();

function bounds(tf: Timeframe): { start: number; end: number } {
  const cached = boundsCache.get(tf);
  if (cached && cached.startsAt === tf.startsAt && cached.endsAt === tf.endsAt) return cached;
  const fresh = { start: toMs(tf.startsAt), end: tf.endsAt === undefined ? Infinity : toMs(tf.endsAt), startsAt: tf.startsAt, endsAt: tf.endsAt };
  boundsCache.set(tf, fresh);
  return fresh;
}

// ---------------------------------------------------------------- recurrence

const minutes = (hhmm: string) => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));
const hhmm = (m: number) => (m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

/** Ranges of one day, sorted and merged (the SLA calendar refuses overlapping ones). */
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

const calendars = new WeakMap<Recurrence, BusinessCalendar>();

/** The recurrence as an SLA business calendar whose "working time" is the windows. */
function calendarOf(recurrence: Recurrence): BusinessCalendar {
  let calendar = calendars.get(recurrence);
  if (calendar) return calendar;
  const byDay = new Map<Weekday, Array<[number, number]>>();
  const add = (day: Weekday, a: number, b: number) => byDay.set(day, [...(byDay.get(day) ?? []), [a, b]]);
  for (const window of recurrence.windows) {
    const [start, end] = [minutes(window.start), minutes(window.end)];
    for (const day of window.days) {
      if (end > start) add(day, start, end);
      else {
        add(day, start, 1440);
        if (end > 0) add(NEXT_DAY[day], 0, end);
      }
    }
  }
  const week: BusinessCalendar['week'] = {};
  for (const [day, ranges] of byDay) week[day] = mergeRanges(ranges).map(([a, b]): [string, string] => [hhmm(a), hhmm(b)]);
  calendar = { timeZone: recurrence.timeZone, week, holidays: [] };
  calendars.set(recurrence, calendar);
  return calendar;
}

/** The recurrence's windows intersecting [from, to), clipped to it, as [start, end) ms. */
export function recurrenceWindows(recurrence: Recurrence, from: number, to: number): Array<[number, number]> {
  if (!(to > from)) return [];
  return workingIntervals(calendarOf(recurrence), new Date(from), new Date(to)).map((w) => [w.start.getTime(), w.end.getTime()]);
}

/**
 * Windows around the last instant asked about, kept per recurrence: checking every alert
 * against the same silences asks about nearly the same instant each time, and a conversion
 * to local time costs several Intl calls.
 */
const spans = new WeakMap<Recurrence, { from: number; to: number; windows: Array<[number, number]> }>();

function inWindow(recurrence: Recurrence, at: number): boolean {
  let span = spans.get(recurrence);
  if (!span || at < span.from || at >= span.to) {
    span = { from: at - DAY_MS, to: at + WEEK_MS, windows: [] };
    span.windows = recurrenceWindows(recurrence, span.from, span.to);
    spans.set(recurrence, span);
  }
  return span.windows.some(([s, e]) => at >= s && at < e);
}

/** A copy that shares nothing with the original (the caches above key on the object). */
export function copyRecurrence(recurrence: Recurrence): Recurrence {
  return { timeZone: recurrence.timeZone, windows: recurrence.windows.map((w) => ({ days: [...w.days], start: w.start, end: w.end })) };
}

/** "every Sunday 02:00–04:00 (Europe/Paris)"; several windows are joined with "; ". */
export function describeRecurrence(recurrence: Recurrence): string {
  const days = (list: Weekday[]) => {
    const set = new Set(list);
    if (set.size === 7) return 'every day';
    if (set.size === 5 && ['mon', 'tue', 'wed', 'thu', 'fri'].every((d) => set.has(d as Weekday))) return 'every weekday';
    if (set.size === 2 && set.has('sat') && set.has('sun')) return 'every weekend day';
    return `every ${WEEKDAYS.filter((d) => set.has(d))
      .map((d) => DAY_NAMES[d])
      .join(', ')}`;
  };
  const windows = recurrence.windows.map((w) => `${days(w.days)} ${w.start}–${w.end}${minutes(w.end) <= minutes(w.start) ? ' (next day)' : ''}`);
  return `${windows.join('; ')} (${recurrence.timeZone})`;
}

// ---------------------------------------------------------------- timeframes

/** Whether the timeframe suppresses at `at`. */
export function timeframeActive(tf: Timeframe, at: Instant): boolean {
  const t = toMs(at);
  const { start, end } = bounds(tf);
  if (t < start || t >= end) return false;
  return !tf.recurrence || inWindow(tf.recurrence, t);
}

/**
 * The window that contains `at`, else the next one, within [startsAt, endsAt); null when
 * none is left. A one-off timeframe is one window. A recurring window is given whole (it may
 * have started before `at`), clipped only to the timeframe.
 */
export function windowAt(tf: Timeframe, at: Instant): [number, number] | null {
  const t = toMs(at);
  const { start, end } = bounds(tf);
  if (t >= end) return null;
  if (!tf.recurrence) return [start, end];
  const recurrence = tf.recurrence;
  const from = Math.max(t, start);
  for (let cursor = from; cursor < end && cursor < from + MAX_SEARCH_MS; cursor += WEEK_MS) {
    const chunkEnd = Math.min(end, cursor + WEEK_MS);
    const found = recurrenceWindows(recurrence, cursor, chunkEnd)[0];
    if (!found) continue;
    const [s, e] = found;
    return [s === cursor ? extendBack(recurrence, s, start) : s, e === chunkEnd ? extendForward(recurrence, e, end) : e];
  }
  return null;
}

/** Where a window that contains `s` began, no earlier than `floor`. */
function extendBack(recurrence: Recurrence, s: number, floor: number): number {
  let begin = s;
  while (begin > floor && s - begin < MAX_SEARCH_MS) {
    const lo = Math.max(floor, begin - WEEK_MS);
    const last = recurrenceWindows(recurrence, lo, begin).pop();
    if (!last || last[1] !== begin) break;
    begin = last[0];
    if (begin !== lo) break;
  }
  return begin;
}

/** Where a window that runs through `e` ends, no later than `ceiling`. */
function extendForward(recurrence: Recurrence, e: number, ceiling: number): number {
  let finish = e;
  while (finish < ceiling && finish - e < MAX_SEARCH_MS) {
    const hi = Math.min(ceiling, finish + WEEK_MS);
    const first = recurrenceWindows(recurrence, finish, hi)[0];
    if (!first || first[0] !== finish) break;
    finish = first[1];
    if (finish !== hi) break;
  }
  return finish;
}

/**
 * pending: not suppressing now, but will; active: suppressing now; expired: never again.
 * A recurring timeframe between two windows is pending, and expired once no window is left
 * before its end.
 */
export function timeframeState(tf: Timeframe, at: Instant): SilenceState {
  const t = toMs(at);
  const { start, end } = bounds(tf);
  if (t >= end) return 'expired';
  if (t < start) return tf.recurrence && !windowAt(tf, t) ? 'expired' : 'pending';
  if (!tf.recurrence) return 'active';
  if (inWindow(tf.recurrence, t)) return 'active';
  return windowAt(tf, t) ? 'pending' : 'expired';
}

export function timeframeNextWindow(tf: Timeframe, at: Instant): TimeWindow | null {
  const window = windowAt(tf, at);
  if (!window) return null;
  return { startsAt: iso(window[0]), endsAt: window[1] === Infinity ? null : iso(window[1]) };
}

/**
 * The first instant after `at` when one of the timeframes starts or stops suppressing (null:
 * none ever will): when the alerts they may cover must be looked at again.
 */
export function nextTimeframeChange(timeframes: readonly Timeframe[], at: Instant): number | null {
  const t = toMs(at);
  let next = Infinity;
  for (const tf of timeframes) {
    const window = windowAt(tf, t);
    if (!window) continue;
    const change = window[0] > t ? window[0] : window[1];
    if (change > t && change < next) next = change;
  }
  return next === Infinity ? null : next;
}

// ---------------------------------------------------------------- silences

export function isActive(silence: Silence, at: Instant): boolean {
  return timeframeActive(silence, at);
}

export function silenceState(silence: Silence, at: Instant): SilenceState {
  return timeframeState(silence, at);
}

/** The window the silence is in at `at`, else its next one; null when it has no more. */
export function nextWindow(silence: Silence, at: Instant): TimeWindow | null {
  return timeframeNextWindow(silence, at);
}

export function silenceMatches(silence: Silence, labels: Labels): boolean {
  return silence.matchers.length > 0 && matchesAll(silence.matchers, labels);
}

/** Ids of the silences that silence an alert with these labels at `at`, in the order given. */
export function silencedBy(labels: Labels, silences: readonly Silence[], at: Instant): string[] {
  const t = toMs(at);
  return silences.filter((s) => timeframeActive(s, t) && silenceMatches(s, labels)).map((s) => s.id);
}

// ---------------------------------------------------------------- validation

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function timeZoneProblem(zone: unknown): string | null {
  if (typeof zone !== 'string' || zone === '') return 'must be an IANA time zone such as Europe/Paris or UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone '${zone}': use an IANA name such as Europe/Paris or UTC`;
  }
}

export function recurrenceProblems(input: unknown, path: string): SilenceProblem[] {
  if (!isObject(input)) return [{ path, message: "must be { timeZone, windows: [{ days, start, end }] }, e.g. every Sunday: { timeZone: 'Europe/Paris', windows: [{ days: [sun], start: '02:00', end: '04:00' }] }" }];
  const problems: SilenceProblem[] = [];
  for (const key of Object.keys(input)) if (key !== 'timeZone' && key !== 'windows') problems.push({ path: `${path}.${key}`, message: 'unknown field; a recurrence has timeZone and windows' });
  const zone = timeZoneProblem(input.timeZone);
  if (zone) problems.push({ path: `${path}.timeZone`, message: zone });
  if (!Array.isArray(input.windows) || input.windows.length === 0) {
    problems.push({ path: `${path}.windows`, message: 'must list at least one window { days, start, end }' });
    return problems;
  }
  input.windows.forEach((window, i) => problems.push(...windowProblems(window, `${path}.windows[${i}]`)));
  if (problems.length === 0) {
    const calendarProblems = validateCalendar(calendarOf(input as unknown as Recurrence));
    for (const message of calendarProblems) problems.push({ path, message });
  }
  return problems;
}

function windowProblems(input: unknown, path: string): SilenceProblem[] {
  if (!isObject(input)) return [{ path, message: "must be { days: [mon, …], start: 'HH:MM', end: 'HH:MM' }" }];
  const problems: SilenceProblem[] = [];
  for (const key of Object.keys(input)) if (!['days', 'start', 'end'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field; a window has days, start and end' });
  if (!Array.isArray(input.days) || input.days.length === 0) problems.push({ path: `${path}.days`, message: `must list days: ${WEEKDAYS.join(', ')}` });
  else {
    input.days.forEach((day, j) => {
      if (!WEEKDAYS.includes(day as Weekday)) problems.push({ path: `${path}.days[${j}]`, message: `must be one of ${WEEKDAYS.join(', ')}` });
    });
    if (new Set(input.days).size !== input.days.length) problems.push({ path: `${path}.days`, message: 'names a day twice' });
  }
  for (const field of ['start', 'end'] as const) {
    const value = input[field];
    if (typeof value !== 'string' || !TIME_RE.test(value) || (field === 'start' && value === '24:00')) {
      problems.push({ path: `${path}.${field}`, message: `must be a local time 'HH:MM'${field === 'end' ? " ('24:00' for midnight)" : ''}` });
    }
  }
  if (problems.length === 0 && minutes(input.start as string) === minutes(input.end as string)) {
    problems.push({ path: `${path}.end`, message: "equals start; for a whole day write start '00:00' and end '24:00'" });
  }
  return problems;
}

export interface TimeframeOptions {
  /** A timeframe without endsAt is allowed (maintenance windows); silences always end. */
  openEnded?: boolean;
  /** When creating: endsAt must be after this (Alertmanager refuses a silence that ends in the past). */
  now?: Instant;
}

/** Problems of startsAt, endsAt and recurrence, and of how they fit together. */
export function timeframeProblems(input: Record<string, unknown>, options: TimeframeOptions = {}): SilenceProblem[] {
  const problems: SilenceProblem[] = [];
  const time = (field: 'startsAt' | 'endsAt'): number | null => {
    const value = input[field];
    if (value === undefined && field === 'endsAt' && options.openEnded) return null;
    const ms = typeof value === 'string' ? parseInstant(value) : null;
    if (ms === null) problems.push({ path: field, message: 'must be an ISO 8601 time with a zone, e.g. 2026-03-29T02:00:00+02:00 or 2026-03-29T00:00:00Z' });
    return ms;
  };
  const start = time('startsAt');
  const end = time('endsAt');
  if (start !== null && end !== null && end <= start) problems.push({ path: 'endsAt', message: 'must be after startsAt' });
  if (end !== null && options.now !== undefined && end <= toMs(options.now)) problems.push({ path: 'endsAt', message: 'is in the past: a new one must end in the future' });
  if (input.recurrence !== undefined) {
    const recurrence = recurrenceProblems(input.recurrence, 'recurrence');
    problems.push(...recurrence);
    if (recurrence.length === 0 && start !== null && end !== null && end > start) {
      const tf: Timeframe = { startsAt: input.startsAt as string, endsAt: input.endsAt as string, recurrence: input.recurrence as Recurrence };
      if (!windowAt(tf, start)) problems.push({ path: 'recurrence', message: 'no window of it falls between startsAt and endsAt, so it would never apply' });
    }
  }
  return problems;
}

const SILENCE_FIELDS = ['id', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', 'recurrence'];

/**
 * Checks a silence given as data. `matchers` is the text form (`{alertname="X", env=~"prod|dr"}`),
 * a list of single matchers as text (Alertmanager's config form), or a list of
 * `{ name, op, value }`. Returns the silence with matchers as data and times in UTC.
 */
export function validateSilence(input: unknown, options: { now?: Instant } = {}): { ok: true; silence: SilenceSpec } | { ok: false; problems: SilenceProblem[] } {
  if (!isObject(input)) return { ok: false, problems: [{ path: '', message: 'must be a silence: { matchers, startsAt, endsAt, createdBy, comment, recurrence? }' }] };
  const problems: SilenceProblem[] = [];
  for (const key of Object.keys(input)) if (!SILENCE_FIELDS.includes(key)) problems.push({ path: key, message: `unknown field; a silence has ${SILENCE_FIELDS.join(', ')}` });
  if (input.id !== undefined && !isText(input.id)) problems.push({ path: 'id', message: 'must be a non-empty string' });
  const matchers = readMatchers(input.matchers, problems);
  if (matchers && matchers.length > 0 && matchers.every(matchesEmpty)) {
    problems.push({ path: 'matchers', message: 'every matcher matches the empty string, so the silence would match every alert: add one that needs a value, e.g. alertname="…"' });
  }
  problems.push(...timeframeProblems(input, { now: options.now }));
  if (!isText(input.createdBy)) problems.push({ path: 'createdBy', message: 'must name who creates the silence' });
  if (!isText(input.comment)) problems.push({ path: 'comment', message: 'must say why (a ticket number, a change, a reason)' });
  if (problems.length > 0 || !matchers) return { ok: false, problems };
  const silence: SilenceSpec = {
    ...(input.id === undefined ? {} : { id: input.id as string }),
    matchers,
    startsAt: iso(toMs(input.startsAt as string)),
    endsAt: iso(toMs(input.endsAt as string)),
    createdBy: (input.createdBy as string).trim(),
    comment: input.comment as string,
    ...(input.recurrence === undefined ? {} : { recurrence: copyRecurrence(input.recurrence as Recurrence) }),
  };
  return { ok: true, silence };
}

function readMatchers(input: unknown, problems: SilenceProblem[]): Matcher[] | null {
  const syntax = (path: string, text: string, parse: (t: string) => Matcher[]): Matcher[] | null => {
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof MatcherSyntaxError)) throw error;
      problems.push({ path, message: error.message });
      return null;
    }
  };
  let matchers: Matcher[] | null;
  if (typeof input === 'string') matchers = syntax('matchers', input, parseMatchers);
  else if (Array.isArray(input)) {
    const found = input.map((item, i): Matcher[] | null => {
      if (typeof item === 'string') return syntax(`matchers[${i}]`, item, (t) => [parseMatcher(t)]);
      const itemProblems = matcherProblems(item, `matchers[${i}]`);
      problems.push(...itemProblems);
      return itemProblems.length ? null : [item as Matcher];
    });
    matchers = found.every((m) => m !== null) ? (found as Matcher[][]).flat().map((m) => ({ name: m.name, op: m.op, value: m.value })) : null;
  } else {
    problems.push({ path: 'matchers', message: 'must be matchers as text ({alertname="X", env=~"prod|dr"}) or a list of { name, op, value }' });
    return null;
  }
  if (matchers && matchers.length === 0) {
    problems.push({ path: 'matchers', message: 'at least one matcher is needed' });
    return null;
  }
  return matchers;
}
