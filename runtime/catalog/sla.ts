/**
 * Loads the SLA catalog from files: `<dir>/sla/calendars/<id>.yaml` and
 * `<dir>/sla/policies/<id>.yaml` (`.yml` too). The id is the file name; an `id` field, when
 * written, must repeat it. Every problem of every file is collected and reported at once,
 * each line naming the file, the field and what to write instead, so one start-up shows an
 * author everything to fix.
 */

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { type BusinessCalendar, validateCalendar } from '../../domain/sla/calendar';
import {
  parseDuration,
  PRIORITIES,
  SLA_METRICS,
  type SlaCatalog,
  type SlaPolicy,
  TICKET_KINDS,
} from '../../domain/sla/policy';

export class SlaCatalogError extends Error {
  override readonly name = 'SlaCatalogError';
  constructor(readonly problems: string[]) {
    super(`invalid SLA catalog (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
  }
}

// ---- schemas --------------------------------------------------------------------------

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const range = z.tuple([z.string(), z.string()], { error: "write a range as a pair of quoted times, e.g. ['08:00', '18:00']" });

const calendarSchema = z.strictObject({
  id: z.string().optional(),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  timeZone: z.string().min(1),
  week: z.partialRecord(z.enum(WEEKDAYS), z.array(range)),
  holidays: z.array(z.string({ error: "write dates as quoted 'YYYY-MM-DD'" })).default([]),
  makeUpDays: z.array(z.strictObject({ date: z.string(), hours: z.array(range) })).optional(),
});

const duration = z.string({ error: "write a duration as text, e.g. '4h', '1d 12h', '30m'" }).superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});
const ratio = z.number({ error: 'write a ratio as a number, e.g. 0.75' }).gt(0, 'must be between 0 and 1 (exclusive), e.g. 0.75').lt(1, 'must be between 0 and 1 (exclusive), e.g. 0.75');
const states = z.array(z.string().min(1)).min(1, 'list at least one state');
const names = z.array(z.string().min(1)).min(1, 'list at least one value, or leave the field out to match any');
const action = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('notify_assignee') }),
    z.strictObject({ type: z.literal('notify_group_manager') }),
    z.strictObject({ type: z.literal('reassign'), group: z.string().min(1) }),
    z.strictObject({ type: z.literal('raise_priority') }),
  ],
  { error: 'unknown action: use { type: notify_assignee | notify_group_manager | raise_priority } or { type: reassign, group: <group> }' },
);

const policySchema = z.strictObject({
  id: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  metric: z.enum(SLA_METRICS, { error: `must be one of ${SLA_METRICS.join(', ')}` }),
  appliesTo: z
    .strictObject({
      kinds: z.array(z.enum(TICKET_KINDS, { error: `must be one of ${TICKET_KINDS.join(', ')}` })).min(1).optional(),
      priorities: z.array(z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` })).min(1).optional(),
      services: names.optional(),
      categories: names.optional(),
    })
    .default({}),
  targets: z.partialRecord(z.enum(PRIORITIES), duration),
  calendar: z.string().min(1),
  start: z.strictObject({ states }).optional(),
  pause: z.strictObject({ states, holdReasons: names.optional() }).optional(),
  stop: z.strictObject({ states }),
  cancel: z.strictObject({ states }).optional(),
  warnings: z.array(ratio).default([]),
  actions: z.strictObject({ warning: z.record(z.string(), z.array(action)).optional(), breach: z.array(action).optional() }).default({}),
  order: z.number().int('must be a whole number').optional(),
});

type PolicyFile = z.output<typeof policySchema>;

// ---- files ----------------------------------------------------------------------------

interface SourceFile {
  id: string;
  file: string;
  data: unknown;
  /** Not valid YAML (already reported); kept so that references to its id do not fail too. */
  unreadable?: true;
}

