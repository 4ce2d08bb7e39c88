import type { Connection } from 'mongoose';
import { chooseAssignment } from '../domain/assignment';
import { slaDisplay } from '../domain/sla/ticketSla';
import { ticketDiff } from '../domain/ticket/audit';
import type { RoutingAction, Ticket } from '../domain/ticket/ticket';
import { ticketWorkflowId } from '../domain/ticketNumber';
import type { Catalog } from '../runtime/catalog';
import { appendAudit } from '../store/audit';
import { openLoadOf } from '../store/ticketLoad';
import { ticketModel, toDocument } from '../store/tickets';
import type { TicketRules } from '../workflows/ticket';

const DUPLICATE_KEY = 11000;

export function createTicketActivities(db: Connection, catalog: Catalog) {
  const tickets = ticketModel(db);
  return {
    /**
     * Upserts the ticket projection unless a newer version is already stored.
     * Idempotent: a retried or late write of an older version changes nothing.
     */
    async persistTicket(ticket: Ticket): Promise<'written' | 'stale'> {
      const { _id, ...fields } = toDocument(ticket, earliestDue(ticket, catalog));
      try {
        const result = await tickets.updateOne({ _id, version: { $lt: ticket.version } }, { $set: fields }, { upsert: true }).exec();
        return result.matchedCount + result.upsertedCount > 0 ? 'written' : 'stale';
      } catch (error) {
        // The filter missed because the stored version is newer, so the upsert hit the existing _id.
        if ((error as { code?: number }).code === DUPLICATE_KEY) return 'stale';
        throw error;
      }
    },

    /**
     * Records in the audit trail a change the workflow made by itself (no person's request
     * carried it). A retry after a lost reply may record it twice; the chain stays valid.
     */
    async auditTicketChange({ before, after, action, actor }: { before: Ticket; after: Ticket; action: string; actor: string }): Promise<void> {
      const workflowId = ticketWorkflowId(after.number);
      await appendAudit(db, { action, actor: { type: 'workflow', id: workflowId, name: actor }, target: { type: after.kind, id: after.number }, diff: ticketDiff(before, after), outcome: 'success' });
    },

    /** The catalog rules a ticket workflow runs by, read when it starts. */
    async ticketRules(): Promise<TicketRules> {
      return { settings: catalog.settings, sla: catalog.sla };
    },

    /** The assignment rules' choice for a new ticket, with the group members' open work for load-aware picks. */
    async routeTicket(ticket: Ticket): Promise<RoutingAction | null> {
      const view = { ...ticket, affectedCiOwnerGroups: [] };
      const candidates = chooseAssignment(view, catalog.assignment, () => []);
      if (!candidates) return null;
      const load = candidates.assignee === null && usesLoad(catalog, candidates.rule) ? await openLoadOf(db, candidates.group) : [];
      const choice = load.length > 0 ? chooseAssignment(view, catalog.assignment, () => load) : candidates;
      return choice && { type: 'route', group: choice.group, assignee: choice.assignee, source: 'rule', rule: choice.rule };
    },
  };
}

function usesLoad(catalog: Catalog, rule: string): boolean {
  return catalog.assignment.find((r) => r.name === rule)?.assign.assignee === 'least_loaded';
}

/** The earliest due time among the ticket's running SLAs, for "breaching soon" ordering. */
function earliestDue(ticket: Ticket, catalog: Catalog): string | null {
  const now = new Date().toISOString();
  const due = ticket.slas
    .filter((sla) => sla.clock.stage === 'in_progress' || sla.clock.stage === 'paused')
    .map((sla) => slaDisplay(sla, catalog.sla, now).dueAt)
    .sort();
  return due[0] ?? null;
}
