import { BASE, request } from './http';
import type { Credential } from './credentials';

// The automation API (docs/automation-library.md, docs/automation.md): the library of
// runbooks and scripts with drafts, versions and diffs; runs with their hosts, outputs,
// logs and live stream; approvals and operator decisions.
import type { RiskLevel, RunbookDefinition, ScriptDefinition } from '../../../domain/automation/runbook';
import type { HostStatus, RunStatus } from '../../../domain/automation/run';
import type { OverlapPolicy } from '../../../domain/automation/schedule';
import type { RunRisk } from '../../../domain/automation/risk';
import type { Finding } from '../../../domain/automation/highRisk/check';
import type { HighRiskRuleSet } from '../../../domain/automation/highRisk/ruleSet';

export type { RiskLevel, RunbookDefinition, RunbookStep, ScriptDefinition, ScriptLanguage } from '../../../domain/automation/runbook';
export { RISK_LEVELS, SCRIPT_LANGUAGES } from '../../../domain/automation/runbook';
export type { HostStatus, RunStatus } from '../../../domain/automation/run';
export type { RunRisk, StepFinding } from '../../../domain/automation/risk';
export { HIGH_RISK_APPROVERS, HIGH_RISK_GATE } from '../../../domain/automation/risk';
export type { Finding } from '../../../domain/automation/highRisk/check';
export { HOST_STATUSES } from '../../../domain/automation/run';

export type LibraryKind = 'runbook' | 'script';
export type LibraryDefinition<K extends LibraryKind = LibraryKind> = K extends 'runbook' ? RunbookDefinition : ScriptDefinition;

/** Path segment of each kind. */
export const PLURAL: Record<LibraryKind, 'runbooks' | 'scripts'> = { runbook: 'runbooks', script: 'scripts' };

export interface DraftSummary {
  savedBy: string;
  savedAt: string;
  /** The latest version when the draft was saved. */
  basedOn: number | null;
}

export interface LibrarySummary {
  kind: LibraryKind;
  id: string;
  name: string;
  description?: string;
  risk?: RiskLevel;
  latestVersion: number | null;
  publishedAt: string | null;
  publishedBy: string | null;
  /** The draft revision: the ETag sent back as If-Match. */
  revision: number;
  createdAt: string;
  createdBy: string;
  draft: DraftSummary | null;
}

export interface VersionSummary {
  kind: LibraryKind;
  id: string;
  version: number;
  note: string;
  author: string;
  publishedAt: string;
  hash: string;
}

export interface LibraryVersion<K extends LibraryKind = LibraryKind> extends VersionSummary {
  definition: LibraryDefinition<K>;
}

export interface LibraryEntry<K extends LibraryKind = LibraryKind> extends Omit<LibrarySummary, 'draft'> {
  latest: LibraryVersion<K> | null;
  draft: (DraftSummary & { definition: LibraryDefinition<K>; hash: string }) | null;
}

export type DiffSide = number | 'draft';

export interface DiffLine {
  op: 'context' | 'removed' | 'added';
  text: string;
  from?: number;
  to?: number;
  noNewline?: true;
}

export interface DiffHunk {
  fromStart: number;
  fromCount: number;
  toStart: number;
  toCount: number;
  lines: DiffLine[];
}

export interface LibraryDiff {
  kind: LibraryKind;
  id: string;
  from: { version: DiffSide; hash: string } | null;
  to: { version: DiffSide; hash: string };
  compared: 'yaml' | 'body';
  fields: Record<string, { before?: unknown; after?: unknown }>;
  added: number;
  removed: number;
  exact: boolean;
  hunks: DiffHunk[];
  unified: string;
}

const entryPath = (kind: LibraryKind, id: string) => `/automation/${PLURAL[kind]}/${encodeURIComponent(id)}`;
const ifMatch = (revision: number | undefined): Record<string, string> => (revision === undefined ? {} : { 'If-Match': `"${revision}"` });

