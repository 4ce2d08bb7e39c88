import type { Connection } from 'mongoose';
import { chooseAssignment } from '../domain/assignment';
import { slaDisplay } from '../domain/sla/ticketSla';
import { ticketDiff } from '../domain/ticket/audit';
import type { RoutingAction, Ticket } from '../domain/ticket/ticket';
import { ticketWorkflowId } from '../domain/ticketNumber';
import type { Catalog } from '../runtime/catalog';
import { appendAudit } from '../store/audit';
import { groupModel } from '../store/groups';
import { openAssignedCounts, summaryOf, upsertQueueEntry } from '../store/ticketQueue';
import { type TicketDocument, ticketModel, toDocument } from '../store/tickets';
import type { TicketRules } from '../workflows/ticket';

const DUPLICATE_KEY = 11000;

export function createTicketActivities(db: Connection, catalog: Catalog) {
  const tickets = ticketModel(db).collection;

  /** 'same_stored': this version is there already (a retry whose first reply was lost). */
  async function writeIfNewer(document: TicketDocument): Promise<'written' | 'same_stored' | 'newer_stored'> {
    const stored = await tickets.findOne({ _id: document._id as never }, { projection: { version: 1 } });
    if (stored && stored.version >= document.version) return stored.version === document.version ? 'same_stored' : 'newer_stored';
    if (stored) {
      await tickets.replaceOne({ _id: document._id as never }, document);
      return 'written';
    }
    try {
      await tickets.insertOne(document as never);
      return 'written';
    } catch (error) {
      // Another attempt inserted it first: decide again against what it wrote.
      if ((error as { code?: number }).code === DUPLICATE_KEY) return writeIfNewer(document);
      throw error;
    }
  }

  /** Each member of the group with their open assigned tickets, from the queue index (never a scan of every ticket). */
  async function openLoadOf(group: string) {
    const found = await groupModel(db).findById(group).lean<{ members: string[] }>().exec();
    return openAssignedCounts(db, found?.members ?? []);
  }

  return {
    /**
     * Writes the ticket projection unless a newer version is already stored, then records
     * the version for the queues. Idempotent: a retried or late write of an older version
     * changes nothing. Every store call filters by `_id` alone, the one filter the embedded
     * FerretDB answers from an index (docs/adr/003-queue-listing.md); the version check is
     * therefore read-then-write, which is safe because the ticket's workflow is its only
     * writer and awaits each write.
     */
    async persistTicket(ticket: Ticket): Promise<'written' | 'stale'> {
      const document = toDocument(ticket, earliestDue(ticket, catalog));
      const outcome = await writeIfNewer(document);
      if (outcome !== 'newer_stored') await upsertQueueEntry(db, summaryOf(document));
      return outcome === 'written' ? 'written' : 'stale';
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
      const load = candidates.assignee === null && usesLoad(catalog, candidates.rule) ? await openLoadOf(candidates.group) : [];
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
