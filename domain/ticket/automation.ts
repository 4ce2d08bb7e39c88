import type { TicketCommon } from './common';
import type { ActionContext } from './settings';

/**
 * A run of a runbook started for a ticket, as evidence on its timeline: when the run
 * ends (succeeded, failed, stopped or cancelled) its workflow reports it here, once.
 * docs/automation-triggers.md#from-a-ticket.
 */
export interface AutomationEvidence {
  runId: string;
  runbook: string;
  version: number;
  status: string;
  summary: string;
  /** Hosts per status at the end of the run. */
  hosts: Record<string, number>;
  /** Where the run, its hosts and outputs are read. */
  link: string;
}

/** Sent by a run's workflow, never by the API. */
export type AutomationResultAction = { type: 'automation_result'; evidence: AutomationEvidence };

/** A report of a run already on the timeline (a signal delivered twice) is not written again. */
export function evidenceRejection(ticket: TicketCommon, evidence: AutomationEvidence): string | null {
  return ticket.timeline.some((entry) => entry.kind === 'automation' && entry.run?.runId === evidence.runId) ? `${ticket.number} already has the result of run ${evidence.runId}` : null;
}

export function recordEvidence<T extends TicketCommon>(ticket: T, evidence: AutomationEvidence, { actor, now }: Pick<ActionContext, 'actor' | 'now'>): T {
  ticket.timeline.push({ at: now, actor, kind: 'automation', text: evidenceText(evidence), run: evidence });
  return ticket;
}

export function evidenceText(e: AutomationEvidence): string {
  const counts = Object.entries(e.hosts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.replace(/_/g, ' ')}`)
    .join(', ');
  return `Run ${e.runId} of ${e.runbook} v${e.version} ${e.status}: ${e.summary}${counts ? ` (hosts: ${counts})` : ''}`;
}
