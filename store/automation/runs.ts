import { type Connection, mongo, Types } from 'mongoose';
import type { Answers } from '../../domain/catalogItem';
import { HOST_STATUSES, type HostStatus, type RunStatus, type StepStatus } from '../../domain/automation/run';
import type { RiskLevel, RunbookDefinition, ScriptLanguage } from '../../domain/automation/runbook';
import type { RunRisk } from '../../domain/automation/risk';
import type { TargetScope } from '../../domain/automation/runPolicy';
import type { SealedSecret } from '../vault';

/**
 * Automation runs (`automation_runs`, by run id), one document per resolved target
 * (`automation_run_hosts`, `<run>/<seq>`) holding each step's result, and the live log
 * (`automation_run_logs`, in arrival order) the UI streams. Outputs live here, never in
 * workflow history: the workflows carry statuses and exit codes only.
 */

export interface RunTrigger {
  type: 'manual' | 'schedule' | 'ticket' | 'alert';
  /** The schedule, ticket number or alert group that started it. */
  ref?: string;
}

/** A script as the run uses it, pinned when the run was made. */
export interface RunScript {
  step: number;
  id?: string;
  version?: number;
  language: ScriptLanguage;
  body: string;
}

export interface RunWaiting {
  /** approval and decision are stored; worker (no worker polls a zone) and slot (parallelism) are read live. */
  reason: 'approval' | 'decision' | 'worker' | 'slot';
  detail: string;
  since: string;
  /** Approval: the step; decision: the hosts (seq) awaiting one. */
  step?: string;
}

export interface RunApproval {
  step: string;
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  comment?: string;
}

export interface RunDocument {
  _id: string;
  runbook: { id: string; version: number; name: string; risk: RiskLevel };
  definition: RunbookDefinition;
  scripts: RunScript[];
  /** Parameters in clear, except secret ones (`secretParameters`), which are sealed. */
  params: Answers;
  sealedParams?: SealedSecret;
  requestedBy: string;
  trigger: RunTrigger;
  /** A credential id used for hosts that name none of their own. */
  credential?: string;
  /** CI ids a trigger limited the run to, inside the runbook's selector (docs/automation-triggers.md#explicit-targets). */
  targetIds?: string[];
  /** The requester's target scopes when their roles limit them (domain/automation/runPolicy.ts): checked again when the targets are resolved. */
  targetScope?: TargetScope[];
  status: RunStatus;
  waiting?: RunWaiting;
  approvals: RunApproval[];
  targets: { total: number; byZone: Record<string, number> };
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why it ended as it did ("batch 2: 3 of 4 hosts failed"). */
  summary?: string;
  /** The high-risk check of its SSH steps, made when the run was prepared (domain/automation/risk.ts). */
  risk?: RunRisk;
}

export interface StepResult {
  status: StepStatus;
  exitCode?: number | null;
  signal?: string;
  stdout?: string;
  stderr?: string;
  /** Bytes printed in all, and left out of what is stored (docs/automation.md#output). */
  stdoutBytes?: number;
  stderrBytes?: number;
  omittedBytes?: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  attempt?: number;
  /** The zone worker that ran it. */
  worker?: string;
  error?: string;
  /**
   * The step's structured result (SNMP varbinds or rows, an HTTP response, cloud servers, an
   * upload's checksum), secrets masked and at most 64 KiB of JSON (domain/automation/stepOutput.ts);
   * later steps read it as `steps.<id>.output`.
   */
  output?: unknown;
  findings?: Array<{ rule: string; severity: string; line: number; text: string; description: string }>;
}

