import { type Level, type Priority, priorityOf } from './priority';

/** The walking-skeleton incident lifecycle: new → in_progress → resolved → closed. */
export const INCIDENT_STATES = ['new', 'in_progress', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_ACTIONS = ['assign', 'start', 'resolve', 'close', 'comment'] as const;
export type IncidentActionType = (typeof INCIDENT_ACTIONS)[number];

export type IncidentAction =
  | { type: 'assign'; assignee: string }
  | { type: 'start' }
  | { type: 'resolve'; resolutionCode: string; resolutionNotes: string }
  | { type: 'close' }
  /** A comment the caller sees, or a work note only agents see. */
  | { type: 'comment'; text: string; workNote: boolean };

export interface TimelineEntry {
  at: string;
  actor: string;
  kind: 'created' | 'assigned' | 'state_changed' | 'comment' | 'work_note';
  text: string;
  from?: IncidentState;
  to?: IncidentState;
}

export interface Incident {
  number: string;
  kind: 'incident';
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  state: IncidentState;
  /** The assignment group whose members work it; null until routed. */
  assignmentGroup: string | null;
  assignee: string | null;
  /** Who opened it: a requester always sees what they opened. */
  openedBy: string;
  resolutionCode: string | null;
  resolutionNotes: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  /** Incremented by every applied action; guards projection writes and If-Match. */
  version: number;
  timeline: TimelineEntry[];
}

export interface NewIncident {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  assignmentGroup?: string | null;
}

/** Why an action cannot be applied: the API turns this into a 409 with this text. */
export class TransitionRejected extends Error {
  override readonly name = 'TransitionRejected';
}

export function openIncident(input: NewIncident, number: string, actor: string, now: string): Incident {
  return {
    number,
    kind: 'incident',
    title: input.title,
    description: input.description,
    impact: input.impact,
    urgency: input.urgency,
    priority: priorityOf(input.impact, input.urgency),
    state: 'new',
    assignmentGroup: input.assignmentGroup ?? null,
    assignee: null,
    openedBy: actor,
    resolutionCode: null,
    resolutionNotes: null,
    createdAt: now,
    updatedAt: now,
    resolvedAt: null,
    closedAt: null,
    version: 1,
    timeline: [{ at: now, actor, kind: 'created', text: `Incident opened with priority ${priorityOf(input.impact, input.urgency)}` }],
  };
}

/** Which states each action may start from, and where it leads (undefined: state unchanged). */
const RULES: Record<IncidentActionType, { from: readonly IncidentState[]; to?: IncidentState }> = {
  assign: { from: ['new', 'in_progress'] },
  start: { from: ['new'], to: 'in_progress' },
  resolve: { from: ['in_progress'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  comment: { from: ['new', 'in_progress', 'resolved'] },
};

/** Returns why `action` is not allowed on `incident` now, or null when it is. */
export function rejectionOf(incident: Incident, action: IncidentAction): string | null {
  const rule = RULES[action.type];
  if (!rule.from.includes(incident.state)) {
    const allowed = rule.from.map((s) => `'${s}'`).join(' or ');
    return `cannot ${action.type} ${incident.number}: it is '${incident.state}', and ${action.type} needs ${allowed}`;
  }
  if (action.type === 'start' && !incident.assignee) {
    return `cannot start ${incident.number}: assign it to someone first`;
  }
  return null;
}

/** Applies an allowed action, returning the next incident (the input is not modified). */
export function applyAction(incident: Incident, action: IncidentAction, actor: string, now: string): Incident {
  const rejection = rejectionOf(incident, action);
  if (rejection) throw new TransitionRejected(rejection);
  const next: Incident = { ...incident, updatedAt: now, version: incident.version + 1, timeline: [...incident.timeline] };
  switch (action.type) {
    case 'assign':
      next.assignee = action.assignee;
      next.timeline.push({ at: now, actor, kind: 'assigned', text: `Assigned to ${action.assignee}` });
      return next;
    case 'resolve':
      next.resolutionCode = action.resolutionCode;
      next.resolutionNotes = action.resolutionNotes;
      next.resolvedAt = now;
      return moveTo(next, 'resolved', actor, now);
    case 'start':
      return moveTo(next, 'in_progress', actor, now);
    case 'close':
      next.closedAt = now;
      return moveTo(next, 'closed', actor, now);
    case 'comment':
      next.timeline.push({ at: now, actor, kind: action.workNote ? 'work_note' : 'comment', text: action.text });
      return next;
  }
}

function moveTo(incident: Incident, to: IncidentState, actor: string, now: string): Incident {
  const from = incident.state;
  incident.timeline.push({ at: now, actor, kind: 'state_changed', from, to, text: `State changed from ${from} to ${to}` });
  return { ...incident, state: to };
}

export function isFinal(incident: Incident): boolean {
  return incident.state === 'closed';
}

/** What a caller may see: all incidents, or those of their groups and those they opened. */
export interface IncidentScope {
  all: boolean;
  username: string;
  groups: readonly string[];
}

export function isVisible(incident: Pick<Incident, 'assignmentGroup' | 'openedBy'>, scope: IncidentScope): boolean {
  if (scope.all || incident.openedBy === scope.username) return true;
  return incident.assignmentGroup !== null && scope.groups.includes(incident.assignmentGroup);
}

/** The incident as someone who may not see work notes (a requester) is shown it. */
export function withoutWorkNotes(incident: Incident): Incident {
  return { ...incident, timeline: incident.timeline.filter((entry) => entry.kind !== 'work_note') };
}
