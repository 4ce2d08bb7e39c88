import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PollingZoneActivities } from '../activities/collection/pollDevice';
import type { createPollingActivities, PollPlan } from '../activities/collection/polling';
import { zoneTaskQueue } from '../domain/automation/run';
import { pollingRunIdOf } from '../domain/collection/pollingJob';
import { addOutcomes, MAX_REPORTED_PROBLEMS, noCounts, type PollCounts, type PollProblem, type PollRequest, type PollTarget, problemsOf, type TargetOutcome } from '../domain/collection/pollingRun';
import type { DeviceReading } from '../domain/collection/reading';
import { rootMessage } from '../domain/failure';
import { inParallel } from './parallel';

type PollingActivities = ReturnType<typeof createPollingActivities>;

/** Targets per page (read from the store, recorded as one progress write), and pages per run before continuing as new (bounded history). */
const PAGE_SIZE = 100;
const PAGES_PER_RUN = 10;

// The store's steps: an outage delays them, never drops a reading.
const store = proxyActivities<PollingActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface PollingInput {
  job: string;
  /** Carried across continue-as-new: the run, its plan, and how far it got. */
  resume?: { runId: string; plan: PollPlan; page: number; counts: PollCounts; problems: PollProblem[] };
}

/**
 * One run of a polling job (`polling/<job>-<time>`, started by the job's Temporal Schedule):
 * the targets resolved from the CMDB once, then page by page each device is read by a
 * worker of its zone and the reading recorded by the core worker (samples, thresholds,
 * alerts), `concurrency` devices at a time. A device that does not answer is an outcome,
 * counted and reported; the run fails only when its job or selector is wrong.
 */
export async function pollingWorkflow(input: PollingInput): Promise<PollCounts> {
  const info = workflowInfo();
  const runId = input.resume?.runId ?? pollingRunIdOf(info.workflowId, info.firstExecutionRunId);
  let plan: PollPlan;
  try {
    plan = input.resume?.plan ?? (await store.openPollingRun(input.job, runId));
  } catch (error) {
    await store.failPollingRun(input.job, runId, rootMessage(error));
    throw error;
  }
  let counts = input.resume?.counts ?? noCounts(plan.total);
  let problems = input.resume?.problems ?? [];
  for (let page = input.resume?.page ?? 0, pagesThisRun = 0; page * PAGE_SIZE < plan.total; page++, pagesThisRun++) {
    if (pagesThisRun === PAGES_PER_RUN) await continueAsNew<typeof pollingWorkflow>({ job: input.job, resume: { runId, plan, page, counts, problems } });
    const targets = await store.pollingTargets(runId, page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const outcomes = await inParallel(targets, plan.concurrency, (target) => pollOne(target, plan.request));
    counts = addOutcomes(counts, outcomes);
    problems = [...problems, ...problemsOf(targets, outcomes)].slice(0, MAX_REPORTED_PROBLEMS);
    await store.recordPollingProgress(runId, counts, problems);
  }
  await store.closePollingRun(runId, { status: 'completed', counts, problems });
  return counts;
}

async function pollOne(target: PollTarget, request: PollRequest): Promise<TargetOutcome> {
  let reading: DeviceReading;
  try {
    reading = await zoneActivities(target.zone).pollDevice(target, request);
  } catch (error) {
    // No worker of the zone took the poll in time, or it kept failing: not the device's fault.
    return { status: 'failed', samples: 0, crossings: 0, error: `no reading from a worker of zone ${target.zone}: ${rootMessage(error)}` };
  }
  // A poll that failed on our side (no credential, a refused one) has nothing to record.
  if (reading.status === 'failed') return { status: 'failed', samples: 0, crossings: 0, error: reading.error ?? 'failed' };
  return store.recordReading(target, reading);
}

const proxies = new Map<string, PollingZoneActivities>();

/** The zone's poll activity: on its workers' queue, given up when none takes it within two minutes. */
function zoneActivities(zone: string): PollingZoneActivities {
  let found = proxies.get(zone);
  if (!found) {
    found = proxyActivities<PollingZoneActivities>({
      taskQueue: zoneTaskQueue(zone),
      scheduleToStartTimeout: '2 minutes',
      // A poll's walks share a 60 s deadline; the rest is connecting and handing the reading back.
      startToCloseTimeout: '2 minutes',
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
    });
    proxies.set(zone, found);
  }
  return found;
}