export interface HostDocument {
  _id: string;
  runId: string;
  seq: number;
  ciId: string;
  name: string;
  address: string | null;
  port: number;
  zone: string;
  credential: string | null;
  /** The CI's `snmp_credential`: SNMP steps use it before their own `credential`. */
  snmpCredential?: string | null;
  hostKey: string | null;
  /** The CI's attributes steps may read (`target.attributes`), those of TARGET_ATTRIBUTES it has, as at the run's start. */
  attributes?: Record<string, string | number | boolean>;
  status: HostStatus;
  steps: Record<string, StepResult>;
  /** Set while the host waits for an operator: which step, and why. */
  decision?: { step: string; reason: string; since: string; chunk: string };
  startedAt?: string;
  finishedAt?: string;
}

export interface LogLine {
  _id: Types.ObjectId;
  runId: string;
  seq: number;
  step: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  at: string;
}

const runs = (db: Connection) => db.collection<RunDocument>('automation_runs');
const hosts = (db: Connection) => db.collection<HostDocument>('automation_run_hosts');
const logs = (db: Connection) => db.collection<LogLine>('automation_run_logs');

export const hostDocId = (runId: string, seq: number) => `${runId}/${seq}`;

export async function ensureRunIndexes(db: Connection): Promise<void> {
  await Promise.all([
    runs(db).createIndex({ createdAt: -1 }),
    runs(db).createIndex({ 'trigger.ref': 1, createdAt: -1 }),
    hosts(db).createIndex({ runId: 1, seq: 1 }),
    hosts(db).createIndex({ runId: 1, status: 1 }),
    logs(db).createIndex({ runId: 1, _id: 1 }),
  ]);
}

export async function insertRun(db: Connection, run: RunDocument): Promise<void> {
  await runs(db).insertOne(run);
}

export async function findRun(db: Connection, runId: string): Promise<RunDocument | null> {
  return runs(db).findOne({ _id: runId });
}

export interface RunFilter {
  runbook?: string;
  status?: RunStatus;
  requestedBy?: string;
  /** Runs a trigger made (a schedule's, a ticket's, an alert group's). */
  trigger?: RunTrigger;
  /** Runs whose trigger ref begins with this: an alert group's runs are `<group key>/<group start>/<attempt>`. */
  triggerRefPrefix?: string;
  /** createdAt of the last run of the previous page. */
  before?: string;
  /** Made at or after this. */
  since?: string;
}

/** Newest first. */
export async function listRuns(db: Connection, filter: RunFilter, limit: number): Promise<RunDocument[]> {
  const query: Record<string, unknown> = {};
  if (filter.runbook) query['runbook.id'] = filter.runbook;
  if (filter.status) query.status = filter.status;
  if (filter.requestedBy) query.requestedBy = filter.requestedBy;
  if (filter.trigger) Object.assign(query, { 'trigger.type': filter.trigger.type, ...(filter.trigger.ref !== undefined && { 'trigger.ref': filter.trigger.ref }) });
  if (filter.triggerRefPrefix !== undefined) query['trigger.ref'] = { $regex: `^${filter.triggerRefPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` };
  if (filter.before || filter.since) query.createdAt = { ...(filter.before && { $lt: filter.before }), ...(filter.since && { $gte: filter.since }) };
  return runs(db).find(query, { projection: { scripts: 0, sealedParams: 0, targetIds: 0 } }).sort({ createdAt: -1 }).limit(limit).toArray();
}

export async function updateRun(db: Connection, runId: string, set: Partial<RunDocument>, unset: Array<keyof RunDocument> = []): Promise<void> {
  await runs(db).updateOne({ _id: runId }, { $set: set, ...(unset.length && { $unset: Object.fromEntries(unset.map((k) => [k, 1 as const])) }) });
}

export async function addApproval(db: Connection, runId: string, approval: RunApproval): Promise<void> {
  await runs(db).updateOne({ _id: runId }, { $push: { approvals: approval } });
}

/**
 * Statements per write command. FerretDB 1.24 (the embedded store) holds each statement's
 * read of an existing document open until the whole command ends, from a pool of 100
 * connections per database: a command that updates more than about 100 existing documents
 * never returns.
 */