export function listLibrary(kind: LibraryKind, { q, cursor, limit = 100, signal }: { q?: string; cursor?: string | null; limit?: number; signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (q?.trim()) query.set('q', q.trim());
  if (cursor) query.set('cursor', cursor);
  return request<{ items: LibrarySummary[]; nextCursor: string | null }>('GET', `/automation/${PLURAL[kind]}?${query.toString()}`, { signal });
}

export const getLibraryEntry = <K extends LibraryKind>(kind: K, id: string, signal?: AbortSignal) => request<LibraryEntry<K>>('GET', entryPath(kind, id), { signal });

export const listVersions = (kind: LibraryKind, id: string, signal?: AbortSignal) => request<{ items: VersionSummary[] }>('GET', `${entryPath(kind, id)}/versions`, { signal }).then((r) => r.items);

export const getVersion = <K extends LibraryKind>(kind: K, id: string, version: number, signal?: AbortSignal) => request<LibraryVersion<K>>('GET', `${entryPath(kind, id)}/versions/${version}`, { signal });

/**
 * Saves the draft; `revision` (the entry's ETag) guards against overwriting someone else's
 * save (412). The definition is what the author wrote: the server checks it, field by field.
 */
export const saveDraft = <K extends LibraryKind>(kind: K, id: string, definition: LibraryDefinition<K> | Record<string, unknown>, revision?: number) =>
  request<LibraryEntry<K>>('PUT', `${entryPath(kind, id)}/draft`, { body: definition, headers: ifMatch(revision) });

export const discardDraft = (kind: LibraryKind, id: string, revision?: number) => request<void>('DELETE', `${entryPath(kind, id)}/draft`, { headers: ifMatch(revision) });

export const publishDraft = <K extends LibraryKind>(kind: K, id: string, note: string, revision?: number) =>
  request<LibraryVersion<K>>('POST', `${entryPath(kind, id)}/publish`, { body: { note }, headers: ifMatch(revision) });

export function diffEntry(kind: LibraryKind, id: string, { from, to, context }: { from?: DiffSide; to?: DiffSide; context?: number } = {}, signal?: AbortSignal) {
  const query = new URLSearchParams();
  if (from !== undefined) query.set('from', String(from));
  if (to !== undefined) query.set('to', String(to));
  if (context !== undefined) query.set('context', String(context));
  const search = query.toString();
  return request<LibraryDiff>('GET', `${entryPath(kind, id)}/diff${search ? `?${search}` : ''}`, { signal });
}

/* ---------- Runs ---------- */

export type WaitingReason = 'approval' | 'decision' | 'worker' | 'slot';

export interface RunWaiting {
  reason: WaitingReason;
  detail: string;
  since?: string;
  step?: string;
}

export interface RunApproval {
  step: string;
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  comment?: string;
}

export type HostCounts = Record<HostStatus, number>;

export interface Run {
  id: string;
  runbook: { id: string; version: number; name: string; risk: RiskLevel };
  status: RunStatus;
  params: Record<string, unknown>;
  requestedBy: string;
  trigger: { type: string; ref?: string };
  targets: { total: number; byZone: Record<string, number> };
  /** Hosts per status: single-run reads only. */
  hosts?: HostCounts;
  waiting?: RunWaiting[];
  approvals: RunApproval[];
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  summary?: string;
  /** The high-risk check of its SSH steps, once the run is prepared. */
  risk?: RunRisk;
}

/** What a run would do (POST /automation/runs/dry-run); nothing ran. */
export interface DryRun {
  runbook: { id: string; version: number; name: string; risk: RiskLevel };
  targets: { total: number; byZone: Record<string, number>; listed: Array<{ ciId: string; name: string; address: string | null; zone: string }> };
  steps: Array<{
    id: string;
    type: string;
    name?: string;
    renderings?: Array<{ command: string; script?: string; hosts: number; sample: string[] }>;
    moreRenderings?: number;
    unrendered?: { hosts: number; reason: string };
  }>;
  risk: RunRisk;
}

export interface StepResult {
  status: string;
  exitCode?: number | null;
  signal?: string;
  stdout?: string;
  stderr?: string;
  stdoutBytes?: number;
  stderrBytes?: number;
  omittedBytes?: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  attempt?: number;
  worker?: string;
  error?: string;
  output?: unknown;
}

export interface RunHost {
  seq: number;
  ciId: string;
  name: string;
  address: string | null;
  zone: string;
  status: HostStatus;
  steps: Record<string, StepResult>;
  decision?: { step: string; reason: string; since: string };
  startedAt?: string;
  finishedAt?: string;
}

export interface LogLine {
  id: string;
  seq: number;
  step: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  at: string;
}

/** What a `run` event of the stream carries. */
export interface RunChange {
  status: RunStatus;
  hosts: HostCounts;
  waiting: RunWaiting | null;
  summary: string | null;
}

export const FINISHED_RUN: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'stopped', 'cancelled'];

