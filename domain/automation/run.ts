/**
 * A run of a runbook version over its resolved targets, as the run workflow plans it.
 * Steps run step by step over the hosts of a batch (Ansible's linear strategy): every host
 * of the batch finishes step 1 before any starts step 2. Approval steps cut the steps into
 * segments and pause the whole run once, the first time a batch reaches them. Batches
 * are cut into chunks of at most CHUNK_SIZE hosts, each a child workflow, so no workflow
 * history holds more than a few thousand events whatever the fleet size.
 * docs/automation.md#how-a-run-executes.
 */

import { parseDuration } from '../sla/policy';
import { DEFAULT_PARALLELISM, DEFAULT_RETRIES, DEFAULT_STEP_TIMEOUT, type ConditionOutcome, idempotentByNature, type OnError, type RunbookDefinition, type RunbookStep, type StepType } from './runbook';

/** Hosts per chunk workflow: a few steps each stay well under Temporal's history limits. */
export const CHUNK_SIZE = 250;

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'stopped' | 'cancelled';
export const FINISHED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

/**
 * A host's place in the run. `pending`: not reached yet (its batch has not started, or it
 * waits for a parallelism slot or a worker); `not_run`: the run stopped before its batch.
 */
export type HostStatus = 'pending' | 'running' | 'awaiting_decision' | 'succeeded' | 'failed' | 'skipped' | 'not_run' | 'cancelled';
export const HOST_STATUSES: readonly HostStatus[] = ['pending', 'running', 'awaiting_decision', 'succeeded', 'failed', 'skipped', 'not_run', 'cancelled'];

/**
 * One step's outcome on one host. `unknown`: the command may or may not have run (the
 * worker or the connection died mid-command); `blocked`: the high-risk check refused it.
 */
export type StepStatus = 'succeeded' | 'failed' | 'timed_out' | 'unreachable' | 'unknown' | 'blocked' | 'skipped' | 'cancelled';

/** What the chunk workflow needs of a step: timings and error handling, never its text. */
export interface StepPlan {
  index: number;
  id: string;
  type: StepType;
  timeoutMs: number;
  idempotent: boolean;
  retries: number;
  onError: OnError;
  /** `wait` steps. */
  durationMs?: number;
  /** `approval` steps: roles whose holders may approve. */
  approvers?: string[];
}

export interface Segment {
  /** The approval step that opens the segment, if any. */
  gate?: StepPlan;
  steps: StepPlan[];
}

export function stepPlans(definition: RunbookDefinition): StepPlan[] {
  return definition.steps.map((step, index) => ({
    index,
    id: step.id,
    type: step.type,
    timeoutMs: parseDuration(step.timeout ?? DEFAULT_STEP_TIMEOUT),
    idempotent: isIdempotent(step),
    retries: isIdempotent(step) ? (step.retries ?? DEFAULT_RETRIES) : 0,
    onError: step.onError ?? 'stop',
    ...(step.type === 'wait' && { durationMs: parseDuration(step.duration) }),
    ...(step.type === 'approval' && { approvers: step.approvers ?? ['automation_admin'] }),
  }));
}

/** As the step says, else by its nature (reads and uploads are; runbook.ts#idempotentByNature). */
const isIdempotent = (step: RunbookStep) => step.idempotent ?? idempotentByNature(step);

/**
 * The CI attributes a run keeps on each resolved target, for templates and conditions
 * (`target.attributes.<name>`): enough to address and describe a host without loading the
 * CMDB graph in every step. Others are not available to steps.
 */
export const TARGET_ATTRIBUTES = ['name', 'hostname', 'domain', 'primary_ip', 'environment', 'zone', 'criticality', 'owner_group', 'os_name', 'sys_name', 'cloud_id'] as const;

/** Steps cut at each approval step; the approval opens the segment after it. */
export function segmentsOf(steps: readonly StepPlan[]): Segment[] {
  const segments: Segment[] = [{ steps: [] }];
  for (const step of steps) {
    if (step.type === 'approval') segments.push({ gate: step, steps: [] });
    else segments[segments.length - 1]!.steps.push(step);
  }
  return segments.filter((s) => s.gate || s.steps.length > 0);
}

/** A batch's hosts (by their position in the resolved target list) in chunks. */
export function chunksOf(from: number, size: number, chunkSize = CHUNK_SIZE): Array<{ from: number; to: number }> {
  const chunks: Array<{ from: number; to: number }> = [];
  for (let start = from; start < from + size; start += chunkSize) chunks.push({ from: start, to: Math.min(start + chunkSize, from + size) });
  return chunks;
}

/**
 * How the run's parallelism is shared: chunks run side by side, each with at most
 * `parallelism` hosts at once, so that together they never exceed it.
 */
export function chunkConcurrency(parallelism: number, chunkCount: number, chunkSize = CHUNK_SIZE): { chunksAtOnce: number; perChunk: number } {
  const chunksAtOnce = Math.max(1, Math.min(chunkCount, Math.floor(parallelism / chunkSize) || 1));
  return { chunksAtOnce, perChunk: Math.max(1, Math.floor(parallelism / chunksAtOnce)) };
}

export function parallelismOf(definition: RunbookDefinition): number {
  return definition.strategy?.parallelism ?? DEFAULT_PARALLELISM;
}

/** What a finished step means for its host's next steps. */
export type HostNext = 'continue' | 'stop_failed' | 'stop_skipped' | 'abort_run';

export function afterStep(status: StepStatus, onError: OnError): HostNext {
  if (status === 'succeeded' || status === 'skipped') return 'continue';
  if (status === 'cancelled') return 'stop_failed';
  return onError === 'continue' && status !== 'blocked' ? 'continue' : 'stop_failed';
}

export function afterCondition(outcome: ConditionOutcome): HostNext {
  return outcome === 'continue' ? 'continue' : outcome === 'skip' ? 'stop_skipped' : outcome === 'fail' ? 'stop_failed' : 'abort_run';
}

/** The workflow id of a run, and of one of its chunks (business ids, never random). */
export const runWorkflowId = (runId: string) => `run/${runId}`;
export const chunkWorkflowId = (runId: string, batch: number, segment: number, chunk: number) => `run/${runId}/b${batch}-s${segment}-c${chunk}`;

/** The task queue of a zone's automation workers; CIs without a zone use the `default` zone. */
export const DEFAULT_ZONE = 'default';
export const zoneTaskQueue = (zone: string | null | undefined) => `flowdesk-automation-${zone || DEFAULT_ZONE}`;
