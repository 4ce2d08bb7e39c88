/**
 * Business-time arithmetic for SLAs, without I/O.
 *
 * A calendar says when the service desk works, in local wall-clock time of one IANA zone:
 * a weekly pattern of 'HH:MM' ranges (end exclusive, '24:00' = next midnight), holidays
 * (local dates with no working time) and make-up days (a date whose hours replace the weekly
 * pattern, e.g. a Saturday worked before a bridge holiday).
 *
 * Precedence on one local date: holiday > make-up day > weekly pattern (a date listed both
 * as holiday and make-up day is reported by `validateCalendar`).
 *
 * Working ranges are converted to instants day by day, so DST changes are honoured: a range
 * 01:00–04:00 lasts 2 h on a spring-forward day and 4 h on a fall-back day. A boundary that
 * falls in the spring-forward gap is moved to the instant the clocks jump; a boundary that
 * falls in the repeated fall-back hour uses its first occurrence. Adjacent working spans are
 * merged, so a 24×7 calendar yields one continuous interval.
 *
 * `addBusinessMs(cal, from, 0)` returns `from` itself (nothing needs to elapse), even when
 * `from` is outside working time. For ms > 0 the result is the first instant at which ms of
 * working time has elapsed: a span ending exactly at 17:00 yields 17:00, not the next morning.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessCalendar {
  /** IANA zone, e.g. 'Europe/Paris'. */
  timeZone: string;
  /** 'HH:MM' local ranges, end exclusive, '24:00' allowed. Missing day = no working time. */
  week: Partial<Record<Weekday, Array<[string, string]>>>;
  /** 'YYYY-MM-DD' local dates with no working time. */
  holidays: string[];
  /** Working days that replace the weekly pattern for that date. */
  makeUpDays?: Array<{ date: string; hours: Array<[string, string]> }>;
}

export interface Interval {
  start: Date;
  end: Date;
}

const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];

/** 24×7 in UTC: every instant is working time. */
export const ALWAYS: BusinessCalendar = {
  timeZone: 'UTC',
  week: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
  holidays: [],
};

const DAY_MS = 86_400_000;
/** How far ahead a search goes without meeting any working time before giving up. */
const MAX_SEARCH_MS = 731 * DAY_MS;
const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const TIME_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

// ---- zone helpers -------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time at instant `t` in `timeZone`, expressed as if it were a UTC epoch. */
function wallClock(timeZone: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(t))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour! % 24, p.minute, p.second) + (((t % 1000) + 1000) % 1000);
}

/** Zone offset (local minus UTC) in ms at instant `t`. */
export function zoneOffsetMs(timeZone: string, t: number): number {
  return wallClock(timeZone, t) - t;
}

/**
 * Wall-clock times already converted. Each SLA display walks the same working days of the
 * same calendars, and a conversion costs several Intl calls (a queue page of 50 tickets
 * spent over a second here); the result depends only on its inputs, so it is safe to keep.
 */
const instants = new Map<string, number>();
const MAX_REMEMBERED = 50_000;

