/**
 * SNMP polling jobs as data (catalog/collection/polling-jobs.yaml, docs/alerts-collection.md#jobs):
 * which CIs (a CMDB selector), how often, which metric sets, how many devices at once, and
 * the SNMP credential for CIs that name none. Each job is one Temporal Schedule
 * (`polling:<job>`) starting `pollingWorkflow` (`polling/<job>-<time>`).
 */

import { checkSelector, type Selector } from '../cmdb/selector';
import type { ResolvedModel } from '../cmdb/model';
import { parseDuration } from '../sla/policy';
import { METRIC_SETS, type MetricSet } from './metrics';

export interface PollingJob {
  name: string;
  description: string;
  /** The CIs polled: their primary_ip, their zone's workers, their snmp_credential. */
  targets: Selector;
  /** How often, as written (`5m`) and in ms. */
  every: string;
  everyMs: number;
  metrics: MetricSet[];
  /** Devices polled at once. */
  concurrency: number;
  /** An SNMP credential (name or id) for CIs without an snmp_credential; null: those CIs are not polled. */
  credential: string | null;
  port: number;
  /** Per SNMP request; each is tried twice. */
  timeout: string;
  timeoutMs: number;
  /** A paused job keeps its schedule but starts nothing. */
  paused: boolean;
}

export interface PollingCatalog {
  jobs: PollingJob[];
  /** How long samples are kept, as written and in ms. */
  retention: string;
  retentionMs: number;
}

export const POLLING_WORKFLOW_PREFIX = 'polling/';
export const pollingScheduleId = (job: string) => `polling:${job}`;
export const POLLING_SCHEDULE_PREFIX = pollingScheduleId('');
/**
 * The run's id: the workflow id without its prefix (`<job>-<time>` when the schedule started
 * it) and the start of its first run id, because a schedule names its workflows to the
 * second and two runs in one second (a trigger beside the interval) would share the name.
 */
export const pollingRunIdOf = (workflowId: string, firstRunId: string) => `${workflowId.slice(POLLING_WORKFLOW_PREFIX.length)}~${firstRunId.slice(0, 8)}`;

export const POLLING_LIMITS = { minEveryMs: 10_000, maxConcurrency: 200, minTimeoutMs: 100, maxTimeoutMs: 60_000 } as const;
const DEFAULTS = { concurrency: 10, port: 161, timeout: '3s', retention: '30d' };
const FIELDS = ['name', 'description', 'targets', 'every', 'metrics', 'concurrency', 'credential', 'port', 'timeout', 'paused'];

export type JobProblem = { path: string; message: string };

/** Checks the jobs file's content (`{ jobs: [...], retention? }`); `model` checks the selectors. */
export function validatePollingJobs(input: unknown, model?: ResolvedModel): { ok: true; catalog: PollingCatalog } | { ok: false; problems: JobProblem[] } {
  if (!isObject(input)) return { ok: false, problems: [{ path: '', message: 'must be { jobs: [...], retention? }' }] };
  const problems: JobProblem[] = [];
  for (const key of Object.keys(input)) if (!['jobs', 'retention'].includes(key)) problems.push({ path: key, message: 'unknown field; the file has jobs and retention' });
  const retention = input.retention ?? DEFAULTS.retention;
  const retentionMs = durationMs(retention);
  if (retentionMs === null || retentionMs < 3_600_000) problems.push({ path: 'retention', message: "must be a duration of at least an hour, such as '30d'" });
  if (!Array.isArray(input.jobs)) return { ok: false, problems: [...problems, { path: 'jobs', message: 'must be a list of polling jobs' }] };
  const jobs: PollingJob[] = [];
  const seen = new Set<string>();
  input.jobs.forEach((item: unknown, i) => {
    const job = readJob(item, `jobs[${i}]`, problems, model);
    if (!job) return;
    if (seen.has(job.name)) problems.push({ path: `jobs[${i}].name`, message: `a second job '${job.name}'; names must be unique` });
    seen.add(job.name);
    jobs.push(job);
  });
  return problems.length ? { ok: false, problems } : { ok: true, catalog: { jobs, retention: retention as string, retentionMs: retentionMs! } };
}

function readJob(item: unknown, path: string, problems: JobProblem[], model?: ResolvedModel): PollingJob | null {
  if (!isObject(item)) {
    problems.push({ path, message: 'must be a job: { name, targets, every, metrics, concurrency?, credential?, port?, timeout?, paused? }' });
    return null;
  }
  const before = problems.length;
  const problem = (field: string, message: string) => problems.push({ path: `${path}.${field}`, message });
  for (const key of Object.keys(item)) if (!FIELDS.includes(key)) problem(key, `unknown field; a polling job has ${FIELDS.join(', ')}`);
  if (typeof item.name !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(item.name)) problem('name', 'must be a lowercase name such as network-devices');
  if (!isObject(item.targets)) problem('targets', 'must be a CMDB selector such as { class: network_device }');
  else if (model) for (const issue of checkSelector(item.targets, model, `${path}.targets`)) problems.push(issue);
  const everyMs = durationMs(item.every);
  if (everyMs === null || everyMs < POLLING_LIMITS.minEveryMs) problem('every', `must be a duration of at least ${POLLING_LIMITS.minEveryMs / 1000}s, such as '5m'`);
  const metrics = item.metrics;
  if (!Array.isArray(metrics) || metrics.length === 0 || !metrics.every((m) => METRIC_SETS.includes(m as MetricSet))) problem('metrics', `must list metric sets: ${METRIC_SETS.join(', ')}`);
  else if (new Set(metrics).size !== metrics.length) problem('metrics', 'names a metric set twice');
  const concurrency = item.concurrency ?? DEFAULTS.concurrency;
  if (!Number.isInteger(concurrency) || (concurrency as number) < 1 || (concurrency as number) > POLLING_LIMITS.maxConcurrency) problem('concurrency', `must be a whole number from 1 to ${POLLING_LIMITS.maxConcurrency}`);
  const credential = item.credential ?? null;
  if (credential !== null && (typeof credential !== 'string' || !credential.trim())) problem('credential', 'must name an SNMP credential (snmp_community or snmp_v3) by name or id');
  const port = item.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) problem('port', 'must be a UDP port, 1 to 65535');
  const timeout = item.timeout ?? DEFAULTS.timeout;
  const timeoutMs = durationMs(timeout);
  if (timeoutMs === null || timeoutMs < POLLING_LIMITS.minTimeoutMs || timeoutMs > POLLING_LIMITS.maxTimeoutMs) problem('timeout', "must be a duration from '100ms' to '60s', such as '3s'");
  if (item.paused !== undefined && typeof item.paused !== 'boolean') problem('paused', 'must be true or false');
  if (problems.length > before) return null;
  return {
    name: item.name as string,
    description: typeof item.description === 'string' ? item.description : '',
    targets: item.targets as Selector,
    every: item.every as string,
    everyMs: everyMs!,
    metrics: metrics as MetricSet[],
    concurrency: concurrency as number,
    credential: credential as string | null,
    port: port as number,
    timeout: timeout as string,
    timeoutMs: timeoutMs!,
    paused: (item.paused as boolean | undefined) ?? false,
  };
}

/** Milliseconds of a duration such as '5m', '1s' or '500ms'; null when it is not one. */
function durationMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const millis = /^(\d+)ms$/.exec(value.trim());
  if (millis) return Number(millis[1]);
  try {
    return parseDuration(value);
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
