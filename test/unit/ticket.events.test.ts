import path from 'node:path';
import type { ApprovalLevelSpec } from '../../domain/approval';
import type { SlaThresholdEvent } from '../../domain/sla/ticketSla';
import { reachThresholds } from '../../domain/sla/ticketSla';
import { eventsBetween, snapshotOf } from '../../domain/ticket/events';
import { type Incident, openIncident } from '../../domain/ticket/incident';
import { openProblem } from '../../domain/ticket/problem';
import { openRequest, type ServiceRequest } from '../../domain/ticket/request';
import { type ActionContext, DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { escalate, withSlas } from '../../domain/ticket/sla';
import { type AnyAction, applyTicketAction, type Ticket } from '../../domain/ticket/ticket';
import { loadSlaCatalog } from '../../runtime/catalog/sla';

const H = 3_600_000;
const T0 = '2026-06-01T08:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const CALLER = 'carol';
const AGENT = 'alice';
const SYSTEM = 'system';
const ctx = (actor = AGENT, now = T0): ActionContext => ({ actor, now, settings: DEFAULT_SETTINGS });

function act<T extends Ticket>(ticket: T, action: AnyAction, actor = AGENT, now = T0): T {
  return applyTicketAction(ticket, action, ctx(actor, now)) as T;
}
/** The events of one action, as the workflow derives them. */
function eventsOf<T extends Ticket>(ticket: T, action: AnyAction, actor = AGENT, now = T0) {
  const after = act(ticket, action, actor, now);
  return { after, events: eventsBetween(ticket, after, actor) };
}
const brief = (events: ReturnType<typeof eventsBetween>) => events.map((e) => ({ id: e.id, type: e.type, detail: e.detail }));

const incident = (): Incident => openIncident({ title: 'VPN down', description: '', impact: 2, urgency: 2 }, 'INC0000001', ctx(CALLER));
const started = (): Incident => act(act(incident(), { type: 'assign', group: 'network', assignee: AGENT }), { type: 'start' });

const item = { id: 'laptop', name: 'New laptop', category: 'hardware', fulfilmentGroup: 'service-desk', tasks: [{ title: 'Order', group: 'procurement' }] };
const level = (name: string, approvers: string[], extra: Partial<ApprovalLevelSpec> = {}): ApprovalLevelSpec => ({ name, approvers, mode: { type: 'any' }, ...extra });
const request = (levels: ApprovalLevelSpec[]): ServiceRequest => openRequest({ item, answers: {}, approvalLevels: levels }, 'REQ0000001', ctx(CALLER));

describe('eventsBetween', () => {
  it('announces a new ticket as created, with its snapshot', () => {
    const opened = incident();
    expect(eventsBetween(null, opened, CALLER)).toEqual([
      {
        id: 'INC0000001/1/created',
        type: 'created',
        at: T0,
        actor: CALLER,
        ticket: { number: 'INC0000001', kind: 'incident', title: 'VPN down', priority: 'P3', state: 'new', assignmentGroup: null, assignee: null, openedBy: CALLER, watchers: [] },
        detail: {},
      },
    ]);
  });

  it('announces a new request that needs approval to its approvers', () => {
    expect(brief(eventsBetween(null, request([level('Manager', ['mgr1', 'mgr2'])]), CALLER))).toEqual([
      { id: 'REQ0000001/1/created', type: 'created', detail: {} },
      { id: 'REQ0000001/1/approval_requested', type: 'approval_requested', detail: { recipients: ['mgr1', 'mgr2'] } },
    ]);
    expect(brief(eventsBetween(null, request([]), CALLER))).toEqual([{ id: 'REQ0000001/1/created', type: 'created', detail: {} }]);
  });

  it('announces an assignment with the new group and assignee, at the time of the change', () => {
    const { after, events } = eventsOf(incident(), { type: 'assign', group: 'network', assignee: 'bob' }, AGENT, at(H));
    expect(events).toEqual([
      { id: 'INC0000001/2/assigned', type: 'assigned', at: at(H), actor: AGENT, ticket: snapshotOf(after), detail: { group: 'network', assignee: 'bob' } },
    ]);
    expect(events[0]!.ticket.assignee).toBe('bob');
  });

  it('announces no assignment when nothing changed or nobody is assigned any more', () => {
    const assigned = act(incident(), { type: 'assign', group: 'network', assignee: 'bob' });
    expect(eventsOf(assigned, { type: 'assign', group: 'network', assignee: 'bob' }).events).toEqual([]);
    expect(eventsOf(assigned, { type: 'assign', group: null, assignee: null }).events).toEqual([]);
  });

  it('announces comments but never work notes', () => {
    expect(brief(eventsOf(started(), { type: 'comment', text: 'Looking into it', workNote: false }).events)).toEqual([
      { id: 'INC0000001/4/commented/0', type: 'commented', detail: { text: 'Looking into it' } },
    ]);
    expect(eventsOf(started(), { type: 'comment', text: 'Gateway logs full', workNote: true }).events).toEqual([]);
  });

  it('announces a state change, and a resolution as resolved too', () => {
    expect(brief(eventsOf(act(incident(), { type: 'assign', assignee: AGENT }), { type: 'start' }).events)).toEqual([
      { id: 'INC0000001/3/state_changed', type: 'state_changed', detail: { from: 'new', to: 'in_progress' } },
    ]);
    expect(brief(eventsOf(started(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'x' }).events)).toEqual([
      { id: 'INC0000001/4/state_changed', type: 'state_changed', detail: { from: 'in_progress', to: 'resolved' } },
      { id: 'INC0000001/4/resolved', type: 'resolved', detail: {} },
    ]);
  });

  it('announces a fulfilled request and a resolved problem as resolved', () => {
    expect(brief(eventsOf(request([]), { type: 'complete_task', task: 'T1', notes: 'done' }).events)).toEqual([
      { id: 'REQ0000001/2/state_changed', type: 'state_changed', detail: { from: 'in_fulfilment', to: 'fulfilled' } },
      { id: 'REQ0000001/2/resolved', type: 'resolved', detail: {} },
    ]);
    const problem = act(act(openProblem({ title: 'p', description: '', impact: 3, urgency: 3 }, 'PRB0000001', ctx()), { type: 'assign', assignee: AGENT }), { type: 'start' });
    expect(eventsOf(problem, { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'x', resolveIncidents: false }).events.map((e) => e.type)).toEqual(['state_changed', 'resolved']);
  });

  it("announces the question of an awaiting-caller hold and the caller's reply", () => {
    const held = eventsOf(started(), { type: 'hold', reason: 'awaiting_caller', comment: 'Which client?' });
    expect(brief(held.events)).toEqual([
      { id: 'INC0000001/4/commented/0', type: 'commented', detail: { text: 'Which client?' } },
      { id: 'INC0000001/4/state_changed', type: 'state_changed', detail: { from: 'in_progress', to: 'on_hold' } },
    ]);
    const reply = eventsOf(held.after, { type: 'comment', text: '5.2', workNote: false }, CALLER);
    expect(reply.events.map((e) => [e.type, e.actor, e.detail])).toEqual([
      ['commented', CALLER, { text: '5.2' }],
      ['state_changed', CALLER, { from: 'on_hold', to: 'in_progress' }],
    ]);
  });

  it('asks the approvers of the next level, and only them', () => {
    const { events } = eventsOf(request([level('Manager', ['mgr1', 'mgr2']), level('Director', ['dora'])]), { type: 'decide', decision: 'approve', comment: '' }, 'mgr1');
    expect(brief(events)).toEqual([{ id: 'REQ0000001/2/approval_requested', type: 'approval_requested', detail: { recipients: ['dora'] } }]);
  });

  it('asks a delegate', () => {
    const { events } = eventsOf(request([level('Manager', ['mgr1', 'mgr2'])]), { type: 'delegate', from: 'mgr1', to: 'deputy' }, 'mgr1');
    expect(brief(events)).toEqual([{ id: 'REQ0000001/2/approval_requested', type: 'approval_requested', detail: { recipients: ['deputy'] } }]);
  });

  it('asks the escalation approvers when an approval escalates at its due time', () => {
    const escalating = request([level('Manager', ['mgr1'], { dueInMs: H, onDue: 'escalate', escalateTo: ['dora'] })]);
    expect(brief(eventsOf(escalating, { type: 'approval_due' }, SYSTEM, at(H)).events)).toEqual([
      { id: 'REQ0000001/2/approval_requested', type: 'approval_requested', detail: { recipients: ['dora'] } },
    ]);
  });

  it('announces nothing for a vote that does not settle the approval', () => {
    expect(eventsOf(request([level('Manager', ['mgr1', 'mgr2'], { mode: { type: 'all' } })]), { type: 'decide', decision: 'approve', comment: '' }, 'mgr1').events).toEqual([]);
  });

  it('announces the decided approval with the state change', () => {
    expect(brief(eventsOf(request([level('Manager', ['mgr1'])]), { type: 'decide', decision: 'approve', comment: '' }, 'mgr1').events)).toEqual([
      { id: 'REQ0000001/2/state_changed', type: 'state_changed', detail: { from: 'pending_approval', to: 'in_fulfilment' } },
      { id: 'REQ0000001/2/approval_decided', type: 'approval_decided', detail: { decision: 'approved' } },
    ]);
    expect(brief(eventsOf(request([level('Manager', ['mgr1'])]), { type: 'decide', decision: 'reject', comment: 'no budget' }, 'mgr1').events)).toEqual([
      { id: 'REQ0000001/2/state_changed', type: 'state_changed', detail: { from: 'pending_approval', to: 'rejected' } },
      { id: 'REQ0000001/2/approval_decided', type: 'approval_decided', detail: { decision: 'rejected' } },
    ]);
  });
});

describe('escalate', () => {
  const warning = (actions: SlaThresholdEvent['actions']): SlaThresholdEvent => ({
    sla: 'Incident resolution',
    policy: 'incident-resolution',
    metric: 'resolution',
    kind: 'warning',
    ratio: 0.5,
    dueAt: '2026-06-02T13:00:00.000Z',
    actions,
  });
  const breach = (actions: SlaThresholdEvent['actions']): SlaThresholdEvent => ({ ...warning(actions), kind: 'breach', ratio: 1, dueAt: '2026-06-04T08:00:00.000Z' });
  const NOW = at(100 * H);
  const escalateAt = (ticket: Ticket, reached: SlaThresholdEvent[]) => escalate(ticket, reached, ctx(SYSTEM, NOW));

  it('changes nothing when no threshold was reached', () => {
    const ticket = started();
    const result = escalateAt(ticket, []);
    expect(result.ticket).toBe(ticket);
    expect(result.events).toEqual([]);
  });

  it('records a warning on the timeline and announces it with whom to notify', () => {
    const ticket = started();
    const { ticket: after, events } = escalateAt(ticket, [warning([{ type: 'notify_assignee' }])]);
    expect(after.version).toBe(ticket.version + 1);
    expect(after.updatedAt).toBe(NOW);
    expect(after.timeline.slice(ticket.timeline.length)).toEqual([
      { at: NOW, actor: SYSTEM, kind: 'sla', text: "SLA 'Incident resolution' reached 50% of its target at 2026-06-02T13:00:00.000Z" },
    ]);
    expect(events).toEqual([
      {
        id: 'INC0000001/4/sla_warning/0',
        type: 'sla_warning',
        at: NOW,
        actor: SYSTEM,
        ticket: snapshotOf(after),
        detail: { sla: 'Incident resolution', ratio: 0.5, dueAt: '2026-06-02T13:00:00.000Z', notify: ['assignee'] },
      },
    ]);
  });

  it('raises the priority one level on raise_priority and announces the breach', () => {
    const ticket = started();
    const { ticket: after, events } = escalateAt(ticket, [breach([{ type: 'notify_group_manager' }, { type: 'raise_priority' }])]);
    expect(after).toMatchObject({ priority: 'P2', priorityBoost: 1, impact: 2, urgency: 2 });
    expect(after.timeline.slice(ticket.timeline.length)).toEqual([
      { at: NOW, actor: SYSTEM, kind: 'sla', text: "SLA 'Incident resolution' breached" },
      { at: NOW, actor: SYSTEM, kind: 'priority_changed', from: 'P3', to: 'P2', text: 'Priority changed from P3 to P2' },
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: 'INC0000001/4/sla_breach/0', type: 'sla_breach', detail: { sla: 'Incident resolution', ratio: 1, dueAt: '2026-06-04T08:00:00.000Z', notify: ['group_manager'] } });
    expect(events[0]!.ticket.priority).toBe('P2');
  });

  it('never raises beyond P1, though the boost is counted', () => {
    const p1: Incident = { ...started(), priority: 'P1', impact: 1, urgency: 1 };
    const { ticket: after } = escalateAt(p1, [breach([{ type: 'raise_priority' }])]);
    expect(after.priority).toBe('P1');
    expect(after.priorityBoost).toBe(1);
    expect(after.timeline.filter((e) => e.kind === 'priority_changed')).toEqual([]);
  });

  it('reassigns to the group with source sla, clearing the assignee, even over a manual assignment', () => {
    const ticket = started();
    expect(ticket.assignmentSource).toBe('manual');
    const { ticket: after, events } = escalateAt(ticket, [breach([{ type: 'reassign', group: 'major-incidents' }])]);
    expect(after).toMatchObject({ assignmentGroup: 'major-incidents', assignee: null, assignmentSource: 'sla', reassignmentCount: 1 });
    expect(after.assignments.at(-1)).toEqual({ at: NOW, actor: SYSTEM, group: 'major-incidents', assignee: null, source: 'sla' });
    expect(after.timeline.at(-1)).toEqual({ at: NOW, actor: SYSTEM, kind: 'assigned', text: 'Assigned to group major-incidents by SLA escalation' });
    expect(events[0]!.detail.notify).toEqual([]);
    expect(brief(eventsBetween(ticket, after, SYSTEM))).toEqual([{ id: 'INC0000001/4/assigned', type: 'assigned', detail: { group: 'major-incidents', assignee: null } }]);
  });

  it('handles several thresholds at once, in order, each with its own event id', () => {
    const { ticket: after, events } = escalateAt(started(), [warning([]), breach([{ type: 'raise_priority' }])]);
    expect(after.timeline.filter((e) => e.kind === 'sla').map((e) => e.text)).toEqual([
      "SLA 'Incident resolution' reached 50% of its target at 2026-06-02T13:00:00.000Z",
      "SLA 'Incident resolution' breached",
    ]);
    expect(events.map((e) => [e.id, e.detail.notify])).toEqual([
      ['INC0000001/4/sla_warning/0', []],
      ['INC0000001/4/sla_breach/1', []],
    ]);
  });
});

describe('with the shipped SLA catalog', () => {
  const catalog = loadSlaCatalog(path.resolve(__dirname, '../../catalog'));
  const policies = (ticket: Ticket) => ticket.slas.map((s) => [s.policy, s.clock.stage]);

  it('attaches the response and resolution clocks to a new incident; starting it answers the response', () => {
    const opened = withSlas(incident(), catalog, T0);
    expect(policies(opened)).toEqual([
      ['incident-response', 'in_progress'],
      ['incident-resolution', 'in_progress'],
    ]);
    const working = withSlas(act(act(opened, { type: 'assign', assignee: AGENT }), { type: 'start' }, AGENT, at(H)), catalog, at(H));
    expect(policies(working)).toEqual([
      ['incident-response', 'completed'],
      ['incident-resolution', 'in_progress'],
    ]);
  });

  it('starts the fulfilment clock of a request only once approved', () => {
    const waiting = withSlas(request([level('Manager', ['mgr1'])]), catalog, T0);
    expect(waiting.slas).toEqual([]);
    const approved = withSlas(act(waiting, { type: 'decide', decision: 'approve', comment: '' }, 'mgr1', at(H)), catalog, at(H));
    expect(policies(approved)).toEqual([['request-fulfilment', 'in_progress']]);
    expect(approved.slas[0]!.clock.startedAt).toBe(at(H));
  });

  it('escalates a forgotten incident: warnings and breaches announced, priority raised, resolution carried to the major policy', () => {
    const opened = withSlas(act(incident(), { type: 'assign', group: 'network', assignee: AGENT }), catalog, T0);
    const now = '2026-06-05T12:00:00.000Z';
    const { slas, reached } = reachThresholds(opened.slas, catalog, now);
    const { ticket: escalated, events } = escalate({ ...opened, slas }, reached, ctx(SYSTEM, now));
    expect(events.map((e) => [e.type, e.detail.sla, e.detail.ratio, e.detail.dueAt, e.detail.notify])).toEqual([
      ['sla_warning', 'Incident response', 0.75, '2026-06-01T11:00:00.000Z', ['group_manager']],
      ['sla_breach', 'Incident response', 1, '2026-06-01T12:00:00.000Z', ['group_manager']],
      ['sla_warning', 'Incident resolution', 0.5, '2026-06-02T13:00:00.000Z', ['assignee']],
      ['sla_warning', 'Incident resolution', 0.75, '2026-06-03T10:30:00.000Z', ['group_manager']],
      ['sla_breach', 'Incident resolution', 1, '2026-06-04T08:00:00.000Z', ['group_manager']],
    ]);
    expect(escalated.timeline.filter((e) => e.kind === 'sla' || e.kind === 'priority_changed').map((e) => e.text)).toEqual([
      "SLA 'Incident response' reached 75% of its target at 2026-06-01T11:00:00.000Z",
      "SLA 'Incident response' breached",
      "SLA 'Incident resolution' reached 50% of its target at 2026-06-02T13:00:00.000Z",
      "SLA 'Incident resolution' reached 75% of its target at 2026-06-03T10:30:00.000Z",
      "SLA 'Incident resolution' breached",
      'Priority changed from P3 to P2',
    ]);
    expect(escalated.priority).toBe('P2');
    expect(eventsBetween(opened, escalated, SYSTEM)).toEqual([]);
    const followed = withSlas(escalated, catalog, now);
    expect(followed.slas.map((s) => [s.policy, s.originalPolicy, s.breached])).toEqual([
      ['incident-response', 'incident-response', true],
      ['incident-resolution-major', 'incident-resolution', true],
    ]);
  });
});
