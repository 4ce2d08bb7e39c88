import { ActivityCancellationType, ApplicationFailure, CancellationScope, condition, defineUpdate, isCancellation, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { HostStepInput, HostStepSummary } from '../activities/automation/hostSteps';
import type { ZoneActivities } from '../activities/automation/zoneActivities';
import type { ChunkHost, createAutomationRunActivities } from '../activities/automation/runs';
import { afterStep, type HostNext, type StepPlan, zoneTaskQueue } from '../domain/automation/run';
import { HOST_STEP_TYPES, type HostStepFamily, hostStepFamily } from '../domain/automation/runbook';
import { inParallel } from './parallel';
import { rootMessage } from '../domain/failure';

type RunActivities = ReturnType<typeof createAutomationRunActivities>;
type HostActivities = ZoneActivities;

/** The zone activity that runs each family of host steps. */
const ACTIVITY_OF = { ssh: 'runSshStep', upload: 'runUploadStep', snmp: 'runSnmpStep', http: 'runHttpStep', cloud: 'runCloudStep' } as const satisfies Record<HostStepFamily, keyof HostActivities>;

const run = proxyActivities<RunActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } });

/** A command may stay silent for minutes; the activity heartbeats every 5 s while it runs, so 30 s of silence means the worker is gone. */
const HEARTBEAT_TIMEOUT = '30 seconds';
/** Beyond the step's own deadline: time to connect and to kill an overrunning command. */
const ACTIVITY_MARGIN_MS = 90_000;
/** Chunks that lost a step before this patch scheduled no record of it: their histories replay without it. */
const RECORD_UNKNOWN_STEP = 'record-unknown-step';

export interface ChunkInput {
  runId: string;
  from: number;
  to: number;
  steps: StepPlan[];
  parallelism: number;
  /** The segment ends the host's steps: hosts still in play afterwards succeeded. */
  lastSegment: boolean;
  hostTimeoutMs?: number;
}

export interface ChunkResult {
  succeeded: number;
  failed: number;
  skipped: number;
  /** A condition aborted the run. */
  aborted: boolean;
}

export type HostDecision = 'retry' | 'skip' | 'abort';
export interface DecisionInput {
  seq: number;
  decision: HostDecision;
  by: string;
}

/** An operator's decision for a host whose step outcome is unknown. */
export const decideUpdate = defineUpdate<void, [DecisionInput]>('run.decide');

/**
 * A chunk of a batch (`run/<id>/b<batch>-s<segment>-c<chunk>`): the segment's steps over
 * at most CHUNK_SIZE hosts, step by step, `parallelism` hosts at a time. Host steps run on
 * the host's zone queue; an unknown outcome waits for an operator's decision.
 */