/** The instant of a wall-clock time (given as a UTC epoch of its fields); see file comment for gaps/overlaps. */
function wallToInstant(timeZone: string, wall: number): number {
  const key = `${timeZone}|${wall}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    if (instants.size >= MAX_REMEMBERED) instants.clear();
    instant = convertWallClock(timeZone, wall);
    instants.set(key, instant);
  }
  return instant;
}

function convertWallClock(timeZone: string, wall: number): number {
  const before = zoneOffsetMs(timeZone, wall - DAY_MS);
  const after = zoneOffsetMs(timeZone, wall + DAY_MS);
  const valid = [wall - before, wall - after].filter((t) => wallClock(timeZone, t) === wall);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: binary-search the transition between the two candidate instants.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetMs(timeZone, mid) === zoneOffsetMs(timeZone, lo)) lo = mid;
    else hi = mid;
  }
  return hi;
}

function isValidZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

// ---- validation -----------------------------------------------------------------------

function minutes(hhmm: string): number {
  return hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function rangeProblems(where: string, ranges: Array<[string, string]>): string[] {
  const problems: string[] = [];
  const ok: Array<[number, number]> = [];
  for (const [from, to] of ranges) {
    if (!TIME_RE.test(from) || !TIME_RE.test(to) || from === '24:00') {
      problems.push(`${where}: bad time range ${from}–${to}`);
    } else if (minutes(from) >= minutes(to)) {
      problems.push(`${where}: reversed or empty range ${from}–${to}`);
    } else {
      ok.push([minutes(from), minutes(to)]);
    }
  }
  ok.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ok.length; i++) {
    if (ok[i]![0] < ok[i - 1]![1]) problems.push(`${where}: overlapping ranges`);
  }
  return problems;
}

/** Problems that make a calendar unusable; empty when it is valid. */
export function validateCalendar(cal: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!isValidZone(cal.timeZone)) problems.push(`unknown time zone '${cal.timeZone}'`);
  for (const [day, ranges] of Object.entries(cal.week)) {
    if (!WEEKDAYS.includes(day as Weekday)) problems.push(`unknown weekday '${day}'`);
    problems.push(...rangeProblems(day, ranges ?? []));
  }
  for (const h of cal.holidays) if (!DATE_RE.test(h)) problems.push(`bad holiday date '${h}'`);
  for (const m of cal.makeUpDays ?? []) {
    if (!DATE_RE.test(m.date)) problems.push(`bad make-up date '${m.date}'`);
    if (cal.holidays.includes(m.date)) problems.push(`${m.date} is both a holiday and a make-up day`);
    problems.push(...rangeProblems(m.date, m.hours));
  }
  return problems;
}

/** Calendars already found valid: catalog calendars are checked once, not on every computation. */
const valid = new WeakSet<BusinessCalendar>();

function assertValid(cal: BusinessCalendar): void {
  if (valid.has(cal)) return;
  const problems = validateCalendar(cal);
  if (problems.length > 0) throw new Error(`invalid business calendar: ${problems.join('; ')}`);
  valid.add(cal);
}

// ---- arithmetic -----------------------------------------------------------------------

/** The working ranges of one local date, as minutes since local midnight. */
function rangesOn(cal: BusinessCalendar, y: number, m: number, d: number): Array<[number, number]> {
  const iso = `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (cal.holidays.includes(iso)) return [];
  const makeUp = cal.makeUpDays?.find((x) => x.date === iso);
  const ranges = makeUp ? makeUp.hours : (cal.week[WEEKDAYS[new Date(Date.UTC(y, m, d)).getUTCDay()]!] ?? []);
  return ranges.map(([a, b]): [number, number] => [minutes(a), minutes(b)]).sort((a, b) => a[0] - b[0]);
}

/** Working spans intersecting [from, to), clipped to it, merged when adjacent. */
export function workingIntervals(cal: BusinessCalendar, from: Date, to: Date): Interval[] {
  assertValid(cal);
  const lo = from.getTime();
  const hi = to.getTime();
  const out: Array<[number, number]> = [];
  if (!(hi > lo)) return [];
  const first = new Date(wallClock(cal.timeZone, lo));
  for (let i = 0; ; i++) {
    const y = first.getUTCFullYear();
    const m = first.getUTCMonth();
    const d = first.getUTCDate() + i;
    if (wallToInstant(cal.timeZone, Date.UTC(y, m, d)) >= hi) break;
    for (const [a, b] of rangesOn(cal, ...ymd(Date.UTC(y, m, d)))) {
      const start = Math.max(lo, wallToInstant(cal.timeZone, Date.UTC(y, m, d, 0, a)));
      const end = Math.min(hi, wallToInstant(cal.timeZone, Date.UTC(y, m, d, 0, b)));
      if (end <= start) continue;
      const last = out[out.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else out.push([start, end]);
    }
  }
  return out.map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

function ymd(utc: number): [number, number, number] {
  const x = new Date(utc);
  return [x.getUTCFullYear(), x.getUTCMonth(), x.getUTCDate()];
}

/** Working time in [from, to), in ms; 0 when to <= from. */
export function businessMsBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  return workingIntervals(cal, from, to).reduce((sum, i) => sum + (i.end.getTime() - i.start.getTime()), 0);
}

/**
 * The instant at which `ms` of working time has elapsed after `from` (ms = 0 → `from`).
 * Throws when 2 years pass without any working time.
 */
export function addBusinessMs(cal: BusinessCalendar, from: Date, ms: number): Date {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`business duration must be a finite ms >= 0, got ${ms}`);
  assertValid(cal);
  if (ms === 0) return new Date(from.getTime());
  let remaining = ms;
  let cursor = from.getTime();
  let lastWork = cursor;
  const window = 31 * DAY_MS;
  for (;;) {
    for (const { start, end } of workingIntervals(cal, new Date(cursor), new Date(cursor + window))) {
      const len = end.getTime() - start.getTime();
      if (remaining <= len) return new Date(start.getTime() + remaining);
      remaining -= len;
      lastWork = end.getTime();
    }
    cursor += window;
    if (cursor - lastWork > MAX_SEARCH_MS) throw new Error('calendar has no working time within 2 years');
  }
}
