import { request } from './http';

/** CMDB discovery: jobs (network sweeps, inventory syncs), their schedules and run reports. */

export interface DiscoveryJob {
  name: string;
  description: string;
  kind: 'network' | 'sync';
  network?: { targets: string[]; exclude: string[]; ssh?: { credential: string; port: number }; snmp?: { credential: string; port: number }; concurrency: number; timeoutSeconds: number };
  sync?: { url: string; format: 'json' | 'csv'; credential?: string; mapping: Record<string, unknown> };
  schedule?: { every?: string; cron?: string[]; paused: boolean };
  version: number;
  updatedAt: string;
  updatedBy: string;
  nextRunAt: string | null;
}

export type JobDefinition = Omit<DiscoveryJob, 'name' | 'version' | 'updatedAt' | 'updatedBy' | 'nextRunAt'>;

export interface CiCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface TargetOutcome {
  address: string;
  status: 'discovered' | 'no_response' | 'failed';
  protocols: { ssh?: string; snmp?: string };
  ci?: { id: string; class: string; name: string };
  cis: CiCounts;
  errors: string[];
  uptimeSeconds?: number;
}

export interface DiscoveryRun {
  id: string;
  job: string;
  kind: 'network' | 'sync';
  trigger: 'schedule' | 'user';
  requestedBy?: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  finishedAt?: string;
  counts: { targets: { total: number; done: number; discovered: number; noResponse: number; failed: number }; cis: CiCounts };
  error?: string;
  rejected?: Array<{ row: number; errors: Array<{ field: string; message: string }> }>;
  targets?: TargetOutcome[];
}

export const listDiscoveryJobs = (signal?: AbortSignal) => request<{ jobs: DiscoveryJob[] }>('GET', '/cmdb/discovery/jobs', { signal }).then((r) => r.jobs);
export const saveDiscoveryJob = (name: string, definition: JobDefinition) => request<DiscoveryJob>('PUT', `/cmdb/discovery/jobs/${encodeURIComponent(name)}`, { body: definition });
export const deleteDiscoveryJob = (name: string) => request<void>('DELETE', `/cmdb/discovery/jobs/${encodeURIComponent(name)}`);
export const runDiscoveryJob = (name: string) => request<DiscoveryRun>('POST', `/cmdb/discovery/jobs/${encodeURIComponent(name)}/runs`);
export const listDiscoveryRuns = (job?: string, signal?: AbortSignal) => request<{ runs: DiscoveryRun[] }>('GET', `/cmdb/discovery/runs${job ? `?job=${encodeURIComponent(job)}` : ''}`, { signal }).then((r) => r.runs);
export const getDiscoveryRun = (id: string, signal?: AbortSignal) => request<DiscoveryRun>('GET', `/cmdb/discovery/runs/${encodeURIComponent(id)}`, { signal });
