import { applyAction, type Incident, isFinal, openIncident, rejectionOf, TransitionRejected, withoutWorkNotes } from '../../domain/incident';

const T0 = '2026-03-01T09:00:00.000Z';
const T1 = '2026-03-01T09:05:00.000Z';
const open = (): Incident => openIncident({ title: 'VPN down', description: 'all users', impact: 1, urgency: 1 }, 'INC0000007', 'carol', T0);

describe('opening an incident', () => {
  it('starts new, at version 1, with its priority from impact × urgency and a created timeline entry', () => {
    expect(open()).toMatchObject({ number: 'INC0000007', state: 'new', priority: 'P1', version: 1, assignee: null, createdAt: T0, updatedAt: T0 });
    expect(open().timeline).toEqual([{ at: T0, actor: 'carol', kind: 'created', text: 'Incident opened with priority P1' }]);
  });
});

describe('incident transitions', () => {
  const assigned = () => applyAction(open(), { type: 'assign', assignee: 'dave' }, 'carol', T1);

  it('assigns without changing state and bumps the version', () => {
    expect(assigned()).toMatchObject({ state: 'new', assignee: 'dave', version: 2, updatedAt: T1 });
    expect(assigned().timeline[1]).toEqual({ at: T1, actor: 'carol', kind: 'assigned', text: 'Assigned to dave' });
  });

  it('needs an assignee before work starts', () => {
    expect(rejectionOf(open(), { type: 'start' })).toBe('cannot start INC0000007: assign it to someone first');
    expect(applyAction(assigned(), { type: 'start' }, 'dave', T1).state).toBe('in_progress');
  });

  it('runs the whole lifecycle to closed, recording each state change', () => {
    let incident = applyAction(assigned(), { type: 'start' }, 'dave', T1);
    incident = applyAction(incident, { type: 'resolve', resolutionCode: 'workaround', resolutionNotes: 'rebooted the concentrator' }, 'dave', T1);
    expect(incident).toMatchObject({ state: 'resolved', resolutionCode: 'workaround', resolvedAt: T1 });
    expect(isFinal(incident)).toBe(false);
    incident = applyAction(incident, { type: 'close' }, 'dave', T1);
    expect(incident).toMatchObject({ state: 'closed', closedAt: T1, version: 5 });
    expect(isFinal(incident)).toBe(true);
    expect(incident.timeline.filter((e) => e.kind === 'state_changed').map((e) => `${e.from}->${e.to}`)).toEqual([
      'new->in_progress',
      'in_progress->resolved',
      'resolved->closed',
    ]);
  });

  it.each([
    ['resolve', 'new', { type: 'resolve', resolutionCode: 'x', resolutionNotes: 'y' }, "cannot resolve INC0000007: it is 'new', and resolve needs 'in_progress'"],
    ['close', 'new', { type: 'close' }, "cannot close INC0000007: it is 'new', and close needs 'resolved'"],
  ] as const)('rejects %s from %s and says why', (_action, _state, action, reason) => {
    expect(rejectionOf(open(), action)).toBe(reason);
    expect(() => applyAction(open(), action, 'x', T1)).toThrow(new TransitionRejected(reason));
  });

  it('accepts nothing once closed', () => {
    let incident = applyAction(assigned(), { type: 'start' }, 'd', T1);
    incident = applyAction(incident, { type: 'resolve', resolutionCode: 'x', resolutionNotes: 'y' }, 'd', T1);
    incident = applyAction(incident, { type: 'close' }, 'd', T1);
    for (const action of [{ type: 'assign', assignee: 'e' }, { type: 'start' }, { type: 'close' }] as const) {
      expect(rejectionOf(incident, action)).toMatch(/it is 'closed'/);
    }
  });

  it('does not modify the incident it is given', () => {
    const before = open();
    const snapshot = structuredClone(before);
    applyAction(before, { type: 'assign', assignee: 'dave' }, 'carol', T1);
    expect(before).toEqual(snapshot);
  });
});

describe('comments and work notes', () => {
  it('adds them to the timeline without changing state, and not once closed', () => {
    const noted = applyAction(open(), { type: 'comment', text: 'checking the VPN concentrator', workNote: true }, 'dave', T1);
    expect(noted).toMatchObject({ state: 'new', version: 2 });
    expect(noted.timeline[1]).toEqual({ at: T1, actor: 'dave', kind: 'work_note', text: 'checking the VPN concentrator' });
    expect(withoutWorkNotes(noted).timeline.map((e) => e.kind)).toEqual(['created']);
    expect(applyAction(noted, { type: 'comment', text: 'we are on it', workNote: false }, 'dave', T1).timeline[2]!.kind).toBe('comment');
  });
});
