import { type Approval, type ApprovalLevelSpec, approvalRejection, applyDue, decide, delegate, delegationRejection, pendingApprovers, startApproval } from '../approval';
import type { TicketCommon } from './common';
import { bump, moveTo, note, openCommon } from './changes';
import { type Rules, stateRejection } from './rules';
import type { ActionContext } from './settings';

/**
 * A service request ordered from the catalog. The coded default flow (until BPMN processes
 * land): approval when the item requires it → fulfilment tasks, one per group → fulfilled
 * when every task is done → closed.
 */
export const REQUEST_STATES = ['pending_approval', 'in_fulfilment', 'fulfilled', 'closed', 'rejected', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export interface FulfilmentTask {
  id: string;
  title: string;
  group: string;
  assignee: string | null;
  state: 'open' | 'done' | 'cancelled';
  completedAt: string | null;
  notes: string | null;
}

export interface ServiceRequest extends TicketCommon {
  kind: 'request';
  state: RequestState;
  /** The catalog item ordered and the requester's answers to its form. */
  item: string;
  itemName: string;
  answers: Record<string, string | number | boolean>;
  approval: Approval | null;
  tasks: FulfilmentTask[];
  fulfilledAt: string | null;
  closedAt: string | null;
}

export interface NewRequest {
  item: { id: string; name: string; category: string; fulfilmentGroup: string; tasks: Array<{ title: string; group: string }> };
  answers: Record<string, string | number | boolean>;
  /** Approval levels with their approvers already resolved (e.g. the requester's manager); empty: no approval. */
  approvalLevels: ApprovalLevelSpec[];
  impact?: 1 | 2 | 3;
  urgency?: 1 | 2 | 3;
}

export type RequestAction =
  | { type: 'decide'; decision: 'approve' | 'reject'; comment: string }
  | { type: 'delegate'; from: string; to: string }
  | { type: 'assign_task'; task: string; assignee: string | null }
  | { type: 'complete_task'; task: string; notes: string }
  | { type: 'cancel'; reason: string }
  | { type: 'close' };

/** Sent by the workflow's approval timer, never by the API. */
export type RequestSystemAction = { type: 'approval_due' };

export const REQUEST_RULES: Rules<RequestState, (RequestAction | RequestSystemAction)['type']> = {
  decide: { from: ['pending_approval'] },
  delegate: { from: ['pending_approval'] },
  approval_due: { from: ['pending_approval'] },
  assign_task: { from: ['in_fulfilment'] },
  complete_task: { from: ['in_fulfilment'] },
  cancel: { from: ['pending_approval', 'in_fulfilment'], to: 'cancelled' },
  close: { from: ['fulfilled'], to: 'closed' },
};

export function openRequest(input: NewRequest, number: string, ctx: ActionContext): ServiceRequest {
  const request: ServiceRequest = {
    ...openCommon(
      { title: input.item.name, description: '', impact: input.impact ?? 3, urgency: input.urgency ?? 3, category: input.item.category, assignmentGroup: input.item.fulfilmentGroup },
      number,
      ctx,
    ),
    kind: 'request',
    state: 'pending_approval',
    item: input.item.id,
    itemName: input.item.name,
    answers: input.answers,
    approval: null,
    tasks: input.item.tasks.map((task, i) => ({ id: `T${i + 1}`, title: task.title, group: task.group, assignee: null, state: 'open', completedAt: null, notes: null })),
    fulfilledAt: null,
    closedAt: null,
  };
  note(request, ctx, 'created', `Requested ${input.item.name}`);
  if (input.approvalLevels.length === 0) return moveTo(request, 'in_fulfilment', ctx, 'no approval needed');
  const approval = startApproval(input.approvalLevels, ctx.now);
  note(request, ctx, 'approval', `Approval requested from ${approval.levels[0]!.approvers.map((a) => a.user).join(', ')}`);
  return { ...request, approval };
}

export function requestRejection(request: ServiceRequest, action: RequestAction | RequestSystemAction, ctx: ActionContext): string | null {
  const byState = stateRejection(request, action.type, REQUEST_RULES);
  if (byState) return byState;
  switch (action.type) {
    case 'decide':
      return approvalRejection(request.approval!, { user: ctx.actor, decision: action.decision, comment: action.comment });
    case 'delegate':
      return delegationRejection(request.approval!, { from: action.from, to: action.to, by: ctx.actor });
    case 'assign_task':
    case 'complete_task': {
      const task = request.tasks.find((t) => t.id === action.task);
      if (!task) return `${request.number} has no task ${action.task}; its tasks are ${request.tasks.map((t) => t.id).join(', ')}`;
      return task.state === 'open' ? null : `task ${action.task} of ${request.number} is already ${task.state}`;
    }
    default:
      return null;
  }
}

export function applyRequestAction(request: ServiceRequest, action: RequestAction | RequestSystemAction, ctx: ActionContext): ServiceRequest {
  const next = bump(request, ctx);
  switch (action.type) {
    case 'decide': {
      const approval = decide(next.approval!, { user: ctx.actor, decision: action.decision, comment: action.comment }, ctx.now);
      const why = action.comment.trim() ? `: ${action.comment.trim()}` : '';
      note(next, ctx, 'approval', `${action.decision === 'approve' ? 'Approved' : 'Rejected'}${why}`);
      return afterApproval({ ...next, approval }, next.approval!, ctx);
    }
    case 'delegate':
      note(next, ctx, 'approval', `${action.from} delegated their approval to ${action.to}`);
      return { ...next, approval: delegate(next.approval!, { from: action.from, to: action.to, by: ctx.actor }, ctx.now) };
    case 'approval_due':
      return afterApproval({ ...next, approval: applyDue(next.approval!, ctx.now) }, next.approval!, ctx);
    case 'assign_task':
      note(next, ctx, 'task', `Task ${action.task} assigned to ${action.assignee ?? 'nobody'}`);
      return { ...next, tasks: next.tasks.map((t) => (t.id === action.task ? { ...t, assignee: action.assignee } : t)) };
    case 'complete_task': {
      note(next, ctx, 'task', `Task ${action.task} done: ${action.notes}`);
      const tasks = next.tasks.map((t) => (t.id === action.task ? { ...t, state: 'done' as const, completedAt: ctx.now, notes: action.notes, assignee: t.assignee ?? ctx.actor } : t));
      const done = tasks.every((t) => t.state !== 'open');
      return done ? moveTo({ ...next, tasks, fulfilledAt: ctx.now }, 'fulfilled', ctx, 'every task is done') : { ...next, tasks };
    }
    case 'cancel':
      return moveTo({ ...next, tasks: closeTasks(next.tasks) }, 'cancelled', ctx, action.reason);
    case 'close':
      return moveTo({ ...next, closedAt: ctx.now }, 'closed', ctx);
  }
}

/** Moves on when the approval reached an outcome; records who is asked next otherwise. */
function afterApproval(request: ServiceRequest, before: Approval, ctx: ActionContext): ServiceRequest {
  const approval = request.approval!;
  if (approval.outcome === 'approved') return moveTo(request, 'in_fulfilment', ctx, 'approved');
  if (approval.outcome === 'rejected') return moveTo({ ...request, tasks: closeTasks(request.tasks) }, 'rejected', ctx, 'rejected');
  const waiting = new Set(pendingApprovers(before));
  const asked = pendingApprovers(approval).filter((user) => !waiting.has(user));
  return asked.length > 0 ? note(request, ctx, 'approval', `Approval requested from ${asked.join(', ')}`) : request;
}

function closeTasks(tasks: FulfilmentTask[]): FulfilmentTask[] {
  return tasks.map((t) => (t.state === 'open' ? { ...t, state: 'cancelled' } : t));
}