export interface NewRun {
  runbook: string;
  version?: number;
  params?: Record<string, unknown>;
  credential?: string;
  ticket?: string;
}

export const startRun = (body: NewRun) => request<Run>('POST', '/automation/runs', { body });
export const dryRun = (body: NewRun) => request<DryRun>('POST', '/automation/runs/dry-run', { body });

export interface RunFilters {
  runbook?: string;
  status?: RunStatus;
  requestedBy?: string;
}

export function listRuns(filters: RunFilters, { cursor, limit = 50, signal }: { cursor?: string | null; limit?: number; signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, String(value));
  if (cursor) query.set('cursor', cursor);
  return request<{ items: Run[]; nextCursor: string | null }>('GET', `/automation/runs?${query.toString()}`, { signal });
}

const runPath = (id: string) => `/automation/runs/${encodeURIComponent(id)}`;

export const getRun = (id: string, signal?: AbortSignal) => request<Run>('GET', runPath(id), { signal });

export function listRunHosts(id: string, { status, from = 0, limit = 100, signal }: { status?: HostStatus; from?: number; limit?: number; signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ from: String(from), limit: String(limit) });
  if (status) query.set('status', status);
  return request<{ items: RunHost[] }>('GET', `${runPath(id)}/hosts?${query.toString()}`, { signal }).then((r) => r.items);
}

export const getRunHost = (id: string, seq: number, signal?: AbortSignal) => request<RunHost>('GET', `${runPath(id)}/hosts/${seq}`, { signal });

