import { z } from 'zod';
import { calendarProblems, cronProblem, DAYS_OF_WEEK, MONTHS, OVERLAP_POLICIES, timezoneProblem } from '../../domain/automation/schedule';
import { MAX_EXPLICIT_TARGETS } from '../../domain/automation/targets';
import { run } from './automationRun';
import { libraryId } from './runbook';

export const scheduleId = libraryId.meta({ description: 'Schedule id, lower-case words joined by dashes (e.g. nightly-disk-check); its Temporal Schedule is automation:<id>' });

const range = <T extends z.ZodType>(value: T) => z.union([value, z.strictObject({ start: value, end: value.optional(), step: z.int().min(1).optional() })]);
const calendarField = <T extends z.ZodType>(value: T) => z.union([z.literal('*'), range(value), z.array(range(value)).min(1).max(60)]);
const whole = z.int();

const calendar = z
  .strictObject({
    second: calendarField(whole).optional(),
    minute: calendarField(whole).optional(),
    hour: calendarField(whole).optional(),
    dayOfMonth: calendarField(whole).optional(),
    month: calendarField(z.union([whole, z.enum(MONTHS)])).optional().meta({ description: '1-12 or JANUARY…DECEMBER' }),
    dayOfWeek: calendarField(z.union([whole, z.enum(DAYS_OF_WEEK)])).optional().meta({ description: '0-6 (0 is Sunday) or SUNDAY…SATURDAY' }),
    year: calendarField(whole).optional(),
    comment: z.string().max(200).optional(),
  })
  .superRefine((spec, ctx) => {
    for (const problem of calendarProblems(spec)) ctx.addIssue({ code: 'custom', path: problem.path.split('.'), message: problem.message });
  })
  .meta({
    id: 'ScheduleCalendar',
    description: "A subset of Temporal's calendar spec. Left out: second, minute and hour 0; day of month, month, year and day of week every. A value, {start, end, step} (a step without end runs to the field's last value), a list of them, or '*'.",
  });

const cron = z
  .string()
  .min(1)
  .max(100)
  .superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const scheduleSpec = z
  .strictObject({
    cron: z.array(cron).min(1).max(10).optional().meta({ description: 'Cron expressions of five fields (minute hour day-of-month month day-of-week), or @hourly, @daily, @weekly, @monthly, @yearly' }),
    calendars: z.array(calendar).min(1).max(10).optional(),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .superRefine((zone, ctx) => {
        const problem = timezoneProblem(zone);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .meta({ description: 'IANA time zone the times are in (default UTC)' }),
    jitter: z
      .string()
      .regex(/^\d{1,5}(s|m|h)$/, "a duration such as '30s', '5m' or '1h'")
      .optional()
      .meta({ description: 'Each firing is delayed by a random time up to this' }),
  })
  .refine((spec) => spec.cron || spec.calendars, { message: "give 'cron', 'calendars' or both", path: ['cron'] })
  .meta({ id: 'ScheduleSpec' });

const definition = {
  runbook: libraryId,
  version: z.int().min(1).optional().meta({ description: 'Default: the latest published version when it fires' }),
  params: z.record(z.string(), z.unknown()).default({}).meta({ description: "Answers to the runbook's parameter form; a secret one sent back as ••••••  keeps its stored value" }),
  targets: z.array(z.string().min(1).max(100)).min(1).max(MAX_EXPLICIT_TARGETS).optional().meta({ description: "CI ids the runs are limited to, each one the runbook's selector selects" }),
  credential: z.string().min(1).max(100).optional().meta({ description: 'Credential id for hosts whose CI names no ssh_credential' }),
  spec: scheduleSpec,
  overlap: z.enum(OVERLAP_POLICIES).default('skip').meta({ description: 'A firing while the previous run still runs: skip it, buffer one, allow all, or cancel the running one' }),
  paused: z.boolean().default(false),
  note: z.string().max(500).default(''),
};

export const newScheduleBody = z.strictObject({ id: scheduleId, ...definition }).meta({ id: 'NewRunSchedule' });
export const scheduleBody = z.strictObject(definition).meta({ id: 'RunScheduleDefinition' });
export const pauseBody = z.strictObject({ note: z.string().max(500).optional() }).optional().meta({ id: 'SchedulePause' });
export const triggerBody = z.strictObject({ overlap: z.enum(OVERLAP_POLICIES).optional().meta({ description: "Default: the schedule's own" }) }).optional().meta({ id: 'ScheduleTrigger' });

const firing = z.object({
  scheduledAt: z.string(),
  takenAt: z.string(),
  workflowId: z.string(),
  status: z.string().meta({ description: 'running, completed, failed, cancelled, terminated, timed_out' }),
  runId: z.string().optional(),
  runStatus: z.string().optional().meta({ description: 'How the run it made ended' }),
  error: z.string().optional().meta({ description: 'Why it made no run (owner lost the role, runbook gone, parameters no longer valid)' }),
});

export const schedule = z
  .object({
    id: scheduleId,
    runbook: z.string(),
    version: z.int().optional(),
    params: z.record(z.string(), z.unknown()).meta({ description: 'Secret parameters are shown masked' }),
    targets: z.array(z.string()).optional(),
    credential: z.string().optional(),
    spec: z.record(z.string(), z.unknown()),
    overlap: z.enum(OVERLAP_POLICIES),
    paused: z.boolean(),
    note: z.string(),
    owner: z.string().meta({ description: "Who made it; its runs are requested by them with the roles they hold when it fires" }),
    revision: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    nextRuns: z.array(z.string()).meta({ description: `The next firing times (up to 5); none while paused` }),
    missing: z.boolean().optional().meta({ description: 'Its Temporal Schedule is missing; saving the schedule makes it again' }),
    recentActions: z.array(firing).optional().meta({ description: 'The latest firings, newest first (one schedule only)' }),
    recentRuns: z.array(run).optional().meta({ description: 'The latest runs it made, newest first (one schedule only)' }),
  })
  .meta({ id: 'RunSchedule' });

export const scheduleList = z.object({ items: z.array(schedule), nextCursor: z.string().nullable() }).meta({ id: 'RunScheduleList' });
export const listSchedulesQuery = z.strictObject({
  runbook: libraryId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: scheduleId.optional().meta({ description: 'nextCursor of the previous page' }),
});
