import { ApplicationFailure } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { evaluateCondition } from '../../domain/automation/expression';
import { afterCondition, type HostNext, type HostStatus, parallelismOf, type RunStatus, stepPlans, type StepPlan } from '../../domain/automation/run';
import type { ConditionStep } from '../../domain/automation/runbook';
import type { Serial } from '../../domain/automation/strategy';
import type { Selector } from '../../domain/cmdb/selector';
import { runTargets } from '../../domain/automation/targets';
import { describeOutside, targetsOutside } from '../../domain/automation/runPolicy';
import { targetFacts } from '../../domain/automation/targetFacts';
import { parseDuration } from '../../domain/sla/policy';
import type { Catalog } from '../../runtime/catalog';
import { addApproval, closeHosts, findRun, type HostDocument, hostCounts, hostsBetween, insertHosts, recordStep, recordStepUnlessKnown, type RunApproval, type RunWaiting, setHostStatus, updateRun } from '../../store/automation/runs';
import { loadModel, seedModel } from '../../store/cmdb/modelStore';
import { cmdbGraph } from '../../store/cmdb/replica';
import { RunContexts } from './runContext';
import { targetHosts } from './runTargets';
import { assessRunRisk } from './runRisk';
import type { Decision } from '../../domain/automation/highRisk';
import { blockedRunSummary, describeFindings, type RunRisk } from '../../domain/automation/risk';
import { cachedRules } from '../../store/automation/highRiskRules';
import type { MasterKeySource } from '../../runtime/masterKey';

/** What the run workflow plans with: counts and timings, never outputs. */
export interface RunPlan {
  total: number;
  byZone: Record<string, number>;
  steps: StepPlan[];
  parallelism: number;
  serial?: Serial;
  maxFailPercentage?: number;
  hostTimeoutMs?: number;
  /** Who started it: an approval must come from someone else. */
  requestedBy: string;
  /** The high-risk check's decision over the rendered SSH steps; the findings are on the run's record. */
  risk: { decision: Decision; summary: string };
}

/** A host of a chunk as the chunk workflow routes it. */
export interface ChunkHost {
  seq: number;
  zone: string;
}

const WRITE_PAGE = 500;

/**
 * The run's own activities, on the core worker: resolving targets from the CMDB, keeping
 * the run's record, evaluating conditions over stored results. Each is idempotent, so
 * Temporal may retry it freely.
 */
