import { pendingApprovers } from '../approval';
import type { TicketEvent, TicketEventType, TicketSnapshot } from '../notification/event';
import type { Ticket } from './ticket';

type Detail = TicketEvent['detail'];

export function snapshotOf(ticket: Ticket): TicketSnapshot {
  const { number, kind, title, priority, state, assignmentGroup, assignee, openedBy, watchers } = ticket;
  return { number, kind, title, priority, state, assignmentGroup, assignee, openedBy, watchers };
}

export function ticketEvent(ticket: Ticket, type: TicketEventType, actor: string, at: string, detail: Detail = {}, extra?: string): TicketEvent {
  return { id: `${ticket.number}/${ticket.version}/${type}${extra ? `/${extra}` : ''}`, type, at, actor, ticket: snapshotOf(ticket), detail };
}

/**
 * What is worth announcing about the step from `before` to `after` (null before: the
 * ticket was just opened). Derived from the change itself, so every path that changes a
 * ticket (agent, caller, rule, SLA, cascade) announces the same way.
 */
export function eventsBetween(before: Ticket | null, after: Ticket, actor: string): TicketEvent[] {
  const at = after.updatedAt;
  const event = (type: TicketEventType, detail?: Detail, extra?: string) => ticketEvent(after, type, actor, at, detail, extra);
  const events: TicketEvent[] = [];
  if (!before) events.push(event('created'));
  if (before && (before.assignee !== after.assignee || before.assignmentGroup !== after.assignmentGroup) && (after.assignee || after.assignmentGroup)) {
    events.push(event('assigned', { group: after.assignmentGroup, assignee: after.assignee }));
  }
  const added = after.timeline.slice(before?.timeline.length ?? after.timeline.length);
  added.filter((entry) => entry.kind === 'comment').forEach((entry, i) => events.push(event('commented', { text: entry.text }, String(i))));
  if (before && before.state !== after.state) {
    events.push(event('state_changed', { from: before.state, to: after.state }));
    if (after.state === 'resolved' || after.state === 'fulfilled') events.push(event('resolved'));
  }
  events.push(...approvalEvents(before, after, event));
  return events;
}

function approvalEvents(before: Ticket | null, after: Ticket, event: (type: TicketEventType, detail?: Detail, extra?: string) => TicketEvent): TicketEvent[] {
  if (after.kind !== 'request' || !after.approval) return [];
  const earlier = before?.kind === 'request' && before.approval ? before.approval : null;
  const events: TicketEvent[] = [];
  const waitingBefore = new Set(earlier ? pendingApprovers(earlier) : []);
  const newlyAsked = pendingApprovers(after.approval).filter((user) => !waitingBefore.has(user));
  if (newlyAsked.length > 0) events.push(event('approval_requested', { recipients: newlyAsked }));
  if (after.approval.outcome !== 'pending' && earlier?.outcome === 'pending') {
    events.push(event('approval_decided', { decision: after.approval.outcome }));
  }
  return events;
}
