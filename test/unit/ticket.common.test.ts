import type { PriorityMatrix } from '../../domain/priority';
import { TransitionRejected } from '../../domain/ticket/common';
import { type Incident, openIncident } from '../../domain/ticket/incident';
import { openProblem } from '../../domain/ticket/problem';
import { openRequest } from '../../domain/ticket/request';
import { type ActionContext, DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { type AnyAction, applyTicketAction, isFinal, isOpen, isVisible, type Ticket, ticketRejection, visibilityOf, withoutWorkNotes } from '../../domain/ticket/ticket';

const H = 3_600_000;
const T0 = '2026-06-01T08:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const CALLER = 'carol';
const AGENT = 'alice';
const ctx = (actor = AGENT, now = T0): ActionContext => ({ actor, now, settings: DEFAULT_SETTINGS });

function act<T extends Ticket>(ticket: T, action: AnyAction, actor = AGENT, now = T0): T {
  return applyTicketAction(ticket, action, ctx(actor, now)) as T;
}

function expectRejected(ticket: Ticket, action: AnyAction, message: string, c: ActionContext = ctx()): void {
  expect(ticketRejection(ticket, action, c)).toBe(message);
  let thrown: unknown;
  try {
    applyTicketAction(ticket, action, c);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TransitionRejected);
  expect((thrown as Error).message).toBe(message);
}

const incident = (extra: { assignmentGroup?: string } = {}): Incident =>
  openIncident({ title: 'Printer jammed', description: 'Floor 3', impact: 3, urgency: 3, ...extra }, 'INC0000001', ctx(CALLER));
const resolved = (): Incident =>
  act(act(act(incident(), { type: 'assign', assignee: AGENT }), { type: 'start' }), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'cleared' });
const last = (ticket: Ticket) => ticket.timeline[ticket.timeline.length - 1];

describe('assign', () => {
  it('assigns by hand to a group and a person, recording the assignment', () => {
    const ticket = act(incident(), { type: 'assign', group: 'desk', assignee: 'bob' }, AGENT, at(H));
    expect(ticket).toMatchObject({ assignmentGroup: 'desk', assignee: 'bob', assignmentSource: 'manual', reassignmentCount: 0, version: 2, updatedAt: at(H) });
    expect(ticket.assignments).toEqual([{ at: at(H), actor: AGENT, group: 'desk', assignee: 'bob', source: 'manual' }]);
    expect(last(ticket)).toEqual({ at: at(H), actor: AGENT, kind: 'assigned', text: 'Assigned to group desk, bob' });
  });

  it('keeps what the action does not name', () => {
    const grouped = act(incident(), { type: 'assign', group: 'desk' });
    expect(last(grouped).text).toBe('Assigned to group desk');
    const person = act(grouped, { type: 'assign', assignee: 'bob' });
    expect(person).toMatchObject({ assignmentGroup: 'desk', assignee: 'bob' });
    expect(last(person).text).toBe('Assigned to group desk, bob');
  });

  it('may take the ticket away from everybody', () => {
    const ticket = act(act(incident(), { type: 'assign', group: 'desk', assignee: 'bob' }), { type: 'assign', group: null, assignee: null });
    expect(ticket).toMatchObject({ assignmentGroup: null, assignee: null });
    expect(last(ticket).text).toBe('Assigned to nobody');
  });

  it('needs a group or an assignee', () => {
    expectRejected(incident(), { type: 'assign' }, 'name a group, an assignee or both');
  });

  it('counts only moves after the first assignment as reassignments', () => {
    const first = act(incident(), { type: 'assign', group: 'desk', assignee: 'bob' });
    expect(first.reassignmentCount).toBe(0);
    const same = act(first, { type: 'assign', group: 'desk', assignee: 'bob' });
    expect(same.reassignmentCount).toBe(0);
    expect(same.assignments).toHaveLength(2);
    const person = act(same, { type: 'assign', assignee: 'dan' });
    expect(person.reassignmentCount).toBe(1);
    const group = act(person, { type: 'assign', group: 'network', assignee: null });
    expect(group.reassignmentCount).toBe(2);
  });

  it('does not count an agent taking a ticket from their group queue, and clears the person when only the group changes', () => {
    const queued = act(incident(), { type: 'assign', group: 'desk' });
    const taken = act(queued, { type: 'assign', assignee: 'bob' });
    expect(taken).toMatchObject({ assignmentGroup: 'desk', assignee: 'bob', reassignmentCount: 0 });
    const moved = act(taken, { type: 'assign', group: 'network' });
    expect(moved).toMatchObject({ assignmentGroup: 'network', assignee: null, reassignmentCount: 1 });
  });

  it('is refused on a resolved incident, which must be reopened first', () => {
    expectRejected(resolved(), { type: 'assign', assignee: 'bob' }, "cannot assign INC0000001: it is 'resolved'; reopen it first");
  });
});

