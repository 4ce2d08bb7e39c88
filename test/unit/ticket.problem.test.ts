import { TransitionRejected } from '../../domain/ticket/common';
import { openProblem, type Problem } from '../../domain/ticket/problem';
import { type ActionContext, DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { type AnyAction, applyTicketAction, ticketRejection } from '../../domain/ticket/ticket';

const H = 3_600_000;
const T0 = '2026-06-01T08:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const MANAGER = 'pam';
const ANALYST = 'alice';
const ctx = (actor = ANALYST, now = T0): ActionContext => ({ actor, now, settings: DEFAULT_SETTINGS });

function act(problem: Problem, action: AnyAction, actor = ANALYST, now = T0): Problem {
  return applyTicketAction(problem, action, ctx(actor, now)) as Problem;
}

function expectRejected(problem: Problem, action: AnyAction, message: string, c: ActionContext = ctx()): void {
  expect(ticketRejection(problem, action, c)).toBe(message);
  let thrown: unknown;
  try {
    applyTicketAction(problem, action, c);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TransitionRejected);
  expect((thrown as Error).message).toBe(message);
}

const opened = (): Problem =>
  openProblem({ title: 'VPN gateway drops sessions', description: 'Recurring', impact: 1, urgency: 3, service: 'remote-access', assignmentGroup: 'problem-management' }, 'PRB0000001', ctx(MANAGER));
const started = (): Problem => act(act(opened(), { type: 'assign', assignee: ANALYST }), { type: 'start' });
const analysed = (): Problem => act(started(), { type: 'analyse', rootCause: 'Memory leak in firmware 4.1', workaround: 'Restart the gateway nightly' });
const knownError = (): Problem => act(analysed(), { type: 'publish_known_error' }, ANALYST, at(H));
const withIncidents = (problem: Problem, ...incidents: string[]): Problem =>
  incidents.reduce((p, incident) => act(p, { type: 'incident_linked', incident, linked: true }, 'system'), problem);
const resolved = (): Problem => act(knownError(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'Firmware 4.2', resolveIncidents: false });
const last = (problem: Problem) => problem.timeline[problem.timeline.length - 1];

describe('opening a problem', () => {
  it('starts new at version 1 with its priority and a created entry', () => {
    const problem = opened();
    expect(problem).toMatchObject({
      number: 'PRB0000001',
      kind: 'problem',
      state: 'new',
      priority: 'P3',
      service: 'remote-access',
      assignmentGroup: 'problem-management',
      assignmentSource: 'manual',
      openedBy: MANAGER,
      version: 1,
      rootCause: null,
      workaround: null,
      knownErrorAt: null,
      linkedIncidents: [],
      resolveIncidentsOnResolve: false,
      resolutionCode: null,
      resolutionNotes: null,
      resolvedAt: null,
      closedAt: null,
    });
    expect(problem.timeline).toEqual([{ at: T0, actor: MANAGER, kind: 'created', text: 'Problem opened with priority P3' }]);
  });
});

describe('start', () => {
  it('needs an assignee', () => {
    expectRejected(opened(), { type: 'start' }, 'cannot start PRB0000001: assign it to someone first');
  });

  it('moves an assigned problem to in_progress', () => {
    const problem = started();
    expect(problem.state).toBe('in_progress');
    expect(last(problem)).toEqual({ at: T0, actor: ANALYST, kind: 'state_changed', from: 'new', to: 'in_progress', text: 'State changed from new to in_progress' });
  });

  it('is refused once started', () => {
    expectRejected(started(), { type: 'start' }, "cannot start PRB0000001: it is 'in_progress', and start needs 'new'");
  });
});

describe('analyse', () => {
  it('records the root cause and workaround as a work note, leaving the state alone', () => {
    const problem = analysed();
    expect(problem.state).toBe('in_progress');
    expect(problem.rootCause).toBe('Memory leak in firmware 4.1');
    expect(problem.workaround).toBe('Restart the gateway nightly');
    expect(last(problem)).toEqual({ at: T0, actor: ANALYST, kind: 'work_note', text: 'Recorded the root cause and workaround' });
  });

  it('records either one alone and keeps the other', () => {
    const cause = act(started(), { type: 'analyse', rootCause: 'Leak' });
    expect(cause).toMatchObject({ rootCause: 'Leak', workaround: null });
    expect(last(cause).text).toBe('Recorded the root cause');
    const both = act(cause, { type: 'analyse', workaround: 'Restart' });
    expect(both).toMatchObject({ rootCause: 'Leak', workaround: 'Restart' });
    expect(last(both).text).toBe('Recorded the workaround');
  });

  it('names the analysis when nothing was given', () => {
    expect(last(act(started(), { type: 'analyse' })).text).toBe('Recorded the analysis');
  });

  it('is allowed while new and as a known error', () => {
    expect(act(opened(), { type: 'analyse', rootCause: 'Leak' }).rootCause).toBe('Leak');
    expect(act(knownError(), { type: 'analyse', workaround: 'Downgrade' }).workaround).toBe('Downgrade');
  });

  it('is refused once resolved', () => {
    expectRejected(resolved(), { type: 'analyse', rootCause: 'x' }, "cannot analyse PRB0000001: it is 'resolved', and analyse needs 'new' or 'in_progress' or 'known_error'");
  });
});

describe('publish_known_error', () => {
  const message = 'cannot publish PRB0000001 as a known error: record its root cause and a workaround first';

  it('needs both a root cause and a workaround', () => {
    expectRejected(started(), { type: 'publish_known_error' }, message);
    expectRejected(act(started(), { type: 'analyse', rootCause: 'Leak' }), { type: 'publish_known_error' }, message);
    expectRejected(act(started(), { type: 'analyse', workaround: 'Restart' }), { type: 'publish_known_error' }, message);
  });

  it('publishes an analysed problem as a known error', () => {
    const problem = knownError();
    expect(problem.state).toBe('known_error');
    expect(problem.knownErrorAt).toBe(at(H));
    expect(last(problem)).toEqual({
      at: at(H),
      actor: ANALYST,
      kind: 'state_changed',
      from: 'in_progress',
      to: 'known_error',
      text: 'State changed from in_progress to known_error: published to the known-error database',
    });
  });

  it('is refused outside in_progress, naming the action in words', () => {
    expectRejected(opened(), { type: 'publish_known_error' }, "cannot publish known error PRB0000001: it is 'new', and publish known error needs 'in_progress'");
  });
});

describe('resolve', () => {
  it('resolves and also its incidents when asked, naming them', () => {
    const problem = act(withIncidents(knownError(), 'INC0000001', 'INC0000002'), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'Firmware 4.2', resolveIncidents: true }, ANALYST, at(2 * H));
    expect(problem).toMatchObject({ state: 'resolved', resolutionCode: 'fixed', resolutionNotes: 'Firmware 4.2', resolvedAt: at(2 * H), resolveIncidentsOnResolve: true });
    expect(last(problem)).toEqual({
      at: at(2 * H),
      actor: ANALYST,
      kind: 'state_changed',
      from: 'known_error',
      to: 'resolved',
      text: 'State changed from known_error to resolved: resolving INC0000001, INC0000002 with it',
    });
  });

  it('leaves the incidents alone when not asked', () => {
    const problem = act(withIncidents(started(), 'INC0000001'), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'x', resolveIncidents: false });
    expect(problem.resolveIncidentsOnResolve).toBe(false);
    expect(last(problem).text).toBe('State changed from in_progress to resolved');
  });

  it('names no incidents when none are linked', () => {
    const problem = act(started(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'x', resolveIncidents: true });
    expect(problem.resolveIncidentsOnResolve).toBe(true);
    expect(last(problem).text).toBe('State changed from in_progress to resolved');
  });

  it('is refused while new', () => {
    expectRejected(opened(), { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'x', resolveIncidents: false }, "cannot resolve PRB0000001: it is 'new', and resolve needs 'in_progress' or 'known_error'");
  });
});

