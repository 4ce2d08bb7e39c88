import { type AutomationResultAction, evidenceRejection, recordEvidence } from './automation';
import { type AssignmentSource, TransitionRejected } from './common';
import { assignTo, bump, changeFields, comment, setWatching, type TicketFieldChanges } from './changes';
import { applyIncidentAction, callerReplied, type Incident, type IncidentAction, incidentRejection, type IncidentSystemAction } from './incident';
import { applyProblemAction, type Problem, type ProblemAction, problemRejection, type ProblemSystemAction } from './problem';
import { applyRequestAction, type RequestAction, requestRejection, type RequestSystemAction, type ServiceRequest } from './request';
import type { ActionContext } from './settings';

export type Ticket = Incident | ServiceRequest | Problem;

/** What any ticket accepts, whatever its kind. */
export type CommonAction =
  | { type: 'assign'; group?: string | null; assignee?: string | null }
  | { type: 'comment'; text: string; workNote: boolean }
  | { type: 'update'; changes: TicketFieldChanges }
  | { type: 'watch'; watching: boolean };

/** Routing by an assignment rule or an SLA escalation: never sent by the API. */
export type RoutingAction = { type: 'route'; group: string; assignee: string | null; source: Exclude<AssignmentSource, 'manual'>; rule?: string };

export type TicketAction = CommonAction | IncidentAction | RequestAction | ProblemAction;
export type SystemAction = RoutingAction | AutomationResultAction | IncidentSystemAction | RequestSystemAction | ProblemSystemAction;
export type AnyAction = TicketAction | SystemAction;

/** States after which a ticket takes no more actions. */
export const FINAL_STATES = ['closed', 'cancelled', 'rejected'] as const;
/** States in which nobody works the ticket any more, though it may still be reopened or closed. */
export const DONE_STATES = ['resolved', 'fulfilled', ...FINAL_STATES] as const;

export function isFinal(ticket: Ticket): boolean {
  return (FINAL_STATES as readonly string[]).includes(ticket.state);
}

export function isOpen(ticket: Pick<Ticket, 'state'>): boolean {
  return !(DONE_STATES as readonly string[]).includes(ticket.state);
}

const COMMON_TYPES = new Set(['assign', 'comment', 'update', 'watch', 'route', 'automation_result']);

/** Why `action` cannot be applied to `ticket` now, or null when it can. */
export function ticketRejection(ticket: Ticket, action: AnyAction, ctx: ActionContext): string | null {
  if (isFinal(ticket)) return `${ticket.number} is ${ticket.state} and accepts no more actions`;
  if (COMMON_TYPES.has(action.type)) return commonRejection(ticket, action as CommonAction | RoutingAction | AutomationResultAction);
  switch (ticket.kind) {
    case 'incident':
      return incidentRejection(ticket, action as IncidentAction | IncidentSystemAction, ctx);
    case 'request':
      return requestRejection(ticket, action as RequestAction | RequestSystemAction, ctx);
    case 'problem':
      return problemRejection(ticket, action as ProblemAction | ProblemSystemAction);
  }
}

function commonRejection(ticket: Ticket, action: CommonAction | RoutingAction | AutomationResultAction): string | null {
  // Evidence is taken in any state before the final ones, a resolved ticket's too.
  if (action.type === 'automation_result') return evidenceRejection(ticket, action.evidence);
  if ((action.type === 'assign' || action.type === 'update' || action.type === 'route') && !isOpen(ticket)) {
    // Only incidents can be reopened; other kinds are done for good once resolved or fulfilled.
    return `cannot ${action.type} ${ticket.number}: it is '${ticket.state}'${ticket.kind === 'incident' ? '; reopen it first' : ''}`;
  }
  if (action.type === 'assign' && action.group === undefined && action.assignee === undefined) return 'name a group, an assignee or both';
  if (action.type === 'route' && ticket.assignmentSource === 'manual') return `${ticket.number} was assigned by hand; rules do not override that`;
  return null;
}

