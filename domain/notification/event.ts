import type { Priority } from '../priority';
import type { TicketKind } from '../ticketNumber';

/** Everything that can be announced about a ticket; each has a template in catalog/templates/<type>/. */
export const TICKET_EVENT_TYPES = [
  'created',
  'assigned',
  'commented',
  'state_changed',
  'resolved',
  'sla_warning',
  'sla_breach',
  'approval_requested',
  'approval_decided',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** The ticket as an announcement shows it: enough to render templates and pick recipients. */
export interface TicketSnapshot {
  number: string;
  kind: TicketKind;
  title: string;
  priority: Priority;
  state: string;
  assignmentGroup: string | null;
  assignee: string | null;
  openedBy: string;
  watchers: string[];
}

/**
 * Something that happened to a ticket, produced by the ticket workflow and delivered by
 * the notification workflow. `id` is stable (`<number>/<version>/<type>[/<extra>]`), so a
 * retried or replayed delivery is recognisable and delivered once per recipient.
 */
export interface TicketEvent {
  id: string;
  type: TicketEventType;
  at: string;
  actor: string;
  ticket: TicketSnapshot;
  /**
   * Event-specific facts for templates, e.g. { from, to } for state_changed, { text } for
   * commented (comments only: work notes are never announced to requesters),
   * { sla, ratio, dueAt } for SLA events, { approvers, decision, comment } for approvals.
   * For approval_requested, `recipients` lists the approvers who must decide.
   */
  detail: Record<string, string | number | boolean | null | string[]>;
}
