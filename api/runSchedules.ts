import { type CalendarSpec as TemporalCalendar, type Client, type ScheduleDescription, ScheduleNotFoundError, type ScheduleOverlapPolicy, type ScheduleSpec as TemporalSpec, WorkflowNotFoundError } from '@temporalio/client';
import { type CalendarField, type CalendarSpec, DAYS_OF_WEEK, MONTHS, type OverlapPolicy, runScheduleId, scheduledRunWorkflowId, type ScheduleSpec } from '../domain/automation/schedule';
import type { ScheduleDocument } from '../store/automation/schedules';
import type { ScheduledRunOutcome } from '../workflows/scheduledRun';
import { rootMessage } from '../domain/failure';

/**
 * Each run schedule has a Temporal Schedule `automation:<id>` that starts
 * `scheduledRunWorkflow` (`automation-schedule/<id>-<time>`) with only the schedule's id:
 * what the run is comes from the store when it fires. Saving a schedule brings its
 * Temporal Schedule in line. Missed firings are caught up for 10 minutes after an outage.
 */
const CATCHUP_WINDOW = '10 minutes';
/** Firings shown with a schedule; Temporal keeps the last 10. */
export const RECENT_ACTIONS = 5;
export const NEXT_RUNS = 5;

export const overlapOf = (policy: OverlapPolicy) => policy.toUpperCase() as ScheduleOverlapPolicy;

export async function createTemporalSchedule(client: Client, taskQueue: string, doc: ScheduleDocument): Promise<void> {
  await client.schedule.create({
    scheduleId: runScheduleId(doc._id),
    spec: temporalSpec(doc.spec),
    action: actionOf(taskQueue, doc._id),
    policies: { overlap: overlapOf(doc.overlap), catchupWindow: CATCHUP_WINDOW },
    state: { paused: doc.paused, note: doc.note },
  });
}

/** Brings an existing Temporal Schedule in line with the stored one (made again if it went missing). */
export async function updateTemporalSchedule(client: Client, taskQueue: string, doc: ScheduleDocument): Promise<void> {
  try {
    await client.schedule.getHandle(runScheduleId(doc._id)).update((previous) => ({
      ...previous,
      spec: temporalSpec(doc.spec),
      action: actionOf(taskQueue, doc._id),
      policies: { ...previous.policies, overlap: overlapOf(doc.overlap) },
      state: { ...previous.state, paused: doc.paused, note: doc.note },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await createTemporalSchedule(client, taskQueue, doc);
  }
}

export async function deleteTemporalSchedule(client: Client, id: string): Promise<void> {
  try {
    await client.schedule.getHandle(runScheduleId(id)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** The Temporal side of a schedule, or null when it is missing. */
export async function describeTemporalSchedule(client: Client, id: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(runScheduleId(id)).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

export interface FiringView {
  scheduledAt: string;
  takenAt: string;
  workflowId: string;
  status: string;
  runId?: string;
  runStatus?: string;
  error?: string;
}

/** The latest firings, newest first, with how each ended: the run it made and that run's outcome, or why it made none. */
export async function recentFirings(client: Client, description: ScheduleDescription): Promise<FiringView[]> {
  const recent = description.info.recentActions.slice(-RECENT_ACTIONS).reverse();
  return Promise.all(
    recent.map(async ({ scheduledAt, takenAt, action }) => {
      const base = { scheduledAt: scheduledAt.toISOString(), takenAt: takenAt.toISOString(), workflowId: action.workflow.workflowId };
      const handle = client.workflow.getHandle<() => Promise<ScheduledRunOutcome>>(action.workflow.workflowId, action.workflow.firstExecutionRunId);
      try {
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') return { ...base, status: 'running' };
        if (status.name !== 'COMPLETED' && status.name !== 'FAILED') return { ...base, status: status.name.toLowerCase() };
        const outcome = await handle.result().then(
          (value) => ({ runId: value.runId, runStatus: value.status }),
          (error: unknown) => ({ error: rootMessage(error) }),
        );
        return { ...base, status: status.name.toLowerCase(), ...outcome };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { ...base, status: 'unknown' };
        throw error;
      }
    }),
  );
}

function actionOf(taskQueue: string, id: string) {
  return { type: 'startWorkflow' as const, workflowType: 'scheduledRunWorkflow', args: [{ scheduleId: id }], taskQueue, workflowId: scheduledRunWorkflowId(id) };
}

export function temporalSpec(spec: ScheduleSpec): TemporalSpec {
  return {
    ...(spec.cron?.length && { cronExpressions: spec.cron }),
    ...(spec.calendars?.length && { calendars: spec.calendars.map(temporalCalendar) }),
    ...(spec.timezone && { timezone: spec.timezone }),
    ...(spec.jitter && { jitter: spec.jitter as `${number}s` }),
  };
}

const FIELD_MAX: Record<string, number> = { second: 59, minute: 59, hour: 23, dayOfMonth: 31, month: 12, dayOfWeek: 6, year: 9999 };

function temporalCalendar(calendar: CalendarSpec): TemporalCalendar {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(calendar)) {
    if (name === 'comment') out.comment = value;
    else out[name] = field(name, value as CalendarField<number | string>);
  }
  return out as TemporalCalendar;
}

/** Numbers become Temporal's names for months and days of week; a step without an end runs to the field's last value. */
function field(name: string, value: CalendarField<number | string>): unknown {
  if (value === '*') return '*';
  const named = (v: number | string) => (typeof v === 'string' ? v : name === 'month' ? MONTHS[v - 1] : name === 'dayOfWeek' ? DAYS_OF_WEEK[v] : v);
  const one = (item: CalendarField<number | string>) => {
    if (typeof item !== 'object' || Array.isArray(item)) return named(item as number | string);
    if (item.step === undefined) return { start: named(item.start), ...(item.end !== undefined && { end: named(item.end) }) };
    return { start: named(item.start), end: named(item.end ?? FIELD_MAX[name]!), step: item.step };
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}
