import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { Connection } from 'mongoose';
import { type AlertIntake, alertIntake } from '../../api/alertCenter';
import { cmdbAccess } from '../../api/cmdb';
import { thresholdRequest, THRESHOLD_SENDER } from '../../domain/alert/sources/threshold';
import { DEFAULT_ZONE } from '../../domain/automation/run';
import { narrowedSelector, runTargets, targetName } from '../../domain/automation/targets';
import { PRIMARY_IP } from '../../domain/cmdb/graph';
import { select, type SelectorContext } from '../../domain/cmdb/selector';
import { crossingReport } from '../../domain/collection/crossingReport';
import { deriveSamples } from '../../domain/collection/derive';
import type { Sample } from '../../domain/collection/metrics';
import { noCounts, type PollCounts, type PollProblem, type PollRequest, type PollTarget, type TargetOutcome } from '../../domain/collection/pollingRun';
import type { DeviceReading } from '../../domain/collection/reading';
import { evaluate } from '../../domain/collection/threshold';
import { ruleWatches, type ThresholdRule } from '../../domain/collection/thresholdRules';
import type { Catalog } from '../../runtime/catalog';
import { acceptRequest } from '../../store/alerts/intake';
import { credentialModel, findCredential } from '../../store/credentials';
import { counterBase, keepCounters } from '../../store/metrics/counters';
import { closeRun, ensurePollingRunIndexes, failRun, findRun, openRun, recordProgress, type RunStatus, targetsBetween } from '../../store/metrics/pollingRuns';
import { ensureSampleIndexes, insertSamples, pruneSamples } from '../../store/metrics/samples';
import { ensureThresholdStateIndexes, saveState, stateId, statesOf } from '../../store/metrics/thresholdStates';

/** What a run needs besides its targets, fixed when it starts (carried across continue-as-new). */
export interface PollPlan {
  total: number;
  concurrency: number;
  request: PollRequest;
}

/** A CI's old samples are deleted at most this often per worker. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The polling job's activities on the core worker (docs/alerts-collection.md#polling):
 * resolving a run's targets from the CMDB, and recording each device's reading — samples,
 * counters for the next rates, threshold states, and crossings into the alert intake that
 * every other source uses (store/alerts/intake.ts, the group notifier). Each is safe to
 * retry: samples are keyed by poll time, a crossing's request by its content, and a
 * threshold state ignores a sample it has already seen.
 */
