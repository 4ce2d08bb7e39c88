import type { ApprovalLevelSpec } from '../../domain/approval';
import { TransitionRejected } from '../../domain/ticket/common';
import { type NewRequest, openRequest, type ServiceRequest } from '../../domain/ticket/request';
import { type ActionContext, DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { type AnyAction, applyTicketAction, ticketRejection } from '../../domain/ticket/ticket';

const H = 3_600_000;
const T0 = '2026-06-01T08:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const REQUESTER = 'rita';
const AGENT = 'alice';
const ctx = (actor = AGENT, now = T0): ActionContext => ({ actor, now, settings: DEFAULT_SETTINGS });

function act(request: ServiceRequest, action: AnyAction, actor = AGENT, now = T0): ServiceRequest {
  return applyTicketAction(request, action, ctx(actor, now)) as ServiceRequest;
}

function expectRejected(request: ServiceRequest, action: AnyAction, message: string, c: ActionContext = ctx()): void {
  expect(ticketRejection(request, action, c)).toBe(message);
  let thrown: unknown;
  try {
    applyTicketAction(request, action, c);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TransitionRejected);
  expect((thrown as Error).message).toBe(message);
}

const item: NewRequest['item'] = {
  id: 'laptop',
  name: 'New laptop',
  category: 'hardware',
  fulfilmentGroup: 'service-desk',
  tasks: [
    { title: 'Order the laptop', group: 'procurement' },
    { title: 'Set it up', group: 'service-desk' },
  ],
};
const manager = (extra: Partial<ApprovalLevelSpec> = {}): ApprovalLevelSpec => ({ name: 'Manager', approvers: ['mgr1', 'mgr2'], mode: { type: 'any' }, ...extra });
const open = (approvalLevels: ApprovalLevelSpec[] = [], extra: Partial<NewRequest> = {}): ServiceRequest =>
  openRequest({ item, answers: { model: 'X1', ssd: true }, approvalLevels, ...extra }, 'REQ0000001', ctx(REQUESTER));
const last = (request: ServiceRequest) => request.timeline[request.timeline.length - 1];
const tasksOf = (request: ServiceRequest) => request.tasks.map((t) => [t.id, t.state]);

describe('opening a request', () => {
  it('without approval levels goes straight to fulfilment', () => {
    const request = open();
    expect(request).toMatchObject({
      number: 'REQ0000001',
      kind: 'request',
      state: 'in_fulfilment',
      title: 'New laptop',
      description: '',
      category: 'hardware',
      item: 'laptop',
      itemName: 'New laptop',
      answers: { model: 'X1', ssd: true },
      approval: null,
      impact: 3,
      urgency: 3,
      priority: 'P5',
      assignmentGroup: 'service-desk',
      assignee: null,
      assignmentSource: 'manual',
      openedBy: REQUESTER,
      version: 1,
      fulfilledAt: null,
      closedAt: null,
    });
    expect(request.tasks).toEqual([
      { id: 'T1', title: 'Order the laptop', group: 'procurement', assignee: null, state: 'open', completedAt: null, notes: null },
      { id: 'T2', title: 'Set it up', group: 'service-desk', assignee: null, state: 'open', completedAt: null, notes: null },
    ]);
    expect(request.timeline).toEqual([
      { at: T0, actor: REQUESTER, kind: 'created', text: 'Requested New laptop' },
      { at: T0, actor: REQUESTER, kind: 'state_changed', from: 'pending_approval', to: 'in_fulfilment', text: 'State changed from pending_approval to in_fulfilment: no approval needed' },
    ]);
  });

  it('takes the priority from the given impact and urgency', () => {
    expect(open([], { impact: 1, urgency: 2 }).priority).toBe('P2');
  });

  it('with approval levels waits for approval, which is started', () => {
    const request = open([manager()]);
    expect(request.state).toBe('pending_approval');
    expect(request.approval).toMatchObject({ outcome: 'pending', current: 0 });
    expect(request.approval!.levels[0]).toMatchObject({ name: 'Manager', state: 'pending', startedAt: T0 });
    expect(request.approval!.levels[0]!.approvers.map((a) => [a.user, a.state])).toEqual([
      ['mgr1', 'pending'],
      ['mgr2', 'pending'],
    ]);
    expect(request.timeline).toEqual([
      { at: T0, actor: REQUESTER, kind: 'created', text: 'Requested New laptop' },
      { at: T0, actor: REQUESTER, kind: 'approval', text: 'Approval requested from mgr1, mgr2' },
    ]);
  });
});

describe('decide', () => {
  it('approval by any approver (mode any) moves to fulfilment', () => {
    const request = act(open([manager()]), { type: 'decide', decision: 'approve', comment: 'fine' }, 'mgr2', at(H));
    expect(request.state).toBe('in_fulfilment');
    expect(request.approval!.outcome).toBe('approved');
    expect(request.approval!.levels[0]!.approvers.map((a) => [a.user, a.state])).toEqual([
      ['mgr1', 'not_required'],
      ['mgr2', 'approved'],
    ]);
    expect(request.timeline.slice(-2)).toEqual([
      { at: at(H), actor: 'mgr2', kind: 'approval', text: 'Approved: fine' },
      { at: at(H), actor: 'mgr2', kind: 'state_changed', from: 'pending_approval', to: 'in_fulfilment', text: 'State changed from pending_approval to in_fulfilment: approved' },
    ]);
  });

  it('writes no dangling colon for an approval without a comment', () => {
    const request = act(open([manager()]), { type: 'decide', decision: 'approve', comment: '' }, 'mgr1');
    expect(request.timeline.at(-2)).toEqual({ at: T0, actor: 'mgr1', kind: 'approval', text: 'Approved' });
  });

  it('mode all waits for every approver', () => {
    const first = act(open([manager({ mode: { type: 'all' } })]), { type: 'decide', decision: 'approve', comment: 'ok' }, 'mgr1');
    expect(first.state).toBe('pending_approval');
    expect(first.approval!.outcome).toBe('pending');
    expect(last(first)).toEqual({ at: T0, actor: 'mgr1', kind: 'approval', text: 'Approved: ok' });
    expectRejected(first, { type: 'decide', decision: 'approve', comment: '' }, "mgr1 has already approved level 'Manager'", ctx('mgr1'));
    const second = act(first, { type: 'decide', decision: 'approve', comment: 'ok' }, 'mgr2');
    expect(second.state).toBe('in_fulfilment');
    expect(second.approval!.outcome).toBe('approved');
  });

  it('records who is asked when the next level starts', () => {
    const request = act(open([manager(), { name: 'Director', approvers: ['dora'], mode: { type: 'any' } }]), { type: 'decide', decision: 'approve', comment: 'ok' }, 'mgr1', at(H));
    expect(request.state).toBe('pending_approval');
    expect(request.approval!.current).toBe(1);
    expect(request.timeline.slice(-2)).toEqual([
      { at: at(H), actor: 'mgr1', kind: 'approval', text: 'Approved: ok' },
      { at: at(H), actor: 'mgr1', kind: 'approval', text: 'Approval requested from dora' },
    ]);
  });

  it('a rejection needs a comment', () => {
    expectRejected(open([manager()]), { type: 'decide', decision: 'reject', comment: '  ' }, 'a rejection requires a comment', ctx('mgr1'));
  });

  it('a rejection rejects the request and cancels its open tasks', () => {
    const request = act(open([manager({ mode: { type: 'all' } })]), { type: 'decide', decision: 'reject', comment: 'too expensive' }, 'mgr1', at(H));
    expect(request.state).toBe('rejected');
    expect(request.approval!.outcome).toBe('rejected');
    expect(tasksOf(request)).toEqual([
      ['T1', 'cancelled'],
      ['T2', 'cancelled'],
    ]);
    expect(request.timeline.slice(-2)).toEqual([
      { at: at(H), actor: 'mgr1', kind: 'approval', text: 'Rejected: too expensive' },
      { at: at(H), actor: 'mgr1', kind: 'state_changed', from: 'pending_approval', to: 'rejected', text: 'State changed from pending_approval to rejected: rejected' },
    ]);
    expectRejected(request, { type: 'comment', text: 'why?', workNote: false }, 'REQ0000001 is rejected and accepts no more actions', ctx(REQUESTER));
  });

  it('is refused to someone who is not an approver', () => {
    expectRejected(open([manager()]), { type: 'decide', decision: 'approve', comment: '' }, "mallory is not an approver of level 'Manager'", ctx('mallory'));
  });

  it('is refused once the request is in fulfilment', () => {
    expectRejected(open(), { type: 'decide', decision: 'approve', comment: '' }, "cannot decide REQ0000001: it is 'in_fulfilment', and decide needs 'pending_approval'", ctx('mgr1'));
  });
});

describe('delegate', () => {
  const delegated = () => act(open([manager()]), { type: 'delegate', from: 'mgr1', to: 'deputy' }, 'mgr1', at(H));

  it('hands the vote to the delegate, who then decides in the approver’s place', () => {
    const request = delegated();
    expect(request.state).toBe('pending_approval');
    expect(request.approval!.levels[0]!.approvers[0]).toMatchObject({ user: 'mgr1', delegatedTo: 'deputy', state: 'pending' });
    expect(last(request)).toEqual({ at: at(H), actor: 'mgr1', kind: 'approval', text: 'mgr1 delegated their approval to deputy' });
    const approved = act(request, { type: 'decide', decision: 'approve', comment: 'on behalf' }, 'deputy', at(2 * H));
    expect(approved.state).toBe('in_fulfilment');
    expect(approved.approval!.levels[0]!.approvers[0]).toMatchObject({ user: 'mgr1', state: 'approved', decidedBy: 'deputy' });
  });

  it('leaves the approver who delegated without a vote', () => {
    expectRejected(delegated(), { type: 'decide', decision: 'approve', comment: '' }, "mgr1 delegated their vote on level 'Manager' to deputy, who decides in their place", ctx('mgr1'));
  });

  it("is refused for someone else's vote", () => {
    expectRejected(open([manager()]), { type: 'delegate', from: 'mgr1', to: 'deputy' }, "only mgr1 or an admin may delegate mgr1's vote", ctx('mgr2'));
  });

  it('is refused outside approval', () => {
    expectRejected(open(), { type: 'delegate', from: 'mgr1', to: 'deputy' }, "cannot delegate REQ0000001: it is 'in_fulfilment', and delegate needs 'pending_approval'", ctx('mgr1'));
  });
});

describe('approval_due', () => {
  const due = (onDue: 'approve' | 'reject' | 'escalate') =>
    open([manager({ dueInMs: 24 * H, onDue, ...(onDue === 'escalate' && { escalateTo: ['dora'] }) })]);

  it('approves at the due time when the level says onDue approve', () => {
    const request = act(due('approve'), { type: 'approval_due' }, 'system', at(24 * H));
    expect(request.state).toBe('in_fulfilment');
    expect(request.approval!.outcome).toBe('approved');
    expect(last(request)).toEqual({ at: at(24 * H), actor: 'system', kind: 'state_changed', from: 'pending_approval', to: 'in_fulfilment', text: 'State changed from pending_approval to in_fulfilment: approved' });
  });

  it('rejects at the due time when the level says onDue reject, cancelling the tasks', () => {
    const request = act(due('reject'), { type: 'approval_due' }, 'system', at(24 * H));
    expect(request.state).toBe('rejected');
    expect(tasksOf(request)).toEqual([
      ['T1', 'cancelled'],
      ['T2', 'cancelled'],
    ]);
  });

  it('asks the escalation approvers at the due time when the level says onDue escalate', () => {
    const request = act(due('escalate'), { type: 'approval_due' }, 'system', at(24 * H));
    expect(request.state).toBe('pending_approval');
    expect(request.approval!.levels[0]!.approvers.map((a) => a.user)).toEqual(['mgr1', 'mgr2', 'dora']);
    expect(last(request)).toEqual({ at: at(24 * H), actor: 'system', kind: 'approval', text: 'Approval requested from dora' });
  });

  it('changes nothing but the version before the due time', () => {
    const before = due('approve');
    const request = act(before, { type: 'approval_due' }, 'system', at(23 * H));
    expect(request.state).toBe('pending_approval');
    expect(request.approval).toEqual(before.approval);
    expect(request.timeline).toEqual(before.timeline);
    expect(request.version).toBe(before.version + 1);
  });
});

describe('fulfilment tasks', () => {
  it('assigns a task, and unassigns it', () => {
    const request = act(open(), { type: 'assign_task', task: 'T1', assignee: 'bob' });
    expect(request.tasks[0]!.assignee).toBe('bob');
    expect(request.tasks[1]!.assignee).toBeNull();
    expect(last(request)).toEqual({ at: T0, actor: AGENT, kind: 'task', text: 'Task T1 assigned to bob' });
    const unassigned = act(request, { type: 'assign_task', task: 'T1', assignee: null });
    expect(unassigned.tasks[0]!.assignee).toBeNull();
    expect(last(unassigned).text).toBe('Task T1 assigned to nobody');
  });

  it('refuses an unknown task, naming the tasks there are', () => {
    expectRejected(open(), { type: 'assign_task', task: 'T9', assignee: 'bob' }, 'REQ0000001 has no task T9; its tasks are T1, T2');
    expectRejected(open(), { type: 'complete_task', task: 'T9', notes: 'x' }, 'REQ0000001 has no task T9; its tasks are T1, T2');
  });

  it('completes a task with notes, the completing agent becoming its assignee when it had none', () => {
    const request = act(open(), { type: 'complete_task', task: 'T1', notes: 'Ordered from Dell' }, 'bob', at(H));
    expect(request.state).toBe('in_fulfilment');
    expect(request.tasks[0]).toEqual({ id: 'T1', title: 'Order the laptop', group: 'procurement', assignee: 'bob', state: 'done', completedAt: at(H), notes: 'Ordered from Dell' });
    expect(request.tasks[1]!.state).toBe('open');
    expect(last(request)).toEqual({ at: at(H), actor: 'bob', kind: 'task', text: 'Task T1 done: Ordered from Dell' });
  });

  it('keeps the assignee of a task completed by someone else', () => {
    const request = act(act(open(), { type: 'assign_task', task: 'T1', assignee: 'carl' }), { type: 'complete_task', task: 'T1', notes: 'done' }, 'bob');
    expect(request.tasks[0]!.assignee).toBe('carl');
  });

  it('refuses a task already done', () => {
    const request = act(open(), { type: 'complete_task', task: 'T1', notes: 'done' });
    expectRejected(request, { type: 'complete_task', task: 'T1', notes: 'again' }, 'task T1 of REQ0000001 is already done');
    expectRejected(request, { type: 'assign_task', task: 'T1', assignee: 'bob' }, 'task T1 of REQ0000001 is already done');
  });

  it('fulfils the request when every task is done', () => {
    const request = act(act(open(), { type: 'complete_task', task: 'T1', notes: 'ordered' }, AGENT, at(H)), { type: 'complete_task', task: 'T2', notes: 'set up' }, AGENT, at(2 * H));
    expect(request.state).toBe('fulfilled');
    expect(request.fulfilledAt).toBe(at(2 * H));
    expect(tasksOf(request)).toEqual([
      ['T1', 'done'],
      ['T2', 'done'],
    ]);
    expect(request.timeline.slice(-2)).toEqual([
      { at: at(2 * H), actor: AGENT, kind: 'task', text: 'Task T2 done: set up' },
      { at: at(2 * H), actor: AGENT, kind: 'state_changed', from: 'in_fulfilment', to: 'fulfilled', text: 'State changed from in_fulfilment to fulfilled: every task is done' },
    ]);
  });

  it('are refused while the request waits for approval', () => {
    expectRejected(open([manager()]), { type: 'assign_task', task: 'T1', assignee: 'bob' }, "cannot assign task REQ0000001: it is 'pending_approval', and assign task needs 'in_fulfilment'");
    expectRejected(open([manager()]), { type: 'complete_task', task: 'T1', notes: 'x' }, "cannot complete task REQ0000001: it is 'pending_approval', and complete task needs 'in_fulfilment'");
  });
});

describe('cancel and close', () => {
  const fulfilled = () => act(act(open(), { type: 'complete_task', task: 'T1', notes: 'a' }), { type: 'complete_task', task: 'T2', notes: 'b' });

  it('cancels while waiting for approval', () => {
    const request = act(open([manager()]), { type: 'cancel', reason: 'no longer needed' }, REQUESTER);
    expect(request.state).toBe('cancelled');
    expect(last(request)).toEqual({ at: T0, actor: REQUESTER, kind: 'state_changed', from: 'pending_approval', to: 'cancelled', text: 'State changed from pending_approval to cancelled: no longer needed' });
  });

  it('cancels in fulfilment, cancelling the open tasks and keeping the done ones', () => {
    const request = act(act(open(), { type: 'complete_task', task: 'T1', notes: 'ordered' }), { type: 'cancel', reason: 'left the company' }, REQUESTER);
    expect(request.state).toBe('cancelled');
    expect(tasksOf(request)).toEqual([
      ['T1', 'done'],
      ['T2', 'cancelled'],
    ]);
    expectRejected(request, { type: 'watch', watching: true }, 'REQ0000001 is cancelled and accepts no more actions', ctx(REQUESTER));
  });

  it('refuses to cancel a fulfilled request', () => {
    expectRejected(fulfilled(), { type: 'cancel', reason: 'x' }, "cannot cancel REQ0000001: it is 'fulfilled', and cancel needs 'pending_approval' or 'in_fulfilment'");
  });

  it('closes a fulfilled request', () => {
    const request = act(fulfilled(), { type: 'close' }, 'system', at(H));
    expect(request.state).toBe('closed');
    expect(request.closedAt).toBe(at(H));
    expect(last(request)).toEqual({ at: at(H), actor: 'system', kind: 'state_changed', from: 'fulfilled', to: 'closed', text: 'State changed from fulfilled to closed' });
    expectRejected(request, { type: 'close' }, 'REQ0000001 is closed and accepts no more actions');
  });

  it('refuses to close a request not yet fulfilled', () => {
    expectRejected(open(), { type: 'close' }, "cannot close REQ0000001: it is 'in_fulfilment', and close needs 'fulfilled'");
  });

  it('refuses to assign a fulfilled request, without suggesting a reopen requests do not have', () => {
    expectRejected(fulfilled(), { type: 'assign', assignee: 'bob' }, "cannot assign REQ0000001: it is 'fulfilled'");
  });

  it('refuses actions of other ticket kinds', () => {
    expectRejected(open(), { type: 'reopen', reason: 'x' }, "request REQ0000001 has no action 'reopen'");
  });
});
