import type { Level } from '../priority';
import type { TicketCommon } from './common';
import { bump, moveTo, note, openCommon } from './changes';
import { type Rules, stateRejection } from './rules';
import type { ActionContext } from './settings';

/** new → in_progress ⇄ on_hold(reason) → resolved → closed; cancel before resolve; reopen while resolved. */
export const INCIDENT_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const HOLD_REASONS = ['awaiting_caller', 'change', 'problem', 'vendor'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export interface Incident extends TicketCommon {
  kind: 'incident';
  state: IncidentState;
  holdReason: HoldReason | null;
  resolutionCode: string | null;
  resolutionNotes: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reopenCount: number;
  /** The major incident this one is a child of; it resolves with its parent. */
  parent: string | null;
  children: string[];
  /** The problem investigating its cause; resolving the problem may resolve this incident. */
  problem: string | null;
  /** The alert group that opened it (`alert-group/<key>`), told when work on it starts. Absent for incidents people opened. */
  alertGroup?: string;
}

export interface NewIncident {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category?: string | null;
  service?: string | null;
  affectedCis?: string[];
  assignmentGroup?: string | null;
  alertGroup?: string;
}

/** What agents (and, for reopen and cancel, callers) do to an incident. */
export type IncidentAction =
  | { type: 'start' }
  /** Awaiting-caller holds carry the question for the caller as a comment. */
  | { type: 'hold'; reason: HoldReason; comment?: string }
  | { type: 'resume' }
  | { type: 'resolve'; resolutionCode: string; resolutionNotes: string }
  | { type: 'close' }
  | { type: 'cancel'; reason: string }
  | { type: 'reopen'; reason: string }
  | { type: 'set_parent'; parent: string | null }
  | { type: 'link_problem'; problem: string | null };

/** Sent by other tickets' workflows, never by the API. */
export type IncidentSystemAction =
  | { type: 'cascade_resolve'; source: string; resolutionCode: string; resolutionNotes: string }
  | { type: 'child_linked'; child: string; linked: boolean };

const OPEN: readonly IncidentState[] = ['new', 'in_progress', 'on_hold'];

export const INCIDENT_RULES: Rules<IncidentState, (IncidentAction | IncidentSystemAction)['type']> = {
  start: { from: ['new'], to: 'in_progress' },
  hold: { from: ['in_progress'], to: 'on_hold' },
  resume: { from: ['on_hold'], to: 'in_progress' },
  resolve: { from: ['in_progress', 'on_hold'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  cancel: { from: OPEN, to: 'cancelled' },
  reopen: { from: ['resolved'], to: 'in_progress' },
  set_parent: { from: OPEN },
  link_problem: { from: [...OPEN, 'resolved'] },
  cascade_resolve: { from: OPEN, to: 'resolved' },
  child_linked: { from: [...OPEN, 'resolved', 'closed', 'cancelled'] },
};

export function openIncident(input: NewIncident, number: string, ctx: ActionContext): Incident {
  const incident: Incident = {
    ...openCommon(input, number, ctx),
    kind: 'incident',
    state: 'new',
    holdReason: null,
    resolutionCode: null,
    resolutionNotes: null,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
    parent: null,
    children: [],
    problem: null,
    ...(input.alertGroup && { alertGroup: input.alertGroup }),
  };
  return note(incident, ctx, 'created', `Incident opened with priority ${incident.priority}`);
}

export function incidentRejection(incident: Incident, action: IncidentAction | IncidentSystemAction, ctx: ActionContext): string | null {
  const byState = stateRejection(incident, action.type, INCIDENT_RULES);
  if (byState) return byState;
  switch (action.type) {
    case 'start':
      return incident.assignee ? null : `cannot start ${incident.number}: assign it to someone first`;
    case 'hold':
      return action.reason === 'awaiting_caller' && !action.comment?.trim()
        ? `cannot put ${incident.number} on hold awaiting the caller without a comment telling them what is needed`
        : null;
    case 'reopen': {
      const closesAt = Date.parse(incident.resolvedAt!) + ctx.settings.reopenWindowMs;
      return Date.parse(ctx.now) > closesAt ? `cannot reopen ${incident.number}: it was resolved more than ${days(ctx.settings.reopenWindowMs)} ago; open a new incident` : null;
    }
    case 'set_parent':
      if (action.parent === incident.number) return `${incident.number} cannot be its own parent`;
      if (action.parent === null && incident.parent === null) return `${incident.number} is not a child of any incident`;
      if (action.parent !== null && incident.children.length > 0) return `${incident.number} is a parent of ${incident.children.join(', ')} and cannot also be a child`;
      return null;
    case 'link_problem':
      return action.problem === null && incident.problem === null ? `${incident.number} is not linked to a problem` : null;
    default:
      return null;
  }
}

export function applyIncidentAction(incident: Incident, action: IncidentAction | IncidentSystemAction, ctx: ActionContext): Incident {
  const next = bump(incident, ctx);
  switch (action.type) {
    case 'start':
      return moveTo(next, 'in_progress', ctx);
    case 'hold': {
      const held = moveTo({ ...next, holdReason: action.reason }, 'on_hold', ctx, action.reason.replace('_', ' '));
      return action.comment?.trim() ? note(held, ctx, 'comment', action.comment.trim()) : held;
    }
    case 'resume':
      return moveTo({ ...next, holdReason: null }, 'in_progress', ctx);
    case 'resolve':
      return resolve(next, action.resolutionCode, action.resolutionNotes, ctx);
    case 'cascade_resolve':
      return resolve(next, action.resolutionCode, action.resolutionNotes, ctx, `resolved with ${action.source}`);
    case 'close':
      return moveTo({ ...next, closedAt: ctx.now }, 'closed', ctx);
    case 'cancel':
      return moveTo({ ...next, holdReason: null }, 'cancelled', ctx, action.reason);
    case 'reopen':
      return moveTo({ ...next, resolutionCode: null, resolutionNotes: null, resolvedAt: null, reopenCount: next.reopenCount + 1 }, 'in_progress', ctx, action.reason);
    case 'set_parent':
      return note({ ...next, parent: action.parent }, ctx, 'link', action.parent ? `Made a child of ${action.parent}` : `No longer a child of ${incident.parent}`);
    case 'link_problem':
      return note({ ...next, problem: action.problem }, ctx, 'link', action.problem ? `Linked to problem ${action.problem}` : `Unlinked from problem ${incident.problem}`);
    case 'child_linked': {
      const others = next.children.filter((child) => child !== action.child);
      return note({ ...next, children: action.linked ? [...others, action.child] : others }, ctx, 'link', `${action.child} ${action.linked ? 'is now a child' : 'is no longer a child'}`);
    }
  }
}

/**
 * A caller's reply to an incident waiting for them returns it to the agents: this is
 * what ServiceNow does with "Awaiting caller" and what callers expect.
 */
export function callerReplied(incident: Incident, workNote: boolean, ctx: ActionContext): Incident {
  if (incident.state !== 'on_hold' || incident.holdReason !== 'awaiting_caller' || workNote || ctx.actor !== incident.openedBy) return incident;
  return moveTo({ ...incident, holdReason: null }, 'in_progress', ctx, 'the caller replied');
}

function resolve(incident: Incident, code: string, notes: string, ctx: ActionContext, why?: string): Incident {
  return moveTo({ ...incident, holdReason: null, resolutionCode: code, resolutionNotes: notes, resolvedAt: ctx.now }, 'resolved', ctx, why);
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return Number.isInteger(d) ? `${d} day${d === 1 ? '' : 's'}` : `${Math.round(ms / 3_600_000)} hours`;
}