/** The YAML files of a folder, parsed; a missing folder holds none. */
function readFolder(folder: string, problems: string[]): SourceFile[] {
  if (!fs.existsSync(folder)) return [];
  const files = fs
    .readdirSync(folder)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const seen = new Map<string, string>();
  const out: SourceFile[] = [];
  for (const name of files) {
    const file = path.join(folder, name);
    const id = name.replace(/\.ya?ml$/, '');
    const twin = seen.get(id);
    if (twin) problems.push(`${file}: id '${id}' is already used by ${twin}; rename one of them`);
    seen.set(id, file);
    try {
      out.push({ id, file, data: YAML.parse(fs.readFileSync(file, 'utf8')) });
    } catch (e) {
      problems.push(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
      out.push({ id, file, data: undefined, unreadable: true });
    }
  }
  return out;
}

function fieldName(at: PropertyKey[]): string {
  return at.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}: remove or fix the spelling`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
  return issue.message;
}

/** Parses `source` with `schema`, pushing one line per issue; undefined when it does not parse. */
function parseFile<S extends z.ZodType>(schema: S, source: SourceFile, problems: string[]): z.output<S> | undefined {
  if (source.unreadable) return undefined;
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    problems.push(`${source.file}: expected a mapping of fields (is the file empty?)`);
    return undefined;
  }
  const result = schema.safeParse(source.data, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push(`${source.file}: ${fieldName(issue.path) || '(top level)'}: ${issueText(issue)}`);
  return undefined;
}

function checkId(source: SourceFile, id: string | undefined, problems: string[]): void {
  if (id !== undefined && id !== source.id) problems.push(`${source.file}: id: '${id}' must equal the file name '${source.id}' (or leave it out)`);
}

// ---- calendars ------------------------------------------------------------------------

function loadCalendar(source: SourceFile, problems: string[]): BusinessCalendar | undefined {
  const parsed = parseFile(calendarSchema, source, problems);
  if (!parsed) return undefined;
  checkId(source, parsed.id, problems);
  const cal: BusinessCalendar = { timeZone: parsed.timeZone, week: parsed.week, holidays: parsed.holidays };
  if (parsed.makeUpDays) cal.makeUpDays = parsed.makeUpDays;
  const invalid = validateCalendar(cal);
  for (const p of invalid) problems.push(`${source.file}: ${p}`);
  return invalid.length ? undefined : cal;
}

// ---- policies -------------------------------------------------------------------------

/** Checks that need more than one field (or the calendars); pushes a line per problem. */
function policyProblems(source: SourceFile, p: PolicyFile, calendarIds: Set<string>): string[] {
  const problems: string[] = [];
  const at = (field: string, message: string) => problems.push(`${source.file}: ${field}: ${message}`);
  if (!calendarIds.has(p.calendar)) at('calendar', `no calendar '${p.calendar}': use one of ${[...calendarIds].join(', ') || '(none)'} or add sla/calendars/${p.calendar}.yaml`);
  const wanted: string[] = p.appliesTo.priorities ?? [...PRIORITIES];
  const missing = wanted.filter((x) => !(x in p.targets));
  if (missing.length) at('targets', `no target for ${missing.join(', ')}: add them, or narrow appliesTo.priorities`);
  for (const x of Object.keys(p.targets)) if (!wanted.includes(x)) at(`targets.${x}`, `never used: appliesTo.priorities leaves ${x} out; remove it`);
  if (new Set(p.warnings).size !== p.warnings.length) at('warnings', 'lists a ratio twice');
  for (const key of Object.keys(p.actions.warning ?? {})) {
    if (!p.warnings.includes(Number(key))) at(`actions.warning.${key}`, `'${key}' is not one of warnings [${p.warnings.join(', ')}]: add it there or fix the key`);
  }
  const overlap = (a: string[] | undefined, b: string[] | undefined, what: string) => {
    const both = (a ?? []).filter((s) => b?.includes(s));
    if (both.length) at(what, `${both.join(', ')} listed in both: a state can do only one thing to the clock`);
  };
  overlap(p.stop.states, p.cancel?.states, 'stop/cancel');
  overlap(p.pause?.states, p.stop.states, 'pause/stop');
  overlap(p.pause?.states, p.cancel?.states, 'pause/cancel');
  return problems;
}

function toPolicy(id: string, p: PolicyFile): SlaPolicy {
  // warning keys normalised to String(ratio) ('0.50' → '0.5'), the form the engine looks up
  const warning = p.actions.warning && Object.fromEntries(Object.entries(p.actions.warning).map(([k, v]) => [String(Number(k)), v]));
  const policy: SlaPolicy = {
    id,
    name: p.name,
    metric: p.metric,
    appliesTo: p.appliesTo,
    targets: p.targets,
    calendar: p.calendar,
    stop: p.stop,
    warnings: [...p.warnings].sort((a, b) => a - b),
    actions: { ...(warning && { warning }), ...(p.actions.breach && { breach: p.actions.breach }) },
  };
  if (p.start) policy.start = p.start;
  if (p.pause) policy.pause = p.pause;
  if (p.cancel) policy.cancel = p.cancel;
  if (p.order !== undefined) policy.order = p.order;
  return policy;
}

function loadPolicy(source: SourceFile, calendarIds: Set<string>, problems: string[]): SlaPolicy | undefined {
  const parsed = parseFile(policySchema, source, problems);
  if (!parsed) return undefined;
  checkId(source, parsed.id, problems);
  const found = policyProblems(source, parsed, calendarIds);
  problems.push(...found);
  return found.length ? undefined : toPolicy(source.id, parsed);
}

// ---- catalog --------------------------------------------------------------------------

/** Reads and validates the SLA calendars and policies under `dir`; throws SlaCatalogError listing every problem. */
export function loadSlaCatalog(dir: string): SlaCatalog {
  if (!fs.existsSync(dir)) throw new SlaCatalogError([`${dir}: catalog folder not found`]);
  const problems: string[] = [];
  const calendarSources = readFolder(path.join(dir, 'sla', 'calendars'), problems);
  const calendars: Record<string, BusinessCalendar> = {};
  for (const source of calendarSources) {
    const cal = loadCalendar(source, problems);
    if (cal) calendars[source.id] = cal;
  }
  // policies are checked against every calendar file, so a broken calendar is reported once, in its own file
  const calendarIds = new Set(calendarSources.map((s) => s.id));
  const policies: SlaPolicy[] = [];
  for (const source of readFolder(path.join(dir, 'sla', 'policies'), problems)) {
    const policy = loadPolicy(source, calendarIds, problems);
    if (policy) policies.push(policy);
  }
  if (problems.length) throw new SlaCatalogError(problems);
  return { policies, calendars };
}