const WRITES_PER_COMMAND = 50;

/** Writes the resolved targets; writing them again (a retried activity) replaces them with the same. */
export async function insertHosts(db: Connection, docs: HostDocument[]): Promise<void> {
  for (let i = 0; i < docs.length; i += WRITES_PER_COMMAND) {
    const page = docs.slice(i, i + WRITES_PER_COMMAND);
    await hosts(db).bulkWrite(page.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })), { ordered: false });
  }
}

export async function findHost(db: Connection, runId: string, seq: number): Promise<HostDocument | null> {
  return hosts(db).findOne({ _id: hostDocId(runId, seq) });
}

/** Reads in flight when hosts are read one `_id` at a time. */
const READS_AT_ONCE = 8;

/**
 * Hosts in target order, from `from` (inclusive) to `to` (exclusive), each read by its
 * `_id`: FerretDB answers a range filter by reading every stored host of every run.
 */
export async function hostsBetween(db: Connection, runId: string, from: number, to: number, projection?: Record<string, 0 | 1>): Promise<HostDocument[]> {
  const found: Array<HostDocument | null> = [];
  let next = from;
  const lane = async () => {
    while (next < to) {
      const seq = next++;
      found[seq - from] = await hosts(db).findOne({ _id: hostDocId(runId, seq) }, projection && { projection });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, Math.max(0, to - from)) }, lane));
  return found.filter((doc): doc is HostDocument => doc != null);
}

export async function hostsWith(db: Connection, runId: string, status: HostStatus, limit: number): Promise<HostDocument[]> {
  return hosts(db).find({ runId, status }).sort({ seq: 1 }).limit(limit).toArray();
}