describe('route (assignment rules and SLA escalations)', () => {
  it('routes by a rule, naming it', () => {
    const ticket = act(incident(), { type: 'route', group: 'desk', assignee: 'bob', source: 'rule', rule: 'incidents-catch-all' }, 'system');
    expect(ticket).toMatchObject({ assignmentGroup: 'desk', assignee: 'bob', assignmentSource: 'rule', reassignmentCount: 0 });
    expect(ticket.assignments).toEqual([{ at: T0, actor: 'system', group: 'desk', assignee: 'bob', source: 'rule', rule: 'incidents-catch-all' }]);
    expect(last(ticket)).toEqual({ at: T0, actor: 'system', kind: 'assigned', text: "Assigned to group desk, bob by rule 'incidents-catch-all'" });
  });

  it('re-routes a ticket routed by a rule, counting the reassignment', () => {
    const first = act(incident(), { type: 'route', group: 'desk', assignee: null, source: 'rule', rule: 'a' }, 'system');
    const again = act(first, { type: 'route', group: 'network', assignee: null, source: 'sla' }, 'system');
    expect(again).toMatchObject({ assignmentGroup: 'network', assignmentSource: 'sla', reassignmentCount: 1 });
    expect(last(again).text).toBe('Assigned to group network by SLA escalation');
  });

  it('never overrides a manual assignment', () => {
    const message = 'INC0000001 was assigned by hand; rules do not override that';
    expectRejected(act(incident(), { type: 'assign', group: 'desk' }), { type: 'route', group: 'network', assignee: null, source: 'rule', rule: 'a' }, message);
    // A group chosen when opening is a manual choice too.
    expectRejected(incident({ assignmentGroup: 'desk' }), { type: 'route', group: 'network', assignee: null, source: 'sla' }, message);
  });

  it('a manual assignment after a rule takes over', () => {
    const routed = act(incident(), { type: 'route', group: 'desk', assignee: null, source: 'rule', rule: 'a' }, 'system');
    const manual = act(routed, { type: 'assign', assignee: 'bob' });
    expect(manual.assignmentSource).toBe('manual');
    expect(ticketRejection(manual, { type: 'route', group: 'network', assignee: null, source: 'rule', rule: 'a' }, ctx('system'))).toBe(
      'INC0000001 was assigned by hand; rules do not override that',
    );
  });

  it('is refused on a resolved incident', () => {
    expectRejected(resolved(), { type: 'route', group: 'network', assignee: null, source: 'rule', rule: 'a' }, "cannot route INC0000001: it is 'resolved'; reopen it first");
  });
});

