import { CancellationScope, condition, continueAsNew, defineUpdate, executeChild, isCancellation, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createAutomationRunActivities, RunPlan } from '../activities/automation/runs';
import type { createTicketEvidenceActivities } from '../activities/automation/ticketEvidence';
import { chunkConcurrency, chunksOf, chunkWorkflowId, type RunStatus, segmentsOf } from '../domain/automation/run';
import { batchSizes, batchStopsRun } from '../domain/automation/strategy';
import { inParallel } from './parallel';
import { type ChunkResult, runChunkWorkflow } from './runChunk';
import { rootMessage } from '../domain/failure';
import { HIGH_RISK_GATE } from '../domain/automation/risk';

type RunActivities = ReturnType<typeof createAutomationRunActivities>;

const run = proxyActivities<RunActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } });
// Evidence is worth a few minutes of retries (a Temporal or store hiccup), not a run that never ends.
const evidence = proxyActivities<ReturnType<typeof createTicketEvidenceActivities>>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 } });

/** Chunk workflows per execution before continuing as new: a few events each keep the history small. */
const CHUNKS_PER_EXECUTION = 400;

export interface ApprovalInput {
  step: string;
  decision: 'approved' | 'rejected';
  by: string;
  comment?: string;
}

/** A second person's decision on an approval step the run waits at. */
export const approveUpdate = defineUpdate<void, [ApprovalInput]>('run.approve');

export interface RunInput {
  runId: string;
  /** Carried across continue-as-new. */
  resume?: { plan: RunPlan; batch: number; offset: number; approvals: Record<string, 'approved' | 'rejected'>; failed: number };
}

export interface RunOutcome {
  status: RunStatus;
  summary: string;
}

/**
 * A run of a runbook (`run/<id>`): resolves its targets once, then walks them in batches
 * (strategy.serial), each batch's steps in segments cut at approval steps, each segment
 * in chunk workflows of at most CHUNK_SIZE hosts. After each batch the failure threshold
 * decides whether to go on. Cancelling the run cancels the chunks, whose activities kill
 * the remote commands. Before any of it, the high-risk check of the rendered SSH steps
 * may block the run or make it wait for a second person at the gate `high-risk`
 * (domain/automation/risk.ts). docs/automation.md#how-a-run-executes.
 */
export async function runWorkflow(input: RunInput): Promise<RunOutcome> {
  const { runId } = input;
  const approvals = new Map(Object.entries(input.resume?.approvals ?? {}));
  let awaitedGate: string | undefined;
  setHandler(
    approveUpdate,
    async (approval) => {
      await run.recordApproval(runId, approval);
      approvals.set(approval.step, approval.decision);
    },
    {
      validator: ({ step, by }) => {
        if (awaitedGate !== step || approvals.has(step)) throw new Error(`the run is not waiting for approval '${step}'`);
        if (plan && by === plan.requestedBy) throw new Error('the person who started the run cannot approve it: a second person must');
      },
    },
  );

  let plan: RunPlan | undefined;
  try {
    plan = input.resume?.plan ?? (await run.prepareRun(runId));
    if (plan.risk?.decision === 'block') return finish('failed', plan.risk.summary);
    if (plan.risk?.decision === 'approval' && approvals.get(HIGH_RISK_GATE) !== 'approved') {
      const decision = await approval(HIGH_RISK_GATE, plan.risk.summary);
      if (decision === 'rejected') return finish('stopped', 'its high-risk commands were not approved; nothing ran');
    }
    const segments = segmentsOf(plan.steps);
    const batches = batchSizes(plan.total, plan.serial);
    let { batch = 0, offset = 0, failed = 0 } = input.resume ?? {};
    let chunksStarted = 0;
    for (; batch < batches.length; offset += batches[batch]!, batch++) {
      if (chunksStarted >= CHUNKS_PER_EXECUTION) {
        await continueAsNew<typeof runWorkflow>({ runId, resume: { plan, batch, offset, approvals: Object.fromEntries(approvals), failed } });
      }
      const size = batches[batch]!;
      let batchFailed = 0;
      for (const [segmentIndex, segment] of segments.entries()) {
        if (segment.gate && approvals.get(segment.gate.id) !== 'approved') {
          const decision = await approval(segment.gate.id);
          if (decision === 'rejected') return finish('stopped', `approval '${segment.gate.id}' was rejected`);
        }
        if (segment.steps.length === 0) continue;
        const chunks = chunksOf(offset, size);
        const { chunksAtOnce, perChunk } = chunkConcurrency(plan.parallelism, chunks.length);
        chunksStarted += chunks.length;
        const results: ChunkResult[] = await inParallel(
          chunks.map((chunk, index) => ({ chunk, index })),
          chunksAtOnce,
          ({ chunk, index }) =>
            executeChild(runChunkWorkflow, {
              workflowId: chunkWorkflowId(runId, batch, segmentIndex, index),
              args: [{ runId, from: chunk.from, to: chunk.to, steps: segment.steps, parallelism: perChunk, lastSegment: segmentIndex === segments.length - 1, ...(plan!.hostTimeoutMs && { hostTimeoutMs: plan!.hostTimeoutMs }) }],
            }),
        );
        batchFailed += results.reduce((sum, r) => sum + r.failed, 0);
        if (results.some((r) => r.aborted)) return finish('stopped', `a condition aborted the run in batch ${batch + 1}`);
      }
      failed += batchFailed;
      if (batchStopsRun(size, batchFailed, plan.maxFailPercentage)) {
        return finish('failed', `batch ${batch + 1} of ${batches.length}: ${batchFailed} of ${size} hosts failed, ${plan.maxFailPercentage === undefined ? 'all of them' : `more than ${plan.maxFailPercentage}%`}; the run stopped`);
      }
    }
    if (plan.total === 0) return finish('succeeded', 'the selector matched no targets');
    return failed === 0 ? finish('succeeded', `all ${plan.total} hosts succeeded`) : finish('failed', `${failed} of ${plan.total} hosts failed`);
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => run.finishRun(runId, 'cancelled', 'the run was cancelled; running commands were killed'));
    } else {
      await CancellationScope.nonCancellable(() => run.finishRun(runId, 'failed', `the run failed: ${rootMessage(error)}`));
    }
    await report();
    throw error;
  }

  async function approval(step: string, detail = `waiting for a second person to approve step '${step}'`): Promise<'approved' | 'rejected'> {
    awaitedGate = step;
    await run.setRunWaiting(runId, { reason: 'approval', step, detail });
    await condition(() => approvals.has(step));
    awaitedGate = undefined;
    await run.setRunWaiting(runId, null);
    return approvals.get(step)!;
  }

  async function finish(status: RunStatus, summary: string): Promise<RunOutcome> {
    await run.finishRun(runId, status, summary);
    await report();
    return { status, summary };
  }

  /** A run started for a ticket writes its result to the ticket's timeline, however it ended; a lost report does not change the run's outcome. */
  async function report(): Promise<void> {
    await CancellationScope.nonCancellable(() => evidence.reportRunToTicket(runId)).catch((error: unknown) => log.warn('could not write the run result to its ticket', { runId, error: rootMessage(error) }));
  }
}
