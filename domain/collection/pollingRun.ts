/**
 * One run of a polling job: its targets as resolved from the CMDB when it started, what
 * each device's poll came to, and the run's counts. Shared by the workflow (which adds the
 * outcomes up), the activities and the API.
 */

import type { MetricSet } from './metrics';
import type { PollStatus } from './reading';

/** One device to poll, as the CMDB described it when the run started. */
export interface PollTarget {
  seq: number;
  ciId: string;
  name: string;
  /** primary_ip; null: the CI has none, and is reported, not polled. */
  address: string | null;
  /** The zone whose workers poll it (`flowdesk-automation-<zone>`). */
  zone: string;
  /** The CI's snmp_credential, else the job's; null: none to poll with. */
  credential: string | null;
  /** The threshold rules whose `cis` take this CI (resolved once per run, not per sample). */
  rules: string[];
}

/** What a device's poll needs besides the target: the job's metric sets, port and timeout. */
export interface PollRequest {
  metrics: MetricSet[];
  port: number;
  timeoutMs: number;
}

export interface TargetOutcome {
  status: PollStatus;
  samples: number;
  /** Threshold crossings this poll sent to the alert pipeline (fired or resolved). */
  crossings: number;
  error?: string;
}

export interface PollCounts {
  targets: number;
  done: number;
  ok: number;
  unreachable: number;
  failed: number;
  samples: number;
  crossings: number;
}

/** A device whose poll did not succeed, for the run's report (the first few). */
export interface PollProblem {
  ciId: string;
  name: string;
  status: Exclude<PollStatus, 'ok'>;
  error: string;
}

export const MAX_REPORTED_PROBLEMS = 50;

export const noCounts = (targets: number): PollCounts => ({ targets, done: 0, ok: 0, unreachable: 0, failed: 0, samples: 0, crossings: 0 });

export function addOutcomes(counts: PollCounts, outcomes: readonly TargetOutcome[]): PollCounts {
  const next = { ...counts };
  for (const o of outcomes) {
    next.done += 1;
    next[o.status] += 1;
    next.samples += o.samples;
    next.crossings += o.crossings;
  }
  return next;
}

/** The problems of a page, for the report: the devices that did not answer or failed. */
export function problemsOf(targets: readonly PollTarget[], outcomes: readonly TargetOutcome[]): PollProblem[] {
  return outcomes.flatMap((o, i) => (o.status === 'ok' ? [] : [{ ciId: targets[i]!.ciId, name: targets[i]!.name, status: o.status, error: o.error ?? o.status }]));
}