export function createAutomationRunActivities(db: Connection, catalog: Catalog, masterKey: MasterKeySource) {
  let seeded: Promise<void> | undefined;
  const model = async () => {
    await (seeded ??= seedModel(db, catalog.cmdb).catch((error: unknown) => {
      seeded = undefined;
      throw error;
    }));
    return loadModel(db);
  };
  const contexts = new RunContexts(db, masterKey);
  const rules = cachedRules(db, catalog.highRisk);

  return {
    /** Resolves the targets once (a retry finds them resolved) and records them in order. */
    async prepareRun(runId: string): Promise<RunPlan> {
      const run = await findRun(db, runId);
      if (!run) throw ApplicationFailure.nonRetryable(`no run ${runId}`, 'RunNotFound');
      const definition = run.definition;
      const plan = (total: number, byZone: Record<string, number>, risk = run.risk): RunPlan => ({
        total,
        byZone,
        steps: stepPlans(definition),
        parallelism: parallelismOf(definition),
        serial: definition.strategy?.serial,
        maxFailPercentage: definition.strategy?.maxFailPercentage,
        ...(definition.strategy?.hostTimeout && { hostTimeoutMs: parseDuration(definition.strategy.hostTimeout) }),
        requestedBy: run.requestedBy,
        risk: { decision: risk?.decision ?? 'allow', summary: risk ? riskSummary(risk) : '' },
      });
      if (run.startedAt) return plan(run.targets.total, run.targets.byZone);
      const [resolvedModel, graph] = await Promise.all([model(), cmdbGraph(db)]);
      // Explicit targets narrow the runbook's selector (both must hold), checked again now: a CI may have changed since.
      const found = runTargets(definition.targets.selector as Selector, run.targetIds, { graph, model: resolvedModel });
      if ('problem' in found) throw ApplicationFailure.nonRetryable(found.problem, 'BadSelector');
      const targets = found.cis;
      if (run.targetScope) {
        // The CMDB may have changed since the request was checked: a CI moved into production.
        const outside = targetsOutside(run.targetScope, targets.map((ci) => targetFacts(ci, graph)));
        if (outside.length) throw ApplicationFailure.nonRetryable(`${describeOutside(outside, targets.length, `${run.requestedBy}'s`)}, as the CMDB stands now; nothing ran`, 'OutsideScope');
      }
      const { docs, byZone } = targetHosts(runId, targets, graph);
      const risk = assessRunRisk(await contexts.run(runId), docs, await rules().catch(() => undefined));
      for (let i = 0; i < docs.length; i += WRITE_PAGE) await insertHosts(db, docs.slice(i, i + WRITE_PAGE));
      await updateRun(db, runId, { status: 'running', startedAt: new Date().toISOString(), targets: { total: docs.length, byZone }, risk });
      return plan(docs.length, byZone, risk);
    },

    /** The chunk's hosts that are still in play, with their zones. */
    async chunkHosts(runId: string, from: number, to: number): Promise<ChunkHost[]> {
      const docs = await hostsBetween(db, runId, from, to, { seq: 1, zone: 1, status: 1 });
      return docs.filter((d) => d.status === 'pending' || d.status === 'running').map((d) => ({ seq: d.seq, zone: d.zone }));
    },

    async markHosts(runId: string, seqs: number[], status: HostStatus, decision?: HostDocument['decision']): Promise<void> {
      const now = new Date().toISOString();
      const times = status === 'running' ? { startedAt: now } : ['succeeded', 'failed', 'skipped', 'cancelled'].includes(status) ? { finishedAt: now } : {};
      await setHostStatus(db, runId, seqs, status, { ...times, ...(decision && { decision }) }, decision ? [] : ['decision']);
    },

    /** A step the run did not execute on a host (wait steps, conditions, skipped by a condition). */
    async recordHostStep(runId: string, seqs: number[], step: string, status: 'succeeded' | 'skipped' | 'cancelled', error?: string): Promise<void> {
      const at = new Date().toISOString();
      for (const seq of seqs) await recordStep(db, runId, seq, step, { status, startedAt: at, finishedAt: at, durationMs: 0, ...(error && { error }) });
    },

    /**
     * A host step whose activity ended without a result (its worker died mid-command, or it
     * failed in a way it could not report): `unknown` from when the run asked for it, so the
     * host's record says what the operator is asked to decide about.
     */
    async recordUnknownStep(runId: string, seq: number, step: string, askedAt: string, error: string): Promise<void> {
      const now = new Date();
      await recordStepUnlessKnown(db, runId, seq, step, { status: 'unknown', startedAt: askedAt, finishedAt: now.toISOString(), durationMs: Math.max(0, now.getTime() - Date.parse(askedAt)), error });
    },

    /** A condition step on one host, over its earlier results. Not `true` means not met. */
    async evaluateHostCondition(runId: string, seq: number, stepIndex: number): Promise<HostNext> {
      const { run, context } = await contexts.forHost(runId, seq);
      const step = run.definition.steps[stepIndex] as ConditionStep;
      const result = evaluateCondition(step.expression, context);
      const at = new Date().toISOString();
      if (!result.ok) {
        await recordStep(db, runId, seq, step.id, { status: 'failed', startedAt: at, finishedAt: at, durationMs: 0, error: `the condition cannot be evaluated: ${result.error.message}` });
        return 'stop_failed';
      }
      const met = result.value === true;
      const outcome = met ? (step.then ?? 'continue') : (step.else ?? 'skip');
      await recordStep(db, runId, seq, step.id, { status: 'succeeded', startedAt: at, finishedAt: at, durationMs: 0, stdout: `${step.expression} → ${String(result.value)}: ${outcome}` });
      return afterCondition(outcome);
    },

    async recordApproval(runId: string, approval: Omit<RunApproval, 'at'>): Promise<void> {
      await addApproval(db, runId, { ...approval, at: new Date().toISOString() });
    },

    async setRunWaiting(runId: string, waiting: Omit<RunWaiting, 'since'> | null): Promise<void> {
      if (waiting) await updateRun(db, runId, { status: 'waiting', waiting: { ...waiting, since: new Date().toISOString() } });
      else await updateRun(db, runId, { status: 'running' }, ['waiting']);
    },

    /**
     * Ends the run's record; hosts it never reached are `not_run` (or `cancelled`). Each
     * pass reads every stored host on FerretDB, so a run whose chunks settled every host
     * (most do) costs one.
     */
    async finishRun(runId: string, status: RunStatus, summary: string): Promise<Record<HostStatus, number>> {
      let counts = await hostCounts(db, runId);
      if (counts.pending + counts.awaiting_decision + counts.running > 0) {
        await closeHosts(db, runId, ['pending', 'awaiting_decision'], status === 'cancelled' ? 'cancelled' : 'not_run');
        await closeHosts(db, runId, ['running'], status === 'cancelled' ? 'cancelled' : 'failed');
        counts = await hostCounts(db, runId);
      }
      await updateRun(db, runId, { status, summary, finishedAt: new Date().toISOString() }, ['waiting']);
      return counts;
    },
  };
}

/** One line for the run's history: why it is blocked, or what the second person is asked to approve. */
function riskSummary(risk: RunRisk): string {
  if (risk.decision === 'block') return blockedRunSummary(risk);
  if (risk.decision === 'allow') return '';
  const asked = risk.findings.filter((f) => f.action === 'approval');
  return `a second person must approve its high-risk commands: ${asked.slice(0, 3).map((f) => `step ${f.step} ${describeFindings([f])}`).join('; ')}${asked.length > 3 ? ` (and ${risk.total - 3} more)` : ''}`;
}
