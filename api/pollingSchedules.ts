import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { POLLING_SCHEDULE_PREFIX, POLLING_WORKFLOW_PREFIX, type PollingJob, pollingScheduleId } from '../domain/collection/pollingJob';
import type { WarningLog } from './alertGroups';

/**
 * Each polling job in the catalog has a Temporal Schedule (`polling:<job>`) that starts
 * `pollingWorkflow` every `every` with workflow id `polling/<job>-<time>`. At start the
 * schedules are brought in line with the catalog: made, updated (interval, paused), and
 * those of jobs no longer in it deleted. A run still going when the next is due is not
 * doubled (the next is skipped), and missed polls are not caught up after an outage beyond
 * a minute: an old reading is worth nothing now.
 */
const CATCHUP_WINDOW = '1 minute';

export async function syncPollingSchedules(client: Client, taskQueue: string, jobs: readonly PollingJob[], log?: WarningLog): Promise<void> {
  for (const job of jobs) await applyPollingSchedule(client, taskQueue, job);
  const wanted = new Set(jobs.map((j) => pollingScheduleId(j.name)));
  for await (const schedule of client.schedule.list()) {
    if (!schedule.scheduleId.startsWith(POLLING_SCHEDULE_PREFIX) || wanted.has(schedule.scheduleId)) continue;
    try {
      await client.schedule.getHandle(schedule.scheduleId).delete();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) log?.warn({ err: error, schedule: schedule.scheduleId }, 'the schedule of a polling job no longer in the catalog could not be deleted');
    }
  }
}

export async function applyPollingSchedule(client: Client, taskQueue: string, job: PollingJob): Promise<void> {
  const scheduleId = pollingScheduleId(job.name);
  const spec = { intervals: [{ every: job.everyMs }] };
  const action = { type: 'startWorkflow' as const, workflowType: 'pollingWorkflow', args: [{ job: job.name }], taskQueue, workflowId: `${POLLING_WORKFLOW_PREFIX}${job.name}` };
  const state = { paused: job.paused, note: `polling job ${job.name} (catalog/collection/polling-jobs.yaml)` };
  try {
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, state: { ...previous.state, ...state } }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({ scheduleId, spec, action, state, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW } });
  }
}

export interface PollingScheduleState {
  paused: boolean;
  nextRuns: string[];
  /** The latest runs it started, newest first. */
  recent: Array<{ scheduledAt: string; workflowId: string }>;
}

/** The Temporal side of a job's schedule, or null when it has none (not synced yet, or deleted). */
export async function pollingScheduleState(client: Client, job: string): Promise<PollingScheduleState | null> {
  try {
    const description = await client.schedule.getHandle(pollingScheduleId(job)).describe();
    return {
      paused: description.state.paused,
      nextRuns: description.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
      recent: description.info.recentActions
        .slice(-5)
        .reverse()
        .map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}