describe('incident_linked', () => {
  it('adds and removes incidents once each, also after resolution', () => {
    const linked = withIncidents(resolved(), 'INC0000001', 'INC0000002', 'INC0000001');
    expect(linked.linkedIncidents).toEqual(['INC0000002', 'INC0000001']);
    expect(last(linked)).toEqual({ at: T0, actor: 'system', kind: 'link', text: 'INC0000001 linked' });
    const unlinked = act(linked, { type: 'incident_linked', incident: 'INC0000002', linked: false }, 'system');
    expect(unlinked.linkedIncidents).toEqual(['INC0000001']);
    expect(last(unlinked)).toEqual({ at: T0, actor: 'system', kind: 'link', text: 'INC0000002 unlinked' });
  });
});

describe('cancel and close', () => {
  it.each([
    ['new', opened],
    ['in_progress', started],
    ['known_error', knownError],
  ] as const)('cancels from %s', (from, make) => {
    const problem = act(make(), { type: 'cancel', reason: 'duplicate of PRB0000007' }, MANAGER);
    expect(problem.state).toBe('cancelled');
    expect(last(problem)).toEqual({ at: T0, actor: MANAGER, kind: 'state_changed', from, to: 'cancelled', text: `State changed from ${from} to cancelled: duplicate of PRB0000007` });
    expectRejected(problem, { type: 'incident_linked', incident: 'INC0000001', linked: true }, 'PRB0000001 is cancelled and accepts no more actions');
  });

  it('refuses to cancel a resolved problem', () => {
    expectRejected(resolved(), { type: 'cancel', reason: 'x' }, "cannot cancel PRB0000001: it is 'resolved', and cancel needs 'new' or 'in_progress' or 'known_error'");
  });

  it('closes a resolved problem, which then accepts nothing more', () => {
    const problem = act(resolved(), { type: 'close' }, MANAGER, at(3 * H));
    expect(problem.state).toBe('closed');
    expect(problem.closedAt).toBe(at(3 * H));
    expectRejected(problem, { type: 'comment', text: 'x', workNote: true }, 'PRB0000001 is closed and accepts no more actions');
  });

  it('refuses to close before resolution', () => {
    expectRejected(knownError(), { type: 'close' }, "cannot close PRB0000001: it is 'known_error', and close needs 'resolved'");
  });

  it('refuses to update a resolved problem, without suggesting a reopen problems do not have', () => {
    expectRejected(resolved(), { type: 'update', changes: { title: 'x' } }, "cannot update PRB0000001: it is 'resolved'");
  });

  it('refuses actions of other ticket kinds', () => {
    expectRejected(started(), { type: 'hold', reason: 'vendor', comment: 'x' }, "problem PRB0000001 has no action 'hold'");
  });
});