/** Applies an allowed action, returning the next ticket (the input is not modified). */
export function applyTicketAction(ticket: Ticket, action: AnyAction, ctx: ActionContext): Ticket {
  const rejection = ticketRejection(ticket, action, ctx);
  if (rejection) throw new TransitionRejected(rejection);
  switch (action.type) {
    case 'assign':
      return assignTo(bump(ticket, ctx), { group: action.group, assignee: action.assignee }, 'manual', ctx);
    case 'route':
      return assignTo(bump(ticket, ctx), { group: action.group, assignee: action.assignee }, action.source, ctx, action.rule);
    case 'comment': {
      const commented = comment(bump(ticket, ctx), action.text, action.workNote, ctx);
      return commented.kind === 'incident' ? callerReplied(commented, action.workNote, ctx) : commented;
    }
    case 'update':
      return changeFields(bump(ticket, ctx), action.changes, ctx);
    case 'watch':
      return setWatching(bump(ticket, ctx), action.watching, ctx);
    case 'automation_result':
      return recordEvidence(bump(ticket, ctx), action.evidence, ctx);
  }
  switch (ticket.kind) {
    case 'incident':
      return applyIncidentAction(ticket, action as IncidentAction | IncidentSystemAction, ctx);
    case 'request':
      return applyRequestAction(ticket, action as RequestAction | RequestSystemAction, ctx);
    case 'problem':
      return applyProblemAction(ticket, action as ProblemAction | ProblemSystemAction, ctx);
  }
}

/** What a caller may see: all tickets, or those of their groups, those they opened, watch or were asked to approve. */
export interface TicketScope {
  all: boolean;
  username: string;
  groups: readonly string[];
}

/** Everyone ever asked to approve a request (and their delegates): they keep seeing what they decided. */
export function approversOf(ticket: Ticket): string[] {
  if (ticket.kind !== 'request' || !ticket.approval) return [];
  const people = ticket.approval.levels.flatMap((level) => level.approvers.flatMap((a) => (a.delegatedTo ? [a.user, a.delegatedTo] : [a.user])));
  return [...new Set(people)];
}

/** The groups working on a ticket: its assignment group and, for requests, each fulfilment task's group. */
export function workingGroupsOf(ticket: Ticket): string[] {
  const groups = ticket.kind === 'request' ? ticket.tasks.map((task) => task.group) : [];
  return [...new Set([...(ticket.assignmentGroup ? [ticket.assignmentGroup] : []), ...groups])];
}

/** What deciding visibility needs; the store keeps `participants` and `workingGroups` for listings. */
export interface Visibility {
  openedBy: string;
  watchers: readonly string[];
  assignmentGroup: string | null;
  participants?: readonly string[];
  workingGroups?: readonly string[];
}

export function visibilityOf(ticket: Ticket): Visibility {
  return { openedBy: ticket.openedBy, watchers: ticket.watchers, assignmentGroup: ticket.assignmentGroup, participants: approversOf(ticket), workingGroups: workingGroupsOf(ticket) };
}

export function isVisible(ticket: Visibility, scope: TicketScope): boolean {
  if (scope.all || ticket.openedBy === scope.username || ticket.watchers.includes(scope.username)) return true;
  if (ticket.participants?.includes(scope.username)) return true;
  const groups = ticket.workingGroups ?? (ticket.assignmentGroup ? [ticket.assignmentGroup] : []);
  return groups.some((group) => scope.groups.includes(group));
}

/** The ticket as someone who may not see work notes (a requester) is shown it: without them and without automation evidence (host names, run outputs). */
export function withoutWorkNotes<T extends Ticket>(ticket: T): T {
  return { ...ticket, timeline: ticket.timeline.filter((entry) => entry.kind !== 'work_note' && entry.kind !== 'automation') };
}
