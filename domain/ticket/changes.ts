import { type Level, priorityOf, raised } from '../priority';
import type { AssignmentSource, TicketCommon, TimelineEntry } from './common';
import type { ActionContext } from './settings';

/**
 * The changes every ticket kind shares. Each takes the ticket after `bump` (a fresh copy
 * with its own timeline array) and may modify that copy.
 */

/** A copy one version later, ready to be changed. */
export function bump<T extends TicketCommon>(ticket: T, { now }: Pick<ActionContext, 'now'>): T {
  return { ...ticket, updatedAt: now, version: ticket.version + 1, timeline: [...ticket.timeline] };
}

export function note<T extends TicketCommon>(ticket: T, { actor, now }: Pick<ActionContext, 'actor' | 'now'>, kind: TimelineEntry['kind'], text: string): T {
  ticket.timeline.push({ at: now, actor, kind, text });
  return ticket;
}

export function moveTo<T extends TicketCommon>(ticket: T, to: T['state'], { actor, now }: Pick<ActionContext, 'actor' | 'now'>, why?: string): T {
  const from = ticket.state;
  ticket.timeline.push({ at: now, actor, kind: 'state_changed', from, to, text: `State changed from ${from} to ${to}${why ? `: ${why}` : ''}` });
  return { ...ticket, state: to };
}

/**
 * Routes the ticket to a group and/or person. A new group without a named person clears
 * the assignee (they may not work in it). A reassignment is a move away from a group or
 * person already routed to: taking a ticket from one's own group's queue is not one.
 */
export function assignTo<T extends TicketCommon>(
  ticket: T,
  target: { group?: string | null; assignee?: string | null },
  source: AssignmentSource,
  ctx: Pick<ActionContext, 'actor' | 'now'>,
  rule?: string,
): T {
  const group = target.group === undefined ? ticket.assignmentGroup : target.group;
  const groupChanged = group !== ticket.assignmentGroup;
  const assignee = target.assignee !== undefined ? target.assignee : groupChanged ? null : ticket.assignee;
  const moved = (ticket.assignmentGroup !== null && groupChanged) || (ticket.assignee !== null && assignee !== ticket.assignee);
  const record = { at: ctx.now, actor: ctx.actor, group, assignee, source, ...(rule && { rule }) };
  const by = source === 'rule' ? ` by rule '${rule}'` : source === 'sla' ? ' by SLA escalation' : '';
  const who = [group && `group ${group}`, assignee].filter(Boolean).join(', ') || 'nobody';
  ticket.timeline.push({ at: ctx.now, actor: ctx.actor, kind: 'assigned', text: `Assigned to ${who}${by}` });
  return {
    ...ticket,
    assignmentGroup: group,
    assignee,
    assignmentSource: source,
    assignments: [...ticket.assignments, record],
    reassignmentCount: ticket.reassignmentCount + (moved ? 1 : 0),
  };
}

export function comment<T extends TicketCommon>(ticket: T, text: string, workNote: boolean, ctx: Pick<ActionContext, 'actor' | 'now'>): T {
  return note(ticket, ctx, workNote ? 'work_note' : 'comment', text);
}

/** The fields an agent may correct after opening; the priority follows impact and urgency. */
export interface TicketFieldChanges {
  title?: string;
  description?: string;
  impact?: Level;
  urgency?: Level;
  category?: string | null;
  service?: string | null;
  affectedCis?: string[];
}

export function changeFields<T extends TicketCommon>(ticket: T, changes: TicketFieldChanges, ctx: ActionContext): T {
  const next = { ...ticket, ...definedOnly(changes) };
  const named = Object.keys(definedOnly(changes));
  if (named.length > 0) note(next, ctx, 'work_note', `Updated ${named.join(', ')}`);
  return withPriority(next, ctx);
}

/** Recomputes the priority from impact, urgency and any SLA boost; records a change. */
export function withPriority<T extends TicketCommon>(ticket: T, ctx: ActionContext): T {
  const priority = raised(priorityOf(ticket.impact, ticket.urgency, ctx.settings.priorityMatrix), ticket.priorityBoost);
  if (priority === ticket.priority) return ticket;
  ticket.timeline.push({ at: ctx.now, actor: ctx.actor, kind: 'priority_changed', from: ticket.priority, to: priority, text: `Priority changed from ${ticket.priority} to ${priority}` });
  return { ...ticket, priority };
}

export function setWatching<T extends TicketCommon>(ticket: T, watching: boolean, { actor }: Pick<ActionContext, 'actor'>): T {
  const others = ticket.watchers.filter((user) => user !== actor);
  return { ...ticket, watchers: watching ? [...others, actor] : others };
}

function definedOnly(changes: TicketFieldChanges): Partial<TicketFieldChanges> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

/** The common part of a new ticket at version 1. */
export function openCommon(
  input: { title: string; description: string; impact: Level; urgency: Level; category?: string | null; service?: string | null; affectedCis?: string[]; assignmentGroup?: string | null },
  number: string,
  ctx: ActionContext,
): Omit<TicketCommon, 'kind' | 'state'> {
  const priority = priorityOf(input.impact, input.urgency, ctx.settings.priorityMatrix);
  const group = input.assignmentGroup ?? null;
  return {
    number,
    title: input.title,
    description: input.description,
    category: input.category ?? null,
    service: input.service ?? null,
    affectedCis: input.affectedCis ?? [],
    impact: input.impact,
    urgency: input.urgency,
    priority,
    priorityBoost: 0,
    assignmentGroup: group,
    assignee: null,
    // A group chosen by the person opening the ticket is a manual routing: rules keep off it.
    assignmentSource: group ? 'manual' : null,
    assignments: group ? [{ at: ctx.now, actor: ctx.actor, group, assignee: null, source: 'manual' }] : [],
    reassignmentCount: 0,
    openedBy: ctx.actor,
    watchers: [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 1,
    timeline: [],
    slas: [],
  };
}
