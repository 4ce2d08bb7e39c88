import type { Connection } from 'mongoose';
import type { DiscoveryJob, RunCounts, TargetOutcome } from '../../domain/cmdb/discovery/job';

/**
 * Discovery jobs (`cmdb_discovery_jobs`, by name) and their runs (`cmdb_discovery_runs`,
 * by run id), with each run's per-target outcomes in pages (`cmdb_discovery_results`,
 * `<run>#<page>`) so a sweep of thousands of addresses never makes one large document.
 * Everything is read by _id, which the embedded store indexes.
 */

export interface StoredJob extends DiscoveryJob {
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export type RunStatus = 'running' | 'completed' | 'failed';

export interface DiscoveryRun {
  id: string;
  job: string;
  kind: DiscoveryJob['kind'];
  trigger: 'schedule' | 'user';
  requestedBy?: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  counts: RunCounts;
  /** Pages of target outcomes written so far. */
  pages: number;
  /** Why the run failed (a deleted credential, a feed that is not JSON…). */
  error?: string;
  /** Sync runs: rows the import rejected, with the reasons (the first 50). */
  rejected?: Array<{ row: number; errors: Array<{ field: string; message: string }> }>;
}

type JobDoc = Omit<StoredJob, 'name'> & { _id: string };
type RunDoc = Omit<DiscoveryRun, 'id' | 'rejected'> & { _id: string; rejected?: string };
type ResultDoc = { _id: string; run: string; page: number; outcomes: string };

const jobs = (db: Connection) => db.collection<JobDoc>('cmdb_discovery_jobs');
const runs = (db: Connection) => db.collection<RunDoc>('cmdb_discovery_runs');
const results = (db: Connection) => db.collection<ResultDoc>('cmdb_discovery_results');

const jobOf = ({ _id, ...rest }: JobDoc): StoredJob => ({ name: _id, ...rest });

export async function findJob(db: Connection, name: string): Promise<StoredJob | null> {
  const doc = await jobs(db).findOne({ _id: name });
  return doc && jobOf(doc);
}

export async function listJobs(db: Connection): Promise<StoredJob[]> {
  return (await jobs(db).find({}).sort({ _id: 1 }).toArray()).map(jobOf);
}

/** Creates or replaces a job; `expectedVersion` (from If-Match) guards against lost updates. Returns null when the version moved. */
export async function saveJob(db: Connection, job: DiscoveryJob, by: string, expectedVersion?: number): Promise<StoredJob | null> {
  const now = new Date().toISOString();
  const current = await jobs(db).findOne({ _id: job.name });
  if (expectedVersion !== undefined && current?.version !== expectedVersion) return null;
  const { name, ...fields } = job;
  const doc: JobDoc = { _id: name, ...fields, version: (current?.version ?? 0) + 1, createdAt: current?.createdAt ?? now, updatedAt: now, updatedBy: by };
  const written = current ? await jobs(db).replaceOne({ _id: name, version: current.version }, doc) : await jobs(db).insertOne(doc).then(() => ({ matchedCount: 1 }));
  return written.matchedCount === 1 ? jobOf(doc) : null;
}

export async function deleteJob(db: Connection, name: string): Promise<boolean> {
  return (await jobs(db).deleteOne({ _id: name })).deletedCount === 1;
}

const runOf = ({ _id, rejected, ...rest }: RunDoc): DiscoveryRun => ({ id: _id, ...rest, ...(rejected && { rejected: JSON.parse(rejected) as DiscoveryRun['rejected'] }) });

/** Records the start of a run; a retried call leaves the first record as it is. */
export async function openRun(db: Connection, run: Omit<DiscoveryRun, 'status' | 'pages' | 'error' | 'rejected' | 'finishedAt'>): Promise<void> {
  const { id, ...fields } = run;
  await runs(db).updateOne({ _id: id }, { $setOnInsert: { ...fields, status: 'running', pages: 0 } }, { upsert: true });
}

/** Stores a page of target outcomes and the counts so far; writing the same page again changes nothing. */
export async function recordPage(db: Connection, runId: string, page: number, outcomes: TargetOutcome[], counts: RunCounts): Promise<void> {
  await results(db).replaceOne({ _id: `${runId}#${page}` }, { run: runId, page, outcomes: JSON.stringify(outcomes) }, { upsert: true });
  await runs(db).updateOne({ _id: runId }, { $set: { counts, pages: page + 1 } });
}

export async function closeRun(db: Connection, runId: string, outcome: { status: 'completed' | 'failed'; counts: RunCounts; error?: string; rejected?: DiscoveryRun['rejected'] }): Promise<void> {
  const { rejected, error, ...rest } = outcome;
  await runs(db).updateOne({ _id: runId }, { $set: { ...rest, finishedAt: new Date().toISOString(), ...(error && { error }), ...(rejected?.length && { rejected: JSON.stringify(rejected) }) } });
}

export async function findRun(db: Connection, runId: string): Promise<DiscoveryRun | null> {
  const doc = await runs(db).findOne({ _id: runId });
  return doc && runOf(doc);
}

/** The latest runs, of one job or all, newest first. */
export async function listRuns(db: Connection, job: string | undefined, limit: number): Promise<DiscoveryRun[]> {
  return (await runs(db).find(job ? { job } : {}).sort({ startedAt: -1 }).limit(limit).toArray()).map(runOf);
}

/** The run's target outcomes, page by page in target order. */
export async function runOutcomes(db: Connection, run: DiscoveryRun): Promise<TargetOutcome[]> {
  const ids = Array.from({ length: run.pages }, (_, page) => `${run.id}#${page}`);
  const docs = await Promise.all(ids.map((_id) => results(db).findOne({ _id })));
  return docs.flatMap((doc) => (doc ? (JSON.parse(doc.outcomes) as TargetOutcome[]) : []));
}