export function createPollingActivities(db: Connection, catalog: Catalog, temporal: Client) {
  const cmdb = cmdbAccess(db, catalog.cmdb);
  let indexes: Promise<void> | undefined;
  const ready = () =>
    (indexes ??= Promise.all([ensureSampleIndexes(db), ensureThresholdStateIndexes(db), ensurePollingRunIndexes(db)]).then(
      () => undefined,
      (error: unknown) => {
        indexes = undefined;
        throw error;
      },
    ));
  let intake: AlertIntake | undefined;
  // Built on first use: the groups' workflows run on this worker's own task queue.
  const intakeOf = (taskQueue: string) => (intake ??= alertIntake({ db, temporal, taskQueue, logger: workerLog, catalog, cmdb }));
  const pruned = new Map<string, number>();

  async function thresholdCrossings(target: PollTarget, reading: DeviceReading, samples: readonly Sample[]): Promise<number> {
    const rules = catalog.thresholds.filter((r) => target.rules.includes(r.id));
    if (!rules.length || !samples.length) return 0;
    const states = await statesOf(db, target.ciId);
    const changes: Array<{ rule: ThresholdRule; instance: string; evaluation: ReturnType<typeof evaluate> }> = [];
    for (const sample of samples) {
      for (const rule of rules) {
        if (!ruleWatches(rule, sample.metric, sample.instance)) continue;
        const key = { rule: rule.id, ci: target.ciId, instance: sample.instance };
        const evaluation = evaluate(rule, states.get(stateId(key)) ?? null, sample.value, reading.at);
        if (evaluation.changed) changes.push({ rule, instance: sample.instance, evaluation });
      }
    }
    const reports = changes.flatMap(({ rule, instance, evaluation }) =>
      evaluation.crossing ? [crossingReport({ rule, ci: { id: target.ciId, name: target.name, address: target.address }, instance, crossing: evaluation.crossing, at: reading.at })] : [],
    );
    // The alert first, then the state: a crash in between sends the same request again (a re-delivery), never loses it.
    if (reports.length) {
      const center = intakeOf(Context.current().info.taskQueue);
      const { events, digest, payload } = thresholdRequest(reports);
      await center.alertsReady;
      const result = await acceptRequest(db, { source: 'threshold', sender: THRESHOLD_SENDER, actor: 'polling', digest, payload, receivedAt: reading.at, events, notes: [] }, center.sources);
      if (!result.duplicate) await center.notifyGroups(result.requestId, result.changed);
    }
    for (const { rule, instance, evaluation } of changes) await saveState(db, { rule: rule.id, ci: target.ciId, instance }, evaluation.state);
    return reports.length;
  }

  /** The id of the job's credential, named by id or name; a name no credential has is kept, and the poll says so. */
  async function credentialIdOf(nameOrId: string): Promise<string> {
    if (await findCredential(db, nameOrId)) return nameOrId;
    const named = await credentialModel(db).findOne({ name: nameOrId }, { _id: 1 }).lean<{ _id: string }>().exec();
    return named?._id ?? nameOrId;
  }

  async function prune(ci: string, at: string): Promise<void> {
    const now = Date.parse(at);
    if (now - (pruned.get(ci) ?? 0) < PRUNE_EVERY_MS) return;
    await pruneSamples(db, ci, new Date(now - catalog.polling.retentionMs).toISOString());
    pruned.set(ci, now);
  }

  return {
    /**
     * Opens run `runId` of `job`: its targets from the CMDB as it stands, each with its zone,
     * credential and the threshold rules that watch it. A retry finds the run opened.
     */
    async openPollingRun(job: string, runId: string): Promise<PollPlan> {
      const definition = catalog.polling.jobs.find((j) => j.name === job);
      if (!definition) throw ApplicationFailure.nonRetryable(`polling job '${job}' is not in the catalog (collection/polling-jobs.yaml)`, 'JobNotFound');
      const plan = (total: number): PollPlan => ({ total, concurrency: definition.concurrency, request: { metrics: definition.metrics, port: definition.port, timeoutMs: definition.timeoutMs } });
      await ready();
      const opened = await findRun(db, runId);
      if (opened) return plan(opened.counts.targets);
      const ctx: SelectorContext = { model: await cmdb.model(), graph: await cmdb.graph() };
      const found = runTargets(definition.targets, undefined, ctx);
      if ('problem' in found) throw ApplicationFailure.nonRetryable(`polling job '${job}': ${found.problem}`, 'BadSelector');
      const jobCredential = definition.credential && (await credentialIdOf(definition.credential));
      const watching = catalog.thresholds.map((rule) => ({ id: rule.id, cis: rule.cis === null ? null : select(narrowedSelector(rule.cis, found.cis.map((ci) => ci.id)), ctx) }));
      const targets = found.cis.map(
        (ci, seq): PollTarget => ({
          seq,
          ciId: ci.id,
          name: targetName(ci),
          address: text(ci.attributes[PRIMARY_IP]),
          zone: ctx.graph.zoneOf(ci) ?? DEFAULT_ZONE,
          credential: text(ci.attributes.snmp_credential) ?? jobCredential,
          rules: watching.filter((w) => w.cis === null || w.cis.has(ci.id)).map((w) => w.id),
        }),
      );
      await openRun(db, { id: runId, job, startedAt: new Date().toISOString(), counts: noCounts(targets.length) }, targets);
      return plan(targets.length);
    },

    async pollingTargets(runId: string, from: number, to: number): Promise<PollTarget[]> {
      return targetsBetween(db, runId, from, to);
    },

    /** Stores one device's reading: its samples, the counters for the next rates, its threshold crossings. */
    async recordReading(target: PollTarget, reading: DeviceReading): Promise<TargetOutcome> {
      await ready();
      const base = reading.status === 'ok' ? await counterBase(db, target.ciId, Date.parse(reading.at)) : null;
      const { samples, snapshot } = deriveSamples(reading, base);
      await insertSamples(db, target.ciId, reading.at, samples);
      const crossings = await thresholdCrossings(target, reading, samples);
      if (snapshot) await keepCounters(db, target.ciId, snapshot);
      await prune(target.ciId, reading.at);
      return { status: reading.status, samples: samples.length, crossings, ...(reading.error && { error: reading.error }) };
    },

    async recordPollingProgress(runId: string, counts: PollCounts, problems: PollProblem[]): Promise<void> {
      await recordProgress(db, runId, counts, problems);
    },

    async failPollingRun(job: string, runId: string, error: string): Promise<void> {
      await failRun(db, { id: runId, job, error });
    },

    async closePollingRun(runId: string, outcome: { status: Exclude<RunStatus, 'running'>; counts: PollCounts; problems: PollProblem[]; error?: string }): Promise<void> {
      await closeRun(db, runId, outcome);
    },
  };
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : null);

/** Intake's warnings (group notifications being retried) go where the worker's logs go. */
const workerLog = {
  warn(details: object, message: string): void {
    const { err, ...rest } = details as { err?: unknown };
    Runtime.instance().logger.warn(message, { ...rest, ...(err instanceof Error && { error: err.message }) });
  },
};