export async function runChunkWorkflow(input: ChunkInput): Promise<ChunkResult> {
  const { runId } = input;
  const decisions = new Map<number, HostDecision>();
  const awaiting = new Set<number>();
  setHandler(decideUpdate, ({ seq, decision }) => void decisions.set(seq, decision), {
    validator: ({ seq, decision }) => {
      if (!awaiting.has(seq) || decisions.has(seq)) throw new Error(`host #${seq} is not waiting for a decision in this chunk`);
      if (!['retry', 'skip', 'abort'].includes(decision)) throw new Error(`decide retry, skip or abort, not ${String(decision)}`);
    },
  });

  const result: ChunkResult = { succeeded: 0, failed: 0, skipped: 0, aborted: false };
  let active: ChunkHost[] = await run.chunkHosts(runId, input.from, input.to);
  const deadlines = new Map<number, number>();
  try {
    for (const step of input.steps) {
      if (active.length === 0 || result.aborted) break;
      if (step.type === 'wait') {
        await sleep(step.durationMs!);
        await run.recordHostStep(runId, active.map((h) => h.seq), step.id, 'succeeded');
        continue;
      }
      const outcomes = await inParallel(active, input.parallelism, (host) => onHost(host, step));
      const next: ChunkHost[] = [];
      const failed: number[] = [];
      const skipped: number[] = [];
      outcomes.forEach((outcome, i) => {
        const host = active[i]!;
        if (outcome === 'continue') next.push(host);
        else if (outcome === 'stop_skipped') skipped.push(host.seq);
        else failed.push(host.seq);
        if (outcome === 'abort_run') result.aborted = true;
      });
      await run.markHosts(runId, failed, 'failed');
      await run.markHosts(runId, skipped, 'skipped');
      result.failed += failed.length;
      result.skipped += skipped.length;
      active = next;
    }
    if (input.lastSegment || result.aborted) {
      await run.markHosts(runId, active.map((h) => h.seq), result.aborted ? 'not_run' : 'succeeded');
      if (!result.aborted) result.succeeded += active.length;
    }
    return result;
  } catch (error) {
    if (isCancellation(error)) await CancellationScope.nonCancellable(() => run.markHosts(runId, active.map((h) => h.seq), 'cancelled'));
    throw error;
  }

  async function onHost(host: ChunkHost, step: StepPlan): Promise<HostNext> {
    const started = deadlines.get(host.seq);
    const now = Date.now();
    if (started === undefined) deadlines.set(host.seq, now);
    const hostDeadlineMs = input.hostTimeoutMs === undefined ? undefined : input.hostTimeoutMs - (now - (started ?? now));
    if (hostDeadlineMs !== undefined && hostDeadlineMs <= 0) {
      await run.recordHostStep(runId, [host.seq], step.id, 'skipped', 'the host ran past the runbook’s host timeout');
      return 'stop_failed';
    }
    if (step.type === 'condition') return run.evaluateHostCondition(runId, host.seq, step.index);
    if (!HOST_STEP_TYPES.has(step.type)) throw ApplicationFailure.nonRetryable(`step type ${step.type} cannot run on a host`);
    for (;;) {
      const summary = await hostStep(host, step, hostDeadlineMs);
      if (summary.status !== 'unknown') return afterStep(summary.status, step.onError);
      const decision = await decide(host, step);
      if (decision === 'skip') {
        await run.recordHostStep(runId, [host.seq], step.id, 'skipped', 'skipped by an operator after an unknown outcome');
        return 'continue';
      }
      if (decision === 'abort') return 'stop_failed';
    }
  }

  async function hostStep(host: ChunkHost, step: StepPlan, hostDeadlineMs?: number): Promise<HostStepSummary> {
    const askedAt = new Date().toISOString();
    try {
      const family = hostStepFamily(step.type)!;
      const args: HostStepInput = { runId, seq: host.seq, step: step.index, ...(hostDeadlineMs !== undefined && { hostDeadlineMs }) };
      return await zoneActivities(host.zone, step)[ACTIVITY_OF[family]](args);
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The worker died, or the step failed in a way it could not report: it may have run.
      // Nobody else records that (a dead worker cannot), and the operator decides on it.
      if (patched(RECORD_UNKNOWN_STEP)) {
        await run.recordUnknownStep(runId, host.seq, step.id, askedAt, `no result came back (${rootMessage(error)}): the worker or its connection was lost while the step ran, so it may or may not have run`);
      }
      return { status: 'unknown' };
    }
  }

  async function decide(host: ChunkHost, step: StepPlan): Promise<HostDecision> {
    awaiting.add(host.seq);
    await run.markHosts(runId, [host.seq], 'awaiting_decision', {
      step: step.id,
      reason: 'the worker or the connection was lost while the step ran, so it may or may not have run',
      since: new Date().toISOString(),
      chunk: workflowInfo().workflowId,
    });
    await run.setRunWaiting(runId, { reason: 'decision', step: step.id, detail: `a host awaits an operator's decision (retry, skip or abort) on step ${step.id}` });
    await condition(() => decisions.has(host.seq));
    const decision = decisions.get(host.seq)!;
    decisions.delete(host.seq);
    awaiting.delete(host.seq);
    await run.markHosts(runId, [host.seq], 'running');
    if (awaiting.size === 0) await run.setRunWaiting(runId, null);
    return decision;
  }
}

const proxies = new Map<string, HostActivities>();

/** Host activities on the zone's task queue, with the step's deadline and retry rule. */
function zoneActivities(zone: string, step: StepPlan): HostActivities {
  const key = `${zone}|${step.index}`;
  let found = proxies.get(key);
  if (!found) {
    found = proxyActivities<HostActivities>({
      taskQueue: zoneTaskQueue(zone),
      startToCloseTimeout: step.timeoutMs + ACTIVITY_MARGIN_MS,
      heartbeatTimeout: HEARTBEAT_TIMEOUT,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      // Never blindly again unless the step says it is idempotent.
      retry: step.idempotent ? { maximumAttempts: step.retries + 1, initialInterval: '2 seconds', backoffCoefficient: 2 } : { maximumAttempts: 1 },
    });
    proxies.set(key, found);
  }
  return found;
}