export function runLogs(id: string, { seq, after, limit = 1000, signal }: { seq?: number; after?: string; limit?: number; signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (seq !== undefined) query.set('seq', String(seq));
  if (after) query.set('after', after);
  return request<{ items: LogLine[] }>('GET', `${runPath(id)}/logs?${query.toString()}`, { signal }).then((r) => r.items);
}

/** The run's server-sent events: `log`, `run` and `end` (EventSource sends the session cookie). */
export const runStreamUrl = (id: string) => `${BASE}${runPath(id)}/stream`;

export const cancelRun = (id: string) => request<Run>('POST', `${runPath(id)}/cancel`);

export const decideApproval = (id: string, body: { step: string; decision: 'approved' | 'rejected'; comment?: string }) => request<Run>('POST', `${runPath(id)}/approvals`, { body });

export const decideHost = (id: string, seq: number, body: { decision: 'retry' | 'skip' | 'abort'; comment?: string }) => request<RunHost>('POST', `${runPath(id)}/hosts/${seq}/decision`, { body });

/* ---------- What the run form needs from elsewhere ---------- */

/** SSH credentials a run may use for hosts whose CI names none. */
export async function listSshCredentials(signal?: AbortSignal): Promise<Credential[]> {
  const kinds = ['ssh_key', 'ssh_password'] as const;
  const pages = await Promise.all(kinds.map((kind) => request<{ items: Credential[] }>('GET', `/credentials?kind=${kind}`, { signal })));
  return pages.flatMap((p) => p.items).sort((a, b) => a.name.localeCompare(b.name));
}

export interface TargetPreview {
  count: number;
  byZone: Record<string, number>;
  withoutZone: number;
  targets: Array<{ id: string; name: string | null; class: string; zone: string | null; address: string | null }>;
  truncated: boolean;
}

export const previewTargets = (selector: unknown, signal?: AbortSignal) => request<TargetPreview>('POST', '/cmdb/targets/preview', { body: { selector }, signal });

/* ---------- Schedules ---------- */

export { OVERLAP_POLICIES } from '../../../domain/automation/schedule';
export type { OverlapPolicy } from '../../../domain/automation/schedule';

export interface ScheduleSpec {
  cron?: string[];
  calendars?: Array<Record<string, unknown>>;
  timezone?: string;
  jitter?: string;
}

export interface ScheduleFiring {
  scheduledAt: string;
  takenAt: string;
  workflowId: string;
  status: string;
  runId?: string;
  runStatus?: string;
  error?: string;
}

export interface RunSchedule {
  id: string;
  runbook: string;
  version?: number;
  params: Record<string, unknown>;
  targets?: string[];
  credential?: string;
  spec: ScheduleSpec;
  overlap: OverlapPolicy;
  paused: boolean;
  note: string;
  owner: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  nextRuns: string[];
  /** Its Temporal Schedule is missing; saving the schedule makes it again. */
  missing?: boolean;
  recentActions?: ScheduleFiring[];
  recentRuns?: Run[];
}

export interface ScheduleDefinition {
  runbook: string;
  version?: number;
  params?: Record<string, unknown>;
  credential?: string;
  spec: ScheduleSpec;
  overlap?: OverlapPolicy;
  paused?: boolean;
  note?: string;
}

const schedulePath = (id: string) => `/automation/schedules/${encodeURIComponent(id)}`;

export function listSchedules({ runbook, cursor, signal }: { runbook?: string; cursor?: string | null; signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: '100' });
  if (runbook) query.set('runbook', runbook);
  if (cursor) query.set('cursor', cursor);
  return request<{ items: RunSchedule[]; nextCursor: string | null }>('GET', `/automation/schedules?${query.toString()}`, { signal });
}

export const getSchedule = (id: string, signal?: AbortSignal) => request<RunSchedule>('GET', schedulePath(id), { signal });
export const createSchedule = (id: string, definition: ScheduleDefinition) => request<RunSchedule>('POST', '/automation/schedules', { body: { id, ...definition } });
export const updateSchedule = (id: string, definition: ScheduleDefinition, revision: number) => request<RunSchedule>('PUT', schedulePath(id), { body: definition, headers: ifMatch(revision) });
export const pauseSchedule = (id: string, paused: boolean, note?: string) => request<RunSchedule>('POST', `${schedulePath(id)}/${paused ? 'pause' : 'resume'}`, { body: note ? { note } : {} });
export const triggerSchedule = (id: string) => request<{ schedule: string; overlap: string }>('POST', `${schedulePath(id)}/trigger`, { body: {} });
export const deleteSchedule = (id: string) => request<void>('DELETE', schedulePath(id));

// ── High-risk command rules (docs/automation-safety.md#editing-the-rules) ──

export type { HighRiskRuleSet } from '../../../domain/automation/highRisk/ruleSet';

export interface RulesInForce {
  ruleSet: HighRiskRuleSet;
  /** 0: the shipped file. */
  revision: number;
  source: 'shipped' | 'edited';
  updatedBy?: string;
  updatedAt?: string;
}

export const getHighRiskRules = (signal?: AbortSignal) => request<RulesInForce>('GET', '/automation/high-risk-rules', { signal });
export const replaceHighRiskRules = (ruleSet: unknown, revision: number) => request<RulesInForce>('PUT', '/automation/high-risk-rules', { body: ruleSet, headers: ifMatch(revision) });
export const checkHighRisk = (script: string) => request<{ decision: RunRisk['decision']; findings: Finding[] }>('POST', '/automation/high-risk-rules/check', { body: { script } });