/** One pass over the run's hosts (FerretDB reads the whole collection for any filter but `_id`, so one count per status read it eight times). */
export async function hostCounts(db: Connection, runId: string): Promise<Record<HostStatus, number>> {
  const groups = await hosts(db).aggregate<{ _id: HostStatus; n: number }>([{ $match: { runId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]).toArray();
  const counts = new Map(groups.map((g) => [g._id, g.n]));
  return Object.fromEntries(HOST_STATUSES.map((status) => [status, counts.get(status) ?? 0])) as Record<HostStatus, number>;
}

/** The step's result, and with it `host` fields (a quick step's `running` status) in the same write. */
export async function recordStep(db: Connection, runId: string, seq: number, step: string, result: StepResult, host: Partial<Pick<HostDocument, 'status' | 'startedAt'>> = {}): Promise<void> {
  await hosts(db).updateOne({ _id: hostDocId(runId, seq) }, { $set: { [`steps.${step}`]: result, ...host } });
}

interface QueuedStep {
  id: string;
  update: Record<string, unknown>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * recordStep for the steps a zone worker runs at once, in one write command: a fleet's
 * steps each sent one update, and on the embedded store every command costs a round trip
 * that wakes both sides. The first step's result goes out at once; while a command is in
 * flight the results that come meanwhile wait for the next (at most WRITES_PER_COMMAND in
 * a command, and one host at most once in it). Each step learns its own outcome: a command
 * that fails fails each of its steps (whose callers try again, retryTransient), a
 * statement that fails only its own.
 */
export class StepWrites {
  private queue: QueuedStep[] = [];
  private writing = false;

  constructor(private readonly db: Connection) {}

  /** As recordStep, sharing a write command with other hosts' steps. */
  record(runId: string, seq: number, step: string, result: StepResult, host: Partial<Pick<HostDocument, 'status' | 'startedAt'>> = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ id: hostDocId(runId, seq), update: { $set: { [`steps.${step}`]: result, ...host } }, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch: QueuedStep[] = [];
        const ids = new Set<string>();
        const rest: QueuedStep[] = [];
        for (const queued of this.queue) {
          if (batch.length < WRITES_PER_COMMAND && !ids.has(queued.id)) {
            batch.push(queued);
            ids.add(queued.id);
          } else rest.push(queued);
        }
        this.queue = rest;
        await this.write(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(batch: QueuedStep[]): Promise<void> {
    try {
      await hosts(this.db).bulkWrite(batch.map(({ id, update }) => ({ updateOne: { filter: { _id: id }, update } })), { ordered: false });
      for (const queued of batch) queued.resolve();
    } catch (error) {
      if (!(error instanceof mongo.MongoBulkWriteError) || !error.writeErrors) {
        for (const queued of batch) queued.reject(error);
        return;
      }
      const failed = new Map<number, unknown>();
      for (const writeError of Array.isArray(error.writeErrors) ? error.writeErrors : Object.values(error.writeErrors)) {
        failed.set(writeError.index, new mongo.MongoServerError({ message: writeError.errmsg ?? 'the write failed', errmsg: writeError.errmsg, code: writeError.code }));
      }
      batch.forEach((queued, i) => (failed.has(i) ? queued.reject(failed.get(i)) : queued.resolve()));
    }
  }
}

const stepWrites = new WeakMap<Connection, StepWrites>();

/** The process's StepWrites for `db`. */
export function stepWritesFor(db: Connection): StepWrites {
  let found = stepWrites.get(db);
  if (!found) stepWrites.set(db, (found = new StepWrites(db)));
  return found;
}

/**
 * Records `result` (an unknown outcome) unless the step already has a known one: a worker
 * that recorded what happened on the host and died before telling the workflow knew more
 * than the workflow does.
 */
export async function recordStepUnlessKnown(db: Connection, runId: string, seq: number, step: string, result: StepResult): Promise<void> {
  const key = `steps.${step}`;
  await hosts(db).updateOne({ _id: hostDocId(runId, seq), $or: [{ [key]: { $exists: false } }, { [`${key}.status`]: 'unknown' }] }, { $set: { [key]: result } });
}

/**
 * One update per host, by `_id`: the only filter FerretDB answers from an index. An `$in`
 * over the ids read the whole collection for every call (1.2 s at 5,000 hosts, each host's
 * step paying it once), growing with every run kept.
 */
export async function setHostStatus(db: Connection, runId: string, seqs: number[], status: HostStatus, extra: Partial<HostDocument> = {}, unset: Array<keyof HostDocument> = []): Promise<void> {
  const update = { $set: { status, ...extra }, ...(unset.length && { $unset: Object.fromEntries(unset.map((k) => [k, 1 as const])) }) };
  for (let i = 0; i < seqs.length; i += WRITES_PER_COMMAND) {
    const page = seqs.slice(i, i + WRITES_PER_COMMAND);
    await hosts(db).bulkWrite(page.map((seq) => ({ updateOne: { filter: { _id: hostDocId(runId, seq) }, update } })), { ordered: false });
  }
}

/** Marks every host still in `from` statuses as `to` (a stopped or cancelled run's untouched hosts). */
export async function closeHosts(db: Connection, runId: string, from: HostStatus[], to: HostStatus): Promise<void> {
  await hosts(db).updateMany({ runId, status: { $in: from } }, { $set: { status: to } });
}

export async function appendLog(db: Connection, lines: Array<Omit<LogLine, '_id'>>): Promise<void> {
  if (lines.length) await logs(db).insertMany(lines.map((line) => ({ ...line, _id: new Types.ObjectId() })), { ordered: true });
}

/** Log lines after `after` (an id from a previous read), oldest first. */
export async function logsAfter(db: Connection, runId: string, after: string | undefined, limit: number, seq?: number): Promise<LogLine[]> {
  const query: Record<string, unknown> = { runId };
  if (after) query._id = { $gt: new Types.ObjectId(after) };
  if (seq !== undefined) query.seq = seq;
  return logs(db).find(query).sort({ _id: 1 }).limit(limit).toArray();
}
