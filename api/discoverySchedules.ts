import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { DISCOVERY_WORKFLOW_PREFIX, scheduleIdOf } from '../domain/cmdb/discovery/job';
import type { StoredJob } from '../store/cmdb/discovery';

/**
 * Each scheduled discovery job has a Temporal Schedule (`discovery:<job>`) that starts
 * `discoveryWorkflow` with workflow id `discovery/<job>-<time>`. A run still going when
 * the next is due is not doubled: the next one is skipped. Saving a job brings its
 * schedule in line; a job without a schedule has none.
 */
export async function applySchedule(client: Client, taskQueue: string, job: StoredJob): Promise<void> {
  const scheduleId = scheduleIdOf(job.name);
  const handle = client.schedule.getHandle(scheduleId);
  if (!job.schedule) return removeSchedule(client, job.name);
  const spec = job.schedule.every ? { intervals: [{ every: job.schedule.every as `${number}${'m' | 'h' | 'd'}` }] } : { cronExpressions: job.schedule.cron! };
  const action = { type: 'startWorkflow' as const, workflowType: 'discoveryWorkflow', args: [{ job: job.name }], taskQueue, workflowId: `${DISCOVERY_WORKFLOW_PREFIX}${job.name}` };
  const state = { paused: job.schedule.paused, note: `discovery job ${job.name}` };
  try {
    await handle.update((previous) => ({ ...previous, spec, action, state: { ...previous.state, ...state } }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({ scheduleId, spec, action, state, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' } });
  }
}

export async function removeSchedule(client: Client, job: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleIdOf(job)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** When the schedule will next start the job (for the UI), or null. */
export async function nextRunOf(client: Client, job: string): Promise<string | null> {
  try {
    const description = await client.schedule.getHandle(scheduleIdOf(job)).describe();
    return description.info.nextActionTimes[0]?.toISOString() ?? null;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}