describe('update', () => {
  it("recomputes the priority from impact and urgency with the settings' matrix, recording both changes", () => {
    const ticket = act(incident(), { type: 'update', changes: { impact: 1, urgency: 2 } }, AGENT, at(H));
    expect(ticket).toMatchObject({ impact: 1, urgency: 2, priority: 'P2' });
    expect(ticket.timeline.slice(-2)).toEqual([
      { at: at(H), actor: AGENT, kind: 'work_note', text: 'Updated impact, urgency' },
      { at: at(H), actor: AGENT, kind: 'priority_changed', from: 'P5', to: 'P2', text: 'Priority changed from P5 to P2' },
    ]);
  });

  it('uses the priority matrix of the settings, not the default one', () => {
    const flat: PriorityMatrix = { 1: { 1: 'P1', 2: 'P1', 3: 'P1' }, 2: { 1: 'P4', 2: 'P4', 3: 'P4' }, 3: { 1: 'P4', 2: 'P4', 3: 'P4' } };
    const c: ActionContext = { actor: AGENT, now: T0, settings: { ...DEFAULT_SETTINGS, priorityMatrix: flat } };
    const ticket = applyTicketAction(incident(), { type: 'update', changes: { impact: 1 } }, c);
    expect(ticket.priority).toBe('P1');
    expect(applyTicketAction(incident(), { type: 'update', changes: { urgency: 1 } }, c).priority).toBe('P4');
  });

  it('keeps the priority and records no priority change when it stays the same', () => {
    const ticket = act(incident(), { type: 'update', changes: { title: 'Printer on fire', description: undefined, category: 'hardware' } });
    expect(ticket).toMatchObject({ title: 'Printer on fire', description: 'Floor 3', category: 'hardware', priority: 'P5' });
    expect(last(ticket)).toEqual({ at: T0, actor: AGENT, kind: 'work_note', text: 'Updated title, category' });
  });

  it('keeps an SLA boost on top of the matrix', () => {
    const boosted: Incident = { ...incident(), priorityBoost: 1, priority: 'P4' };
    expect(act(boosted, { type: 'update', changes: { impact: 2 } }).priority).toBe('P3');
  });

  it('is refused on a resolved incident', () => {
    expectRejected(resolved(), { type: 'update', changes: { title: 'x' } }, "cannot update INC0000001: it is 'resolved'; reopen it first");
  });
});

describe('watch', () => {
  it('adds and removes the actor as a watcher, once', () => {
    const watched = act(act(incident(), { type: 'watch', watching: true }, 'walt'), { type: 'watch', watching: true }, 'walt');
    expect(watched.watchers).toEqual(['walt']);
    const two = act(watched, { type: 'watch', watching: true }, 'wendy');
    expect(two.watchers).toEqual(['walt', 'wendy']);
    expect(act(two, { type: 'watch', watching: false }, 'walt').watchers).toEqual(['wendy']);
  });

  it('is allowed on a resolved ticket', () => {
    expect(act(resolved(), { type: 'watch', watching: true }, 'walt').watchers).toEqual(['walt']);
  });
});

describe('comments and work notes', () => {
  it('records a comment and a work note with their kinds', () => {
    const ticket = act(act(incident(), { type: 'comment', text: 'On my way', workNote: false }), { type: 'comment', text: 'Toner low too', workNote: true }, AGENT, at(H));
    expect(ticket.timeline.slice(-2)).toEqual([
      { at: T0, actor: AGENT, kind: 'comment', text: 'On my way' },
      { at: at(H), actor: AGENT, kind: 'work_note', text: 'Toner low too' },
    ]);
    expect(ticket.version).toBe(3);
  });

  it('withoutWorkNotes hides the work notes only, leaving the ticket itself untouched', () => {
    const ticket = act(act(incident(), { type: 'comment', text: 'On my way', workNote: false }), { type: 'comment', text: 'secret', workNote: true });
    const shown = withoutWorkNotes(ticket);
    expect(shown.timeline.map((e) => e.kind)).toEqual(['created', 'comment']);
    expect(ticket.timeline.map((e) => e.kind)).toEqual(['created', 'comment', 'work_note']);
    expect({ ...shown, timeline: ticket.timeline }).toEqual(ticket);
  });

  it('are allowed on a resolved incident', () => {
    expect(last(act(resolved(), { type: 'comment', text: 'thanks', workNote: false }, CALLER))).toEqual({ at: T0, actor: CALLER, kind: 'comment', text: 'thanks' });
  });
});

