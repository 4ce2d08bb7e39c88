import type { Level } from '../priority';
import type { TicketCommon } from './common';
import { bump, moveTo, note, openCommon } from './changes';
import { type Rules, stateRejection } from './rules';
import type { ActionContext } from './settings';

/** new → in_progress (root-cause analysis) → known_error → resolved → closed; cancel before resolve. */
export const PROBLEM_STATES = ['new', 'in_progress', 'known_error', 'resolved', 'closed', 'cancelled'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export interface Problem extends TicketCommon {
  kind: 'problem';
  state: ProblemState;
  rootCause: string | null;
  workaround: string | null;
  /** Published to the known-error database, where agents find the workaround. */
  knownErrorAt: string | null;
  linkedIncidents: string[];
  /** Whether resolving the problem resolved its linked incidents too (chosen at resolve). */
  resolveIncidentsOnResolve: boolean;
  resolutionCode: string | null;
  resolutionNotes: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
}

export interface NewProblem {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category?: string | null;
  service?: string | null;
  affectedCis?: string[];
  assignmentGroup?: string | null;
}

export type ProblemAction =
  | { type: 'start' }
  | { type: 'analyse'; rootCause?: string; workaround?: string }
  | { type: 'publish_known_error' }
  | { type: 'resolve'; resolutionCode: string; resolutionNotes: string; resolveIncidents: boolean }
  | { type: 'close' }
  | { type: 'cancel'; reason: string };

/** Sent by incident workflows when they link to or unlink from this problem. */
export type ProblemSystemAction = { type: 'incident_linked'; incident: string; linked: boolean };

const OPEN: readonly ProblemState[] = ['new', 'in_progress', 'known_error'];

export const PROBLEM_RULES: Rules<ProblemState, (ProblemAction | ProblemSystemAction)['type']> = {
  start: { from: ['new'], to: 'in_progress' },
  analyse: { from: OPEN },
  publish_known_error: { from: ['in_progress'], to: 'known_error' },
  resolve: { from: ['in_progress', 'known_error'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  cancel: { from: OPEN, to: 'cancelled' },
  incident_linked: { from: [...OPEN, 'resolved', 'closed', 'cancelled'] },
};

export function openProblem(input: NewProblem, number: string, ctx: ActionContext): Problem {
  const problem: Problem = {
    ...openCommon(input, number, ctx),
    kind: 'problem',
    state: 'new',
    rootCause: null,
    workaround: null,
    knownErrorAt: null,
    linkedIncidents: [],
    resolveIncidentsOnResolve: false,
    resolutionCode: null,
    resolutionNotes: null,
    resolvedAt: null,
    closedAt: null,
  };
  return note(problem, ctx, 'created', `Problem opened with priority ${problem.priority}`);
}

export function problemRejection(problem: Problem, action: ProblemAction | ProblemSystemAction): string | null {
  const byState = stateRejection(problem, action.type, PROBLEM_RULES);
  if (byState) return byState;
  if (action.type === 'start' && !problem.assignee) return `cannot start ${problem.number}: assign it to someone first`;
  if (action.type === 'publish_known_error' && (!problem.rootCause || !problem.workaround)) {
    return `cannot publish ${problem.number} as a known error: record its root cause and a workaround first`;
  }
  return null;
}

export function applyProblemAction(problem: Problem, action: ProblemAction | ProblemSystemAction, ctx: ActionContext): Problem {
  const next = bump(problem, ctx);
  switch (action.type) {
    case 'start':
      return moveTo(next, 'in_progress', ctx);
    case 'analyse': {
      const changed = { ...next, ...(action.rootCause !== undefined && { rootCause: action.rootCause }), ...(action.workaround !== undefined && { workaround: action.workaround }) };
      const what = [action.rootCause !== undefined && 'root cause', action.workaround !== undefined && 'workaround'].filter(Boolean).join(' and ');
      return note(changed, ctx, 'work_note', `Recorded the ${what || 'analysis'}`);
    }
    case 'publish_known_error':
      return moveTo({ ...next, knownErrorAt: ctx.now }, 'known_error', ctx, 'published to the known-error database');
    case 'resolve': {
      const resolved = { ...next, resolutionCode: action.resolutionCode, resolutionNotes: action.resolutionNotes, resolvedAt: ctx.now, resolveIncidentsOnResolve: action.resolveIncidents };
      return moveTo(resolved, 'resolved', ctx, action.resolveIncidents && next.linkedIncidents.length > 0 ? `resolving ${next.linkedIncidents.join(', ')} with it` : undefined);
    }
    case 'close':
      return moveTo({ ...next, closedAt: ctx.now }, 'closed', ctx);
    case 'cancel':
      return moveTo(next, 'cancelled', ctx, action.reason);
    case 'incident_linked': {
      const others = next.linkedIncidents.filter((n) => n !== action.incident);
      return note({ ...next, linkedIncidents: action.linked ? [...others, action.incident] : others }, ctx, 'link', `${action.incident} ${action.linked ? 'linked' : 'unlinked'}`);
    }
  }
}
