import { TransitionRejected } from '../../domain/ticket/common';
import { HOLD_REASONS, type Incident, openIncident } from '../../domain/ticket/incident';
import { type ActionContext, DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { type AnyAction, applyTicketAction, ticketRejection, withoutWorkNotes } from '../../domain/ticket/ticket';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = '2026-06-01T08:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const CALLER = 'carol';
const AGENT = 'alice';
const ctx = (actor = AGENT, now = T0): ActionContext => ({ actor, now, settings: DEFAULT_SETTINGS });

function act(incident: Incident, action: AnyAction, actor = AGENT, now = T0): Incident {
  return applyTicketAction(incident, action, ctx(actor, now)) as Incident;
}

/** Asserts the exact refusal, both from ticketRejection and as the TransitionRejected applyTicketAction throws. */
function expectRejected(incident: Incident, action: AnyAction, message: string, c: ActionContext = ctx()): void {
  expect(ticketRejection(incident, action, c)).toBe(message);
  let thrown: unknown;
  try {
    applyTicketAction(incident, action, c);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TransitionRejected);
  expect((thrown as Error).message).toBe(message);
}

const opened = (): Incident =>
  openIncident({ title: 'VPN down', description: 'Cannot connect from home', impact: 2, urgency: 2, category: 'network' }, 'INC0000001', ctx(CALLER));
const assigned = (): Incident => act(opened(), { type: 'assign', group: 'network', assignee: AGENT });
const started = (): Incident => act(assigned(), { type: 'start' });
const resolved = (now = T0): Incident => act(started(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'Restarted the gateway' }, AGENT, now);
const last = (incident: Incident) => incident.timeline[incident.timeline.length - 1];

describe('opening an incident', () => {
  it('starts new at version 1 with the priority of the impact × urgency matrix and a created entry', () => {
    const incident = opened();
    expect(incident).toEqual({
      number: 'INC0000001',
      kind: 'incident',
      title: 'VPN down',
      description: 'Cannot connect from home',
      category: 'network',
      service: null,
      affectedCis: [],
      impact: 2,
      urgency: 2,
      priority: 'P3',
      priorityBoost: 0,
      state: 'new',
      assignmentGroup: null,
      assignee: null,
      assignmentSource: null,
      assignments: [],
      reassignmentCount: 0,
      openedBy: CALLER,
      watchers: [],
      createdAt: T0,
      updatedAt: T0,
      version: 1,
      timeline: [{ at: T0, actor: CALLER, kind: 'created', text: 'Incident opened with priority P3' }],
      slas: [],
      holdReason: null,
      resolutionCode: null,
      resolutionNotes: null,
      resolvedAt: null,
      closedAt: null,
      reopenCount: 0,
      parent: null,
      children: [],
      problem: null,
    });
  });

  it('records a group chosen at opening as a manual assignment', () => {
    const incident = openIncident({ title: 'Disk full', description: '', impact: 1, urgency: 1, assignmentGroup: 'dba' }, 'INC0000002', ctx(CALLER));
    expect(incident.priority).toBe('P1');
    expect(incident.assignmentGroup).toBe('dba');
    expect(incident.assignmentSource).toBe('manual');
    expect(incident.assignments).toEqual([{ at: T0, actor: CALLER, group: 'dba', assignee: null, source: 'manual' }]);
    expect(incident.reassignmentCount).toBe(0);
  });
});

describe('start', () => {
  it('needs an assignee, not just a group', () => {
    expectRejected(opened(), { type: 'start' }, 'cannot start INC0000001: assign it to someone first');
    expectRejected(act(opened(), { type: 'assign', group: 'network' }), { type: 'start' }, 'cannot start INC0000001: assign it to someone first');
  });

  it('moves an assigned incident from new to in_progress, one version later', () => {
    const before = assigned();
    const incident = act(before, { type: 'start' }, AGENT, at(H));
    expect(incident.state).toBe('in_progress');
    expect(incident.version).toBe(before.version + 1);
    expect(incident.updatedAt).toBe(at(H));
    expect(last(incident)).toEqual({ at: at(H), actor: AGENT, kind: 'state_changed', from: 'new', to: 'in_progress', text: 'State changed from new to in_progress' });
  });

  it('does not modify the incident it was given', () => {
    const before = assigned();
    const copy = structuredClone(before);
    act(before, { type: 'start' });
    expect(before).toEqual(copy);
  });

  it('is refused once started', () => {
    expectRejected(started(), { type: 'start' }, "cannot start INC0000001: it is 'in_progress', and start needs 'new'");
  });
});

describe('hold', () => {
  it.each(HOLD_REASONS)('puts an in-progress incident on hold for %s', (reason) => {
    const incident = act(started(), { type: 'hold', reason, comment: 'Please send a screenshot' });
    expect(incident.state).toBe('on_hold');
    expect(incident.holdReason).toBe(reason);
    expect(incident.timeline.slice(-2)).toEqual([
      { at: T0, actor: AGENT, kind: 'state_changed', from: 'in_progress', to: 'on_hold', text: `State changed from in_progress to on_hold: ${reason.replace('_', ' ')}` },
      { at: T0, actor: AGENT, kind: 'comment', text: 'Please send a screenshot' },
    ]);
  });

  it.each(['change', 'problem', 'vendor'] as const)('needs no comment for %s', (reason) => {
    const before = started();
    const incident = act(before, { type: 'hold', reason });
    expect(incident.holdReason).toBe(reason);
    expect(incident.timeline).toHaveLength(before.timeline.length + 1);
    expect(last(incident).kind).toBe('state_changed');
  });

  it('awaiting_caller needs a comment telling the caller what is needed', () => {
    const message = 'cannot put INC0000001 on hold awaiting the caller without a comment telling them what is needed';
    expectRejected(started(), { type: 'hold', reason: 'awaiting_caller' }, message);
    expectRejected(started(), { type: 'hold', reason: 'awaiting_caller', comment: '   ' }, message);
  });

  it('adds the awaiting_caller comment, trimmed, as a comment the caller sees (not a work note)', () => {
    const incident = act(started(), { type: 'hold', reason: 'awaiting_caller', comment: '  Which VPN client version do you use?  ' });
    expect(last(incident)).toEqual({ at: T0, actor: AGENT, kind: 'comment', text: 'Which VPN client version do you use?' });
    expect(last(withoutWorkNotes(incident))).toEqual(last(incident));
  });

  it('is refused unless in progress', () => {
    expectRejected(assigned(), { type: 'hold', reason: 'vendor' }, "cannot hold INC0000001: it is 'new', and hold needs 'in_progress'");
    const held = act(started(), { type: 'hold', reason: 'vendor' });
    expectRejected(held, { type: 'hold', reason: 'change' }, "cannot hold INC0000001: it is 'on_hold', and hold needs 'in_progress'");
  });
});

describe('a reply while awaiting the caller', () => {
  const awaiting = () => act(started(), { type: 'hold', reason: 'awaiting_caller', comment: 'Which client version?' });

  it("resumes the incident when the caller who opened it comments", () => {
    const before = awaiting();
    const incident = act(before, { type: 'comment', text: 'Version 5.2', workNote: false }, CALLER, at(H));
    expect(incident.state).toBe('in_progress');
    expect(incident.holdReason).toBeNull();
    expect(incident.version).toBe(before.version + 1);
    expect(incident.timeline.slice(-2)).toEqual([
      { at: at(H), actor: CALLER, kind: 'comment', text: 'Version 5.2' },
      { at: at(H), actor: CALLER, kind: 'state_changed', from: 'on_hold', to: 'in_progress', text: 'State changed from on_hold to in_progress: the caller replied' },
    ]);
  });

  it("does not resume on an agent's comment", () => {
    const incident = act(awaiting(), { type: 'comment', text: 'Still waiting', workNote: false }, AGENT);
    expect(incident.state).toBe('on_hold');
    expect(incident.holdReason).toBe('awaiting_caller');
    expect(last(incident)).toEqual({ at: T0, actor: AGENT, kind: 'comment', text: 'Still waiting' });
  });

  it("does not resume on the caller's work note", () => {
    const incident = act(awaiting(), { type: 'comment', text: 'note', workNote: true }, CALLER);
    expect(incident.state).toBe('on_hold');
    expect(last(incident).kind).toBe('work_note');
  });

  it.each(['change', 'problem', 'vendor'] as const)('does not resume a hold for %s', (reason) => {
    const incident = act(act(started(), { type: 'hold', reason }), { type: 'comment', text: 'any news?', workNote: false }, CALLER);
    expect(incident.state).toBe('on_hold');
    expect(incident.holdReason).toBe(reason);
  });

  it('changes nothing but the timeline when the incident is not on hold', () => {
    const before = started();
    const incident = act(before, { type: 'comment', text: 'thanks', workNote: false }, CALLER);
    expect(incident.state).toBe('in_progress');
    expect(incident.timeline).toHaveLength(before.timeline.length + 1);
  });
});

describe('resume', () => {
  it('returns an on-hold incident to in_progress and clears the reason', () => {
    const incident = act(act(started(), { type: 'hold', reason: 'vendor' }), { type: 'resume' });
    expect(incident.state).toBe('in_progress');
    expect(incident.holdReason).toBeNull();
    expect(last(incident)).toEqual({ at: T0, actor: AGENT, kind: 'state_changed', from: 'on_hold', to: 'in_progress', text: 'State changed from on_hold to in_progress' });
  });

  it('is refused when not on hold', () => {
    expectRejected(started(), { type: 'resume' }, "cannot resume INC0000001: it is 'in_progress', and resume needs 'on_hold'");
  });
});

describe('resolve', () => {
  it('resolves from in_progress with the code, notes and time', () => {
    const incident = act(started(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'Restarted the gateway' }, AGENT, at(2 * H));
    expect(incident.state).toBe('resolved');
    expect(incident.resolutionCode).toBe('fixed');
    expect(incident.resolutionNotes).toBe('Restarted the gateway');
    expect(incident.resolvedAt).toBe(at(2 * H));
    expect(last(incident)).toEqual({ at: at(2 * H), actor: AGENT, kind: 'state_changed', from: 'in_progress', to: 'resolved', text: 'State changed from in_progress to resolved' });
  });

  it('resolves from on_hold and clears the hold reason', () => {
    const incident = act(act(started(), { type: 'hold', reason: 'vendor' }), { type: 'resolve', resolutionCode: 'workaround', resolutionNotes: 'Vendor patched' });
    expect(incident.state).toBe('resolved');
    expect(incident.holdReason).toBeNull();
    expect(last(incident).from).toBe('on_hold');
  });

  it('is refused from new', () => {
    expectRejected(assigned(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'x' }, "cannot resolve INC0000001: it is 'new', and resolve needs 'in_progress' or 'on_hold'");
  });
});

describe('close', () => {
  it('closes a resolved incident, which then accepts nothing more', () => {
    const incident = act(resolved(), { type: 'close' }, 'system', at(DAY));
    expect(incident.state).toBe('closed');
    expect(incident.closedAt).toBe(at(DAY));
    expectRejected(incident, { type: 'reopen', reason: 'again' }, 'INC0000001 is closed and accepts no more actions');
  });

  it('is refused before resolution', () => {
    expectRejected(started(), { type: 'close' }, "cannot close INC0000001: it is 'in_progress', and close needs 'resolved'");
  });
});

describe('cancel', () => {
  it.each([
    ['new', opened],
    ['in_progress', started],
    ['on_hold', () => act(started(), { type: 'hold', reason: 'vendor' })],
  ] as const)('cancels from %s with the reason in the timeline', (from, make) => {
    const incident = act(make(), { type: 'cancel', reason: 'duplicate of INC0000009' }, CALLER);
    expect(incident.state).toBe('cancelled');
    expect(incident.holdReason).toBeNull();
    expect(last(incident)).toEqual({ at: T0, actor: CALLER, kind: 'state_changed', from, to: 'cancelled', text: `State changed from ${from} to cancelled: duplicate of INC0000009` });
    expectRejected(incident, { type: 'comment', text: 'hello', workNote: false }, 'INC0000001 is cancelled and accepts no more actions');
  });

  it('is refused once resolved', () => {
    expectRejected(resolved(), { type: 'cancel', reason: 'x' }, "cannot cancel INC0000001: it is 'resolved', and cancel needs 'new' or 'in_progress' or 'on_hold'");
  });
});

describe('reopen', () => {
  it('reopens inside the reopen window, clearing the resolution and counting the reopen', () => {
    const incident = act(resolved(), { type: 'reopen', reason: 'still broken' }, CALLER, at(DEFAULT_SETTINGS.reopenWindowMs));
    expect(incident.state).toBe('in_progress');
    expect(incident.resolutionCode).toBeNull();
    expect(incident.resolutionNotes).toBeNull();
    expect(incident.resolvedAt).toBeNull();
    expect(incident.reopenCount).toBe(1);
    expect(last(incident)).toEqual({
      at: at(DEFAULT_SETTINGS.reopenWindowMs),
      actor: CALLER,
      kind: 'state_changed',
      from: 'resolved',
      to: 'in_progress',
      text: 'State changed from resolved to in_progress: still broken',
    });
  });

  it('counts every reopen', () => {
    const once = act(resolved(), { type: 'reopen', reason: 'still broken' }, CALLER, at(H));
    const twice = act(act(once, { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'again' }, AGENT, at(2 * H)), { type: 'reopen', reason: 'no' }, CALLER, at(3 * H));
    expect(twice.reopenCount).toBe(2);
  });

  it('is refused after the window, telling the caller to open a new incident', () => {
    const c = ctx(CALLER, at(DEFAULT_SETTINGS.reopenWindowMs + 1));
    expectRejected(resolved(), { type: 'reopen', reason: 'still broken' }, 'cannot reopen INC0000001: it was resolved more than 7 days ago; open a new incident', c);
  });

  it("measures the window from the resolution and follows the settings' window", () => {
    const oneDay: ActionContext = { actor: CALLER, now: at(2 * H + DAY + 1), settings: { ...DEFAULT_SETTINGS, reopenWindowMs: DAY } };
    const late = resolved(at(2 * H));
    expectRejected(late, { type: 'reopen', reason: 'x' }, 'cannot reopen INC0000001: it was resolved more than 1 day ago; open a new incident', oneDay);
    expect(ticketRejection(late, { type: 'reopen', reason: 'x' }, { ...oneDay, now: at(2 * H + DAY) })).toBeNull();
    const hours: ActionContext = { actor: CALLER, now: at(40 * H), settings: { ...DEFAULT_SETTINGS, reopenWindowMs: 36 * H } };
    expectRejected(resolved(), { type: 'reopen', reason: 'x' }, 'cannot reopen INC0000001: it was resolved more than 36 hours ago; open a new incident', hours);
  });

  it('is refused unless resolved', () => {
    expectRejected(started(), { type: 'reopen', reason: 'x' }, "cannot reopen INC0000001: it is 'in_progress', and reopen needs 'resolved'");
  });
});

describe('parent and children', () => {
  it('makes an incident the child of another and back', () => {
    const child = act(started(), { type: 'set_parent', parent: 'INC0000009' });
    expect(child.parent).toBe('INC0000009');
    expect(last(child)).toEqual({ at: T0, actor: AGENT, kind: 'link', text: 'Made a child of INC0000009' });
    const alone = act(child, { type: 'set_parent', parent: null });
    expect(alone.parent).toBeNull();
    expect(last(alone)).toEqual({ at: T0, actor: AGENT, kind: 'link', text: 'No longer a child of INC0000009' });
  });

  it('refuses an incident as its own parent', () => {
    expectRejected(started(), { type: 'set_parent', parent: 'INC0000001' }, 'INC0000001 cannot be its own parent');
  });

  it('refuses to make a parent a child', () => {
    const parent = act(act(started(), { type: 'child_linked', child: 'INC0000003', linked: true }, 'system'), { type: 'child_linked', child: 'INC0000004', linked: true }, 'system');
    expectRejected(parent, { type: 'set_parent', parent: 'INC0000009' }, 'INC0000001 is a parent of INC0000003, INC0000004 and cannot also be a child');
  });

  it('refuses to unlink a parent the incident does not have', () => {
    expectRejected(started(), { type: 'set_parent', parent: null }, 'INC0000001 is not a child of any incident');
  });

  it('is refused once resolved', () => {
    expectRejected(resolved(), { type: 'set_parent', parent: 'INC0000009' }, "cannot set parent INC0000001: it is 'resolved', and set parent needs 'new' or 'in_progress' or 'on_hold'");
  });

  it('records children as they link and unlink, once each, also when resolved', () => {
    const once = act(resolved(), { type: 'child_linked', child: 'INC0000003', linked: true }, 'system');
    expect(once.children).toEqual(['INC0000003']);
    expect(last(once)).toEqual({ at: T0, actor: 'system', kind: 'link', text: 'INC0000003 is now a child' });
    const again = act(act(once, { type: 'child_linked', child: 'INC0000004', linked: true }, 'system'), { type: 'child_linked', child: 'INC0000003', linked: true }, 'system');
    expect(again.children).toEqual(['INC0000004', 'INC0000003']);
    const removed = act(again, { type: 'child_linked', child: 'INC0000003', linked: false }, 'system');
    expect(removed.children).toEqual(['INC0000004']);
    expect(last(removed)).toEqual({ at: T0, actor: 'system', kind: 'link', text: 'INC0000003 is no longer a child' });
  });
});

describe('cascade_resolve', () => {
  it.each([
    ['new', opened],
    ['in_progress', started],
    ['on_hold', () => act(started(), { type: 'hold', reason: 'vendor' })],
  ] as const)('resolves a child from %s with the source named', (from, make) => {
    const incident = act(make(), { type: 'cascade_resolve', source: 'INC0000009', resolutionCode: 'fixed', resolutionNotes: 'Core switch replaced' }, 'system', at(H));
    expect(incident.state).toBe('resolved');
    expect(incident.resolutionCode).toBe('fixed');
    expect(incident.resolutionNotes).toBe('Core switch replaced');
    expect(incident.resolvedAt).toBe(at(H));
    expect(incident.holdReason).toBeNull();
    expect(last(incident)).toEqual({ at: at(H), actor: 'system', kind: 'state_changed', from, to: 'resolved', text: `State changed from ${from} to resolved: resolved with INC0000009` });
  });

  it('is refused for an incident already resolved', () => {
    expectRejected(
      resolved(),
      { type: 'cascade_resolve', source: 'INC0000009', resolutionCode: 'fixed', resolutionNotes: 'x' },
      "cannot cascade resolve INC0000001: it is 'resolved', and cascade resolve needs 'new' or 'in_progress' or 'on_hold'",
    );
  });
});

describe('link_problem', () => {
  it('links and unlinks a problem, also once resolved', () => {
    const linked = act(resolved(), { type: 'link_problem', problem: 'PRB0000001' });
    expect(linked.problem).toBe('PRB0000001');
    expect(last(linked)).toEqual({ at: T0, actor: AGENT, kind: 'link', text: 'Linked to problem PRB0000001' });
    const unlinked = act(linked, { type: 'link_problem', problem: null });
    expect(unlinked.problem).toBeNull();
    expect(last(unlinked)).toEqual({ at: T0, actor: AGENT, kind: 'link', text: 'Unlinked from problem PRB0000001' });
  });

  it('refuses to unlink a problem the incident is not linked to', () => {
    expectRejected(started(), { type: 'link_problem', problem: null }, 'INC0000001 is not linked to a problem');
  });

  it('is refused once closed', () => {
    const closed = act(resolved(), { type: 'close' });
    expectRejected(closed, { type: 'link_problem', problem: 'PRB0000001' }, 'INC0000001 is closed and accepts no more actions');
  });
});

it('refuses actions of other ticket kinds', () => {
  expectRejected(started(), { type: 'decide', decision: 'approve', comment: '' }, "incident INC0000001 has no action 'decide'");
});
