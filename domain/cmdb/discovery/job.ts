/**
 * Discovery jobs: a network sweep (SSH host facts and/or SNMP over a range of addresses)
 * or a sync from an external inventory (a JSON or CSV feed at a URL). A job runs on demand
 * or on its schedule; every run keeps a report of what it created, updated, left unchanged
 * and could not reach or read.
 */

import type { FeedMapping } from './feed';

export interface ProbeSettings {
  /** Id of a stored credential (ssh_key/ssh_password, or snmp_community/snmp_v3). */
  credential: string;
  port: number;
}

export interface NetworkSweep {
  targets: string[];
  exclude: string[];
  ssh?: ProbeSettings;
  snmp?: ProbeSettings;
  /** Targets probed at once. */
  concurrency: number;
  /** Per connection: an SSH login, one SNMP request (the SSH facts script itself gets at least a minute). */
  timeoutSeconds: number;
}

export interface FeedSource {
  url: string;
  format: 'json' | 'csv';
  /** Id of an http_bearer or http_basic credential, when the feed needs one. */
  credential?: string;
  mapping: FeedMapping;
}

/** Temporal Schedule spec: an interval (`30m`, `6h`, `1d`) or cron expressions, in UTC. */
export interface JobSchedule {
  every?: string;
  cron?: string[];
  paused: boolean;
}

export interface DiscoveryJob {
  name: string;
  description: string;
  kind: 'network' | 'sync';
  network?: NetworkSweep;
  sync?: FeedSource;
  schedule?: JobSchedule;
}

export type ProbeStatus = 'ok' | 'no_response' | 'failed';

/** One address of a sweep: what each protocol made of it and what the CMDB did. */
export interface TargetOutcome {
  address: string;
  status: 'discovered' | 'no_response' | 'failed';
  protocols: { ssh?: ProbeStatus; snmp?: ProbeStatus };
  /** The device or host the address turned out to be. */
  ci?: { id: string; class: string; name: string };
  cis: CiCounts;
  errors: string[];
  /** From SNMP's sysUpTime. */
  uptimeSeconds?: number;
}

export interface CiCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export const noCis = (): CiCounts => ({ created: 0, updated: 0, unchanged: 0, rejected: 0 });

export interface RunCounts {
  targets: { total: number; done: number; discovered: number; noResponse: number; failed: number };
  cis: CiCounts;
}

export function addOutcomes(counts: RunCounts, outcomes: TargetOutcome[]): RunCounts {
  const next: RunCounts = { targets: { ...counts.targets }, cis: { ...counts.cis } };
  for (const outcome of outcomes) {
    next.targets.done++;
    if (outcome.status === 'discovered') next.targets.discovered++;
    else if (outcome.status === 'no_response') next.targets.noResponse++;
    else next.targets.failed++;
    for (const key of Object.keys(next.cis) as Array<keyof CiCounts>) next.cis[key] += outcome.cis[key];
  }
  return next;
}

/** Workflow ids of runs: `discovery/<run id>`; a scheduled run's id is Temporal's `<job>-<time>`. */
export const DISCOVERY_WORKFLOW_PREFIX = 'discovery/';
export const runIdOf = (workflowId: string) => workflowId.slice(DISCOVERY_WORKFLOW_PREFIX.length);
export const scheduleIdOf = (job: string) => `discovery:${job}`;
