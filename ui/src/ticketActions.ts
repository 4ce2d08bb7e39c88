import type { Me, Ticket } from './api';
import { DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { type Ticket as DomainTicket, type TicketAction, ticketRejection } from '../../domain/ticket/ticket';

export type { TicketAction } from '../../domain/ticket/ticket';

/** Actions that work a ticket: the API asks for 'ticket.act' (agents). */
const AGENT_ACTIONS: ReadonlySet<TicketAction['type']> = new Set(['assign', 'update', 'start', 'hold', 'resume', 'resolve', 'close', 'set_parent', 'link_problem', 'assign_task', 'complete_task', 'analyse']);

export function isAgent(me: Me): boolean {
  return me.permissions.includes('ticket.act');
}

/** Whether the API lets `me` ask for the action at all (the same rules as api/routes/tickets.ts). */
function mayRequest(me: Me, ticket: Ticket, type: TicketAction['type']): boolean {
  if (AGENT_ACTIONS.has(type)) return isAgent(me);
  if (type === 'decide' || type === 'delegate') return me.permissions.includes('approval.decide');
  if (type === 'publish_known_error') return me.permissions.includes('problem.manage');
  // Callers cancel and reopen what they opened; agents any ticket they see.
  if (type === 'cancel' || type === 'reopen') return isAgent(me) || ticket.openedBy === me.user.username;
  return true;
}

/**
 * Why the ticket's rules refuse `action` now (the very function its workflow runs), or null.
 * The server has the last word (settings such as the reopen window may differ), but the UI
 * offers only what can succeed.
 */
function rejectionOf(ticket: Ticket, action: TicketAction, actor: string): string | null {
  const { sla: _sla, ...fields } = ticket;
  const domain = { ...fields, slas: [] } as unknown as DomainTicket;
  return ticketRejection(domain, action, { actor, now: new Date().toISOString(), settings: DEFAULT_SETTINGS });
}

/** Whether `me` may ask for `action` and the ticket's rules accept it now. */
export function canDo(me: Me, ticket: Ticket, action: TicketAction): boolean {
  return mayRequest(me, ticket, action.type) && rejectionOf(ticket, action, me.user.username) === null;
}

type SampledType = Exclude<TicketAction['type'], 'assign_task' | 'complete_task'>;

/** A representative action of a type, with its fields filled, to ask "is this offered now?". */
function sampleOf(type: SampledType, actor: string): TicketAction {
  switch (type) {
    case 'assign':
      return { type, assignee: actor };
    case 'comment':
      return { type, text: '·', workNote: false };
    case 'update':
      return { type, changes: {} };
    case 'watch':
      return { type, watching: true };
    case 'hold':
      return { type, reason: 'vendor' };
    case 'resolve':
      return { type, resolutionCode: '·', resolutionNotes: '·', resolveIncidents: false };
    case 'cancel':
    case 'reopen':
      return { type, reason: '·' };
    case 'set_parent':
      return { type, parent: 'INC0000000' };
    case 'link_problem':
      return { type, problem: 'PRB0000000' };
    case 'decide':
      return { type, decision: 'approve', comment: '' };
    case 'delegate':
      return { type, from: actor, to: '\u0000' };
    default:
      // start, resume, close, analyse, publish_known_error: no fields needed to decide.
      return { type };
  }
}

/** Whether the action (with representative fields) is offered to `me` on the ticket now. */
export function offered(me: Me, ticket: Ticket, type: SampledType): boolean {
  return canDo(me, ticket, sampleOf(type, me.user.username));
}
