import { ApplicationFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createDiscoveryActivities } from '../activities/discovery';
import { addOutcomes, type DiscoveryJob, noCis, runIdOf, type RunCounts } from '../domain/cmdb/discovery/job';
import { expandTargets } from '../domain/cmdb/discovery/targets';
import { inParallel } from './parallel';
import { rootMessage } from '../domain/failure';

type DiscoveryActivities = ReturnType<typeof createDiscoveryActivities>;

/** Targets per page of results, and pages per workflow run before continuing as new (bounded history). */
const PAGE_SIZE = 100;
const PAGES_PER_RUN = 10;

// Store-only steps: an outage delays them, never drops them.
const { loadDiscoveryJob, openDiscoveryRun, recordDiscoveryPage, closeDiscoveryRun } = proxyActivities<DiscoveryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A probe reports an unreachable target as an outcome; it fails only when our store does.
const { discoverTarget } = proxyActivities<DiscoveryActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

const { syncDiscoverySource } = proxyActivities<DiscoveryActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 3, maximumAttempts: 4 },
});

export interface DiscoveryInput {
  job: string;
  requestedBy?: string;
  /** Carried across continue-as-new: the job as the run started, and how far it got. */
  resume?: { definition: DiscoveryJob; page: number; counts: RunCounts; startedAt: string };
}

/**
 * One run of a discovery job (`discovery/<run id>`): a network sweep probes its targets
 * with bounded concurrency and records outcomes page by page; a sync job reads its feed.
 * Started by the job's Temporal Schedule or on demand. The run's report is in the store
 * (store/cmdb/discovery.ts) from its first moment, so the UI follows it live.
 */
export async function discoveryWorkflow(input: DiscoveryInput): Promise<RunCounts> {
  const runId = runIdOf(workflowInfo().workflowId);
  const startedAt = input.resume?.startedAt ?? new Date().toISOString();
  let definition: DiscoveryJob;
  try {
    definition = input.resume?.definition ?? (await loadDiscoveryJob(input.job));
  } catch (error) {
    const counts = emptyCounts(0);
    await openDiscoveryRun({ id: runId, job: input.job, kind: 'network', trigger: input.requestedBy ? 'user' : 'schedule', requestedBy: input.requestedBy, startedAt, counts });
    await closeDiscoveryRun(runId, { status: 'failed', counts, error: rootMessage(error) });
    throw error;
  }
  return definition.kind === 'sync' ? syncRun(runId, input, definition, startedAt) : sweepRun(runId, input, definition, startedAt);
}

async function sweepRun(runId: string, input: DiscoveryInput, definition: DiscoveryJob, startedAt: string): Promise<RunCounts> {
  const sweep = definition.network!;
  const expanded = expandTargets(sweep.targets, sweep.exclude);
  // The API checked the targets when the job was saved; a job changed behind its back still ends clearly.
  if (!expanded.ok) throw ApplicationFailure.nonRetryable(`the job's targets are invalid: ${expanded.problems.map((p) => p.message).join('; ')}`);
  let counts = input.resume?.counts ?? emptyCounts(expanded.addresses.length);
  let page = input.resume?.page ?? 0;
  if (!input.resume) await openDiscoveryRun({ id: runId, job: input.job, kind: 'network', trigger: input.requestedBy ? 'user' : 'schedule', requestedBy: input.requestedBy, startedAt, counts });
  for (let pagesThisRun = 0; page * PAGE_SIZE < expanded.addresses.length; page++, pagesThisRun++) {
    if (pagesThisRun === PAGES_PER_RUN) await continueAsNew<typeof discoveryWorkflow>({ ...input, resume: { definition, page, counts, startedAt } });
    const addresses = expanded.addresses.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const outcomes = await inParallel(addresses, sweep.concurrency, (address) => discoverTarget(runId, address, sweep));
    counts = addOutcomes(counts, outcomes);
    await recordDiscoveryPage(runId, page, outcomes, counts);
  }
  await closeDiscoveryRun(runId, { status: 'completed', counts });
  return counts;
}

async function syncRun(runId: string, input: DiscoveryInput, definition: DiscoveryJob, startedAt: string): Promise<RunCounts> {
  const counts = emptyCounts(0);
  await openDiscoveryRun({ id: runId, job: input.job, kind: 'sync', trigger: input.requestedBy ? 'user' : 'schedule', requestedBy: input.requestedBy, startedAt, counts });
  try {
    const { cis, rejected } = await syncDiscoverySource(runId, definition.sync!);
    const done: RunCounts = { ...counts, cis };
    await closeDiscoveryRun(runId, { status: 'completed', counts: done, rejected });
    return done;
  } catch (error) {
    await closeDiscoveryRun(runId, { status: 'failed', counts, error: rootMessage(error) });
    throw error;
  }
}

const emptyCounts = (total: number): RunCounts => ({ targets: { total, done: 0, discovered: 0, noResponse: 0, failed: 0 }, cis: noCis() });
