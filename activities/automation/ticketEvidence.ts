import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { AutomationEvidence } from '../../domain/ticket/automation';
import { ticketWorkflowId } from '../../domain/ticketNumber';
import { findRun, hostCounts } from '../../store/automation/runs';
import { automationResultSignal } from '../../workflows/ticket';

export type EvidenceReport = 'reported' | 'no_ticket' | 'ticket_closed';

/**
 * A run started for a ticket writes its result to the ticket's timeline when it ends:
 * the run workflow calls `reportRunToTicket` after finishing (also when it failed or was
 * cancelled), which signals the ticket's workflow; the ticket workflow applies it as an
 * `automation` timeline entry and stores it like every other change. A signal delivered
 * twice is dropped by the ticket (one entry per run). A ticket already closed takes no
 * more evidence: its run keeps the link (`trigger.ref`).
 */
export function createTicketEvidenceActivities(db: Connection, temporal: Client, publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    async reportRunToTicket(runId: string): Promise<EvidenceReport> {
      const run = await findRun(db, runId);
      if (!run || run.trigger.type !== 'ticket' || !run.trigger.ref) return 'no_ticket';
      const evidence: AutomationEvidence = {
        runId,
        runbook: run.runbook.id,
        version: run.runbook.version,
        status: run.status,
        summary: run.summary ?? '',
        hosts: await hostCounts(db, runId),
        link: `${base}/api/v1/automation/runs/${runId}`,
      };
      try {
        await temporal.workflow.getHandle(ticketWorkflowId(run.trigger.ref)).signal(automationResultSignal, evidence);
        return 'reported';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return 'ticket_closed';
        throw error;
      }
    },
  };
}
