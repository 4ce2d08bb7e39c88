import { ApplicationFailure } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { evaluateCondition } from '../../domain/automation/expression';
import { afterCondition, DEFAULT_ZONE, type HostNext, type HostStatus, parallelismOf, type RunStatus, stepPlans, type StepPlan, TARGET_ATTRIBUTES } from '../../domain/automation/run';
import type { ConditionStep } from '../../domain/automation/runbook';
import type { Serial } from '../../domain/automation/strategy';
import type { CiRecord, CmdbGraph } from '../../domain/cmdb/graph';
import { PRIMARY_IP } from '../../domain/cmdb/graph';
import { checkSelector, select, type Selector } from '../../domain/cmdb/selector';
import { narrowedSelector } from '../../domain/automation/targets';
import { parseDuration } from '../../domain/sla/policy';
import type { Catalog } from '../../runtime/catalog';
import { addApproval, closeHosts, findRun, type HostDocument, hostCounts, hostDocId, hostsBetween, insertHosts, recordStep, type RunApproval, type RunWaiting, setHostStatus, updateRun } from '../../store/automation/runs';
import { loadModel, seedModel } from '../../store/cmdb/modelStore';
import { cmdbGraph } from '../../store/cmdb/replica';
import { RunContexts } from './runContext';
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

const SSH_PORT = 22;
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
      const own = definition.targets.selector as Selector;
      const issues = checkSelector(own, resolvedModel);
      if (issues.length) throw ApplicationFailure.nonRetryable(`the target selector no longer fits the CMDB model: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, 'BadSelector');
      // Explicit targets narrow the runbook's selector (both must hold), checked again now: a CI may have changed since.
      const targets = [...select(narrowedSelector(own, run.targetIds), { graph, model: resolvedModel })].map((id) => graph.ci(id)!).sort(byName);
      const byZone: Record<string, number> = {};
      const docs = targets.map((ci, seq) => {
        const doc = hostOf(runId, seq, ci, graph);
        byZone[doc.zone] = (byZone[doc.zone] ?? 0) + 1;
        return doc;
      });
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

    /** Ends the run's record; hosts it never reached are `not_run` (or `cancelled`). */
    async finishRun(runId: string, status: RunStatus, summary: string): Promise<Record<HostStatus, number>> {
      await closeHosts(db, runId, ['pending', 'awaiting_decision'], status === 'cancelled' ? 'cancelled' : 'not_run');
      await closeHosts(db, runId, ['running'], status === 'cancelled' ? 'cancelled' : 'failed');
      await updateRun(db, runId, { status, summary, finishedAt: new Date().toISOString() }, ['waiting']);
      return hostCounts(db, runId);
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

const nameOf = (ci: CiRecord) => (typeof ci.attributes.name === 'string' ? ci.attributes.name : ci.id);
const byName = (a: CiRecord, b: CiRecord) => nameOf(a).localeCompare(nameOf(b)) || (a.id < b.id ? -1 : 1);
const text = (value: unknown) => (typeof value === 'string' && value ? value : null);

function hostOf(runId: string, seq: number, ci: CiRecord, graph: CmdbGraph): HostDocument {
  const port = ci.attributes.ssh_port;
  const zone = graph.zoneOf(ci) ?? DEFAULT_ZONE;
  return {
    _id: hostDocId(runId, seq),
    runId,
    seq,
    ciId: ci.id,
    name: nameOf(ci),
    address: text(ci.attributes[PRIMARY_IP]),
    port: typeof port === 'number' ? port : SSH_PORT,
    zone,
    credential: text(ci.attributes.ssh_credential),
    snmpCredential: text(ci.attributes.snmp_credential),
    hostKey: text(ci.attributes.ssh_host_key),
    attributes: targetAttributes(ci, zone),
    status: 'pending',
    steps: {},
  };
}

/** The CI's attributes steps may read: TARGET_ATTRIBUTES it has with plain values; `zone` as the run routes it. */
function targetAttributes(ci: CiRecord, zone: string): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const name of TARGET_ATTRIBUTES) {
    const value = ci.attributes[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  }
  kept.name = nameOf(ci);
  kept.zone = zone;
  return kept;
}
