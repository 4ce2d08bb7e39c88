import type { Connection } from 'mongoose';
import { noCounts, type PollCounts, type PollProblem, type PollTarget } from '../../domain/collection/pollingRun';

/**
 * Polling runs (`polling_runs`, by run id `<job>-<time>`) with their counts and the devices
 * that did not answer, and the run's targets as resolved when it started
 * (`polling_targets`, by `<run>#<seq>`), read page by page by the workflow and deleted when
 * the run ends. Runs older than a week are deleted when a run of the same job opens.
 */

export type RunStatus = 'running' | 'completed' | 'failed';

export interface PollingRunDocument {
  _id: string;
  job: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  counts: PollCounts;
  problems: PollProblem[];
  error: string | null;
}

type TargetDocument = PollTarget & { _id: string; runId: string };

const runs = (db: Connection) => db.collection<PollingRunDocument>('polling_runs');
const targets = (db: Connection) => db.collection<TargetDocument>('polling_targets');

const KEPT_MS = 7 * 24 * 3_600_000;
const INSERTS_PER_COMMAND = 100;

export async function ensurePollingRunIndexes(db: Connection): Promise<void> {
  await Promise.all([runs(db).createIndex({ job: 1, startedAt: -1 }), targets(db).createIndex({ runId: 1, seq: 1 })]);
}

export async function findRun(db: Connection, id: string): Promise<PollingRunDocument | null> {
  return runs(db).findOne({ _id: id });
}

/**
 * Opens a run with its targets. The targets are written before the run, so a run that
 * exists has all of them; a retry after a partial write starts its targets over.
 */
export async function openRun(db: Connection, run: Omit<PollingRunDocument, '_id' | 'finishedAt' | 'status' | 'problems' | 'error'> & { id: string }, list: readonly PollTarget[]): Promise<void> {
  await targets(db).deleteMany({ runId: run.id });
  const docs = list.map((t): TargetDocument => ({ ...t, _id: `${run.id}#${t.seq}`, runId: run.id }));
  for (let i = 0; i < docs.length; i += INSERTS_PER_COMMAND) await targets(db).insertMany(docs.slice(i, i + INSERTS_PER_COMMAND));
  const { id, ...rest } = run;
  await runs(db).replaceOne({ _id: id }, { ...rest, finishedAt: null, status: 'running', problems: [], error: null }, { upsert: true });
  await runs(db).deleteMany({ job: run.job, startedAt: { $lt: new Date(Date.parse(run.startedAt) - KEPT_MS).toISOString() } });
}

/** Targets `from` ≤ seq < `to`, in order. */
export async function targetsBetween(db: Connection, runId: string, from: number, to: number): Promise<PollTarget[]> {
  const docs = await targets(db).find({ runId, seq: { $gte: from, $lt: to } }).sort({ seq: 1 }).toArray();
  return docs.map(({ _id: _i, runId: _r, ...target }) => target);
}

export async function recordProgress(db: Connection, runId: string, counts: PollCounts, problems: PollProblem[]): Promise<void> {
  await runs(db).updateOne({ _id: runId }, { $set: { counts, problems } });
}

export async function closeRun(db: Connection, runId: string, outcome: { status: Exclude<RunStatus, 'running'>; counts: PollCounts; problems: PollProblem[]; error?: string }): Promise<void> {
  await runs(db).updateOne({ _id: runId }, { $set: { status: outcome.status, counts: outcome.counts, problems: outcome.problems, error: outcome.error ?? null, finishedAt: new Date().toISOString() } });
  await targets(db).deleteMany({ runId });
}

/** A run that could not start (its job or selector is wrong): recorded so the jobs' list says why. */
export async function failRun(db: Connection, run: { id: string; job: string; error: string }): Promise<void> {
  const at = new Date().toISOString();
  const existing = await findRun(db, run.id);
  await runs(db).replaceOne(
    { _id: run.id },
    { job: run.job, startedAt: existing?.startedAt ?? at, finishedAt: at, status: 'failed', counts: existing?.counts ?? noCounts(0), problems: existing?.problems ?? [], error: run.error },
    { upsert: true },
  );
  await targets(db).deleteMany({ runId: run.id });
}

/** The latest run of each job. */
export async function latestRuns(db: Connection, jobs: readonly string[]): Promise<Map<string, PollingRunDocument>> {
  const found = new Map<string, PollingRunDocument>();
  for (const job of jobs) {
    const [latest] = await runs(db).find({ job }).sort({ startedAt: -1 }).limit(1).toArray();
    if (latest) found.set(job, latest);
  }
  return found;
}