describe('isVisible', () => {
  const ticket = { assignmentGroup: 'desk', openedBy: CALLER, watchers: ['walt'] };
  const scope = (username: string, groups: string[] = [], all = false) => ({ all, username, groups });

  it('shows everything to a caller who sees all', () => {
    expect(isVisible(ticket, scope('zed', [], true))).toBe(true);
  });

  it('shows a ticket to who opened it, its watchers and its group', () => {
    expect(isVisible(ticket, scope(CALLER))).toBe(true);
    expect(isVisible(ticket, scope('walt'))).toBe(true);
    expect(isVisible(ticket, scope('bob', ['network', 'desk']))).toBe(true);
  });

  it('shows a ticket to those who were asked to approve it', () => {
    expect(isVisible({ ...ticket, participants: ['mgr1'] }, scope('mgr1'))).toBe(true);
    expect(isVisible({ ...ticket, participants: ['mgr1'] }, scope('mgr2'))).toBe(false);
  });

  it('shows a request to every group with a fulfilment task on it, and to approvers after they decided', () => {
    const request = openRequest(
      { item: { id: 'x', name: 'X', category: 'access', fulfilmentGroup: 'desk', tasks: [{ title: 'account', group: 'desk' }, { title: 'vpn', group: 'network' }] }, answers: {}, approvalLevels: [{ name: 'Manager', approvers: ['mgr1'], mode: { type: 'any' } }] },
      'REQ0000009',
      ctx(CALLER),
    );
    expect(isVisible(visibilityOf(request), scope('nina', ['network']))).toBe(true);
    expect(isVisible(visibilityOf(request), scope('olga', ['dba']))).toBe(false);
    const approved = applyTicketAction(request, { type: 'decide', decision: 'approve', comment: '' }, ctx('mgr1'));
    expect(isVisible(visibilityOf(approved), scope('mgr1'))).toBe(true);
  });

  it('hides it from everybody else, also an unassigned ticket from every group', () => {
    expect(isVisible(ticket, scope('zed', ['network']))).toBe(false);
    expect(isVisible({ ...ticket, assignmentGroup: null }, scope('zed', ['network', 'desk']))).toBe(false);
  });
});

describe('final states accept nothing', () => {
  const approving = () =>
    openRequest(
      { item: { id: 'x', name: 'X', category: 'hardware', fulfilmentGroup: 'desk', tasks: [{ title: 't', group: 'desk' }] }, answers: {}, approvalLevels: [{ name: 'Manager', approvers: ['mgr1'], mode: { type: 'any' } }] },
      'REQ0000001',
      ctx(CALLER),
    );
  const finals: Array<[string, () => Ticket]> = [
    ['closed incident', () => act(resolved(), { type: 'close' })],
    ['cancelled incident', () => act(incident(), { type: 'cancel', reason: 'dup' })],
    ['rejected request', () => act(approving(), { type: 'decide', decision: 'reject', comment: 'no' }, 'mgr1')],
    ['cancelled request', () => act(approving(), { type: 'cancel', reason: 'no' })],
    ['cancelled problem', () => act(openProblem({ title: 'p', description: '', impact: 3, urgency: 3 }, 'PRB0000001', ctx()), { type: 'cancel', reason: 'no' })],
  ];
  const actions: AnyAction[] = [
    { type: 'comment', text: 'hi', workNote: false },
    { type: 'watch', watching: true },
    { type: 'assign', assignee: 'bob' },
    { type: 'update', changes: { title: 'x' } },
    { type: 'route', group: 'desk', assignee: null, source: 'rule', rule: 'a' },
    { type: 'close' },
  ];

  it.each(finals)('a %s refuses every action', (_name, make) => {
    const ticket = make();
    expect(isFinal(ticket)).toBe(true);
    expect(isOpen(ticket)).toBe(false);
    for (const action of actions) expectRejected(ticket, action, `${ticket.number} is ${ticket.state} and accepts no more actions`);
  });

  it('resolved and fulfilled tickets are done but not final', () => {
    const done = resolved();
    expect(isFinal(done)).toBe(false);
    expect(isOpen(done)).toBe(false);
    expect(isOpen(incident())).toBe(true);
    expect(isOpen({ state: 'fulfilled' })).toBe(false);
    expect(isOpen({ state: 'known_error' })).toBe(true);
  });
});
