/**
 * Run schedules: when a runbook runs by itself. Each schedule is a Temporal Schedule
 * (`automation:<id>`) whose action starts `scheduledRunWorkflow`; what the run is
 * (runbook, parameters, targets, owner) is read from the store when it fires, so the
 * Temporal side holds only the times and the policies. docs/automation-triggers.md.
 */

/** What a schedule does when a run is due while the previous one still runs (Temporal's ScheduleOverlapPolicy). */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'allow_all', 'cancel_other'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;
export const DAYS_OF_WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
export type MonthName = (typeof MONTHS)[number];
export type DayOfWeekName = (typeof DAYS_OF_WEEK)[number];

/** One value, or `start`..`end` (inclusive) every `step`. */
export type CalendarRange<T> = T | { start: T; end?: T; step?: number };
/** `*` (every), one value or range, or a list of them. */
export type CalendarField<T> = '*' | CalendarRange<T> | Array<CalendarRange<T>>;

/**
 * The subset of Temporal's calendar spec a schedule takes. Fields left out mean what they
 * mean to Temporal: second, minute and hour 0; day of month, month, year and day of week
 * every. Months are 1-12 or names, days of week 0-6 (0 Sunday) or names.
 */
export interface CalendarSpec {
  second?: CalendarField<number>;
  minute?: CalendarField<number>;
  hour?: CalendarField<number>;
  dayOfMonth?: CalendarField<number>;
  month?: CalendarField<number | MonthName>;
  dayOfWeek?: CalendarField<number | DayOfWeekName>;
  year?: CalendarField<number>;
  comment?: string;
}

export interface ScheduleSpec {
  /** Five-field cron expressions (minute hour day-of-month month day-of-week) or @hourly, @daily, … */
  cron?: string[];
  calendars?: CalendarSpec[];
  /** IANA time zone the times are read in; default UTC. */
  timezone?: string;
  /** Each fire is delayed by a random amount up to this (e.g. '30s', '5m'), so many schedules do not fire at one instant. */
  jitter?: string;
}

/** The Temporal Schedule of a run schedule, and the prefix of the workflows it starts. */
export const runScheduleId = (id: string) => `automation:${id}`;
export const scheduledRunWorkflowId = (id: string) => `automation-schedule/${id}`;

/** Macros Temporal's cron parser takes besides five fields. */
export const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Where names count from (months: JAN is 1). */
  nameBase?: number;
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS.map((m) => m.slice(0, 3)), nameBase: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS_OF_WEEK.map((d) => d.slice(0, 3)), nameBase: 0 },
];

/**
 * Why a cron expression is not one a schedule takes, or null when it is: five fields of
 * `*`, values, ranges `a-b`, steps `*\/n` or `a-b/n` and lists `a,b`; month and day-of-week
 * names (JAN, MON); or one of CRON_MACROS. Time zones are the schedule's `timezone`, not
 * a CRON_TZ prefix.
 */
export function cronProblem(expression: string): string | null {
  const text = expression.trim();
  if (text.startsWith('@')) {
    return (CRON_MACROS as readonly string[]).includes(text.toLowerCase()) ? null : `unknown macro ${text}; use one of ${CRON_MACROS.join(', ')} or five fields`;
  }
  if (/^CRON_TZ=|^TZ=/i.test(text)) return "give the time zone in the schedule's 'timezone', not in the expression";
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `a cron expression has five fields (minute hour day-of-month month day-of-week); this one has ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const problem = cronFieldProblem(field, CRON_FIELDS[i]!);
    if (problem) return `${CRON_FIELDS[i]!.name} '${field}': ${problem}`;
  }
  return null;
}

function cronFieldProblem(text: string, field: CronField): string | null {
  for (const item of text.split(',')) {
    if (item === '') return 'an empty list item';
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return 'more than one step';
    if (step !== undefined && !/^\d+$/.test(step)) return `step '${step}' is not a whole number`;
    if (step !== undefined && (Number(step) < 1 || Number(step) > field.max - field.min + 1)) return `step ${step} is outside 1-${field.max - field.min + 1}`;
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `'${range}' is not a value or a range`;
    const values: number[] = [];
    for (const bound of bounds) {
      const value = cronValue(bound, field);
      if (value === null) return `'${bound}' is not ${field.names ? `a number or a name (${field.names.join(', ')})` : 'a number'}`;
      if (value < field.min || value > field.max) return `${bound} is outside ${field.min}-${field.max}`;
      values.push(value);
    }
    if (values.length === 2 && values[0]! > values[1]!) return `range ${range} runs backwards`;
  }
  return null;
}

function cronValue(text: string, field: CronField): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? null : index + field.nameBase!;
}

/** Why a time zone is not one the schedule can use, or null (an IANA name the runtime's Intl knows). */
export function timezoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone '${zone}'; use an IANA name such as Europe/Berlin or UTC`;
  }
}

/** Calendar fields outside their bounds, by path inside the calendar. */
export function calendarProblems(spec: CalendarSpec): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const bounds: Record<string, [number, number]> = { second: [0, 59], minute: [0, 59], hour: [0, 23], dayOfMonth: [1, 31], month: [1, 12], dayOfWeek: [0, 6], year: [1970, 9999] };
  for (const [name, [min, max]] of Object.entries(bounds)) {
    const value = spec[name as Exclude<keyof CalendarSpec, 'comment'>];
    if (value === undefined || value === '*') continue;
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const path = Array.isArray(value) ? `${name}.${i}` : name;
      const range: { start: number | string; end?: number | string; step?: number } = typeof item === 'object' ? item : { start: item };
      const ends = [range.start, ...(range.end === undefined ? [] : [range.end])].map((v) => (typeof v === 'number' ? v : nameIndex(name, v)));
      if (ends.some((v) => v < min || v > max || !Number.isInteger(v))) problems.push({ path, message: `must be within ${min}-${max}` });
      else if (ends.length === 2 && ends[0]! > ends[1]!) problems.push({ path, message: 'the range runs backwards' });
      if (range.step !== undefined && (!Number.isInteger(range.step) || range.step < 1)) problems.push({ path: `${path}.step`, message: 'a step is a whole number of at least 1' });
    });
  }
  return problems;
}

function nameIndex(field: string, name: string): number {
  if (field === 'month') return (MONTHS as readonly string[]).indexOf(name) + 1 || -1;
  if (field === 'dayOfWeek') return (DAYS_OF_WEEK as readonly string[]).indexOf(name);
  return -1;
}
