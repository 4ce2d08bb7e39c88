import { ActivityFailure, ApplicationFailure, executeChild, proxyActivities } from '@temporalio/workflow';
import type { createScheduledRunActivities } from '../activities/automation/scheduledRuns';
import { runWorkflowId } from '../domain/automation/run';
import { type RunOutcome, runWorkflow } from './run';

const { createScheduledRun } = proxyActivities<ReturnType<typeof createScheduledRunActivities>>({
  startToCloseTimeout: '1 minute',
  // A store outage is waited out; a refusal (owner lost the role, runbook gone) is not retried.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export interface ScheduledRunInput {
  scheduleId: string;
}

export interface ScheduledRunOutcome extends RunOutcome {
  runId: string;
}

/**
 * What a run schedule's Temporal Schedule starts each time it fires
 * (`automation-schedule/<id>-<time>`): makes the run as the schedule's owner, then runs it
 * as the child `run/<id>` and ends with its outcome, so the schedule's overlap policy
 * sees a firing as running until its run ends (and cancel_other cancels the run). When
 * no run can be made, it fails with the reason, which the schedule's recent actions show.
 */
export async function scheduledRunWorkflow({ scheduleId }: ScheduledRunInput): Promise<ScheduledRunOutcome> {
  let runId: string;
  try {
    ({ runId } = await createScheduledRun(scheduleId, new Date().toISOString()));
  } catch (error) {
    const cause = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null;
    if (cause) throw ApplicationFailure.nonRetryable(cause.message, cause.type ?? undefined);
    throw error;
  }
  const outcome = await executeChild(runWorkflow, { workflowId: runWorkflowId(runId), args: [{ runId }] });
  return { runId, ...outcome };
}
