import { applyUpdate, decide, finished, type GroupAlertUpdate, type GroupState, incidentAcknowledged, incidentClosed, newGroup, recordAction, runEnded } from '../../../domain/alert/group';
import { type AlertRule, groupParts, ruleFor, validateAlertRules } from '../../../domain/alert/rules';

function rules(input: unknown): AlertRule[] {
  const result = validateAlertRules(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules;
}

const [diskRule, catchAll] = rules({
  rules: [
    { id: 'disk-full', match: '{alertname="DiskFull"}', minSeverity: 'warning', groupBy: ['ci'], groupWindow: '30m', holdFor: '2m', incident: { fallbackGroup: 'service-desk', reopenWithin: '1h' } },
    { id: 'track-only', groupBy: ['labels.alertname'], groupWindow: '10m' },
  ],
});

const T0 = Date.parse('2026-12-04T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function update(id: string, state: GroupAlertUpdate['state'], minutes: number, extra: Partial<GroupAlertUpdate> = {}): GroupAlertUpdate {
  return { id, state, severity: 'critical', name: 'DiskFull', summary: '/data 97% full', ciId: 'host-1', ciName: 'db-02', criticality: 'critical', ownerGroup: 'unix', flapping: false, acknowledgedBy: null, startsAt: at(0), at: at(minutes), ...extra };
}

/** Applies updates, then carries out every action at `now` as the workflow would (numbers INC1, INC2…). */
function run(state: GroupState, updates: GroupAlertUpdate[], now: number) {
  for (const u of updates) state = applyUpdate(state, u).state;
  const { actions, wakeAt } = decide(state, diskRule!, at(now));
  let n = 0;
  for (const a of actions) state = recordAction(state, a, at(now), a.type === 'open_incident' ? `INC${++n}` : undefined);
  return { state, actions, wakeAt };
}

describe('rules', () => {
  test('the first rule whose matchers and minimum severity hold takes the alert; group parts', () => {
    const alert = { labels: { alertname: 'DiskFull', mountpoint: '/data' }, severity: 'major' as const, source: 'alertmanager', ciId: 'host-1', application: 'app-1' };
    expect(ruleFor(alert, [diskRule!, catchAll!])!.id).toBe('disk-full');
    expect(ruleFor({ ...alert, severity: 'info' }, [diskRule!, catchAll!])!.id).toBe('track-only');
    expect(groupParts(diskRule!, alert)).toEqual(['host-1']);
    expect(groupParts(catchAll!, alert)).toEqual(['DiskFull']);
    expect(groupParts(diskRule!, { ...alert, ciId: null })).toEqual(['']);
  });

  test('mistakes are named by path', () => {
    const result = validateAlertRules({ rules: [{ id: 'Bad Id', match: '{a=~"("}', groupBy: ['host'], groupWindow: '0s', resolve: 'remediation', extra: 1 }, { id: 'x', groupWindow: '5m' }, { id: 'x', groupWindow: '5m' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(['rules[0].extra', 'rules[0].id', 'rules[0].match', 'rules[0].groupBy', 'rules[0].groupWindow', 'rules[0].resolve', 'rules[2].id']);
  });
});

describe('the group', () => {
  test('holds for holdFor, then opens one incident with priority from severity × criticality and the owner group', () => {
    const early = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0)], 1);
    expect(early.actions).toEqual([]);
    expect(early.wakeAt).toBe(at(2));
    const ripe = run(early.state, [], 2);
    expect(ripe.actions).toEqual([
      expect.objectContaining({ type: 'open_incident', title: 'DiskFull on db-02', impact: 1, urgency: 1, assignmentGroup: 'unix', affectedCis: ['host-1'], alerts: ['a#1'] }),
    ]);
    expect(ripe.state.incident).toMatchObject({ number: 'INC1', state: 'open', attached: ['a#1'] });
  });

  test('an alert resolved (or flapping) before the hold ends opens nothing', () => {
    const resolved = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0), update('a#1', 'resolved', 1)], 5);
    expect(resolved.actions).toEqual([]);
    const flapping = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0, { flapping: true })], 5);
    expect(flapping.actions).toEqual([]);
    const silenced = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'suppressed', 0)], 5);
    expect(silenced.actions).toEqual([]);
  });

  test('alerts joining an open incident are attached once; the incident resolves when all resolve', () => {
    let { state } = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0)], 2);
    const joined = run(state, [update('b#1', 'firing', 3, { name: 'DiskIO', severity: 'minor' })], 3);
    expect(joined.actions).toEqual([{ type: 'attach_alerts', number: 'INC1', alerts: ['b#1'], note: '1 more alert joined: DiskIO [b#1]' }]);
    state = joined.state;
    expect(run(state, [], 4).actions).toEqual([]);
    const half = run(state, [update('a#1', 'resolved', 5)], 5);
    expect(half.actions).toEqual([]);
    const all = run(half.state, [update('b#1', 'resolved', 6)], 6);
    expect(all.actions).toEqual([{ type: 'resolve_incident', number: 'INC1', note: 'Resolved by alert rule disk-full: every alert of the group resolved (a#1, b#1).' }]);
    expect(all.state.incident).toMatchObject({ state: 'resolved', resolvedAt: at(6) });
  });

  test('a re-fire within reopenWithin reopens the incident; after a person closed it, a new one opens', () => {
    let { state } = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0)], 2);
    state = run(state, [update('a#1', 'resolved', 5)], 5).state;
    const refire = run(state, [update('a#2', 'firing', 20, { startsAt: at(20) })], 20);
    expect(refire.actions).toEqual([{ type: 'reopen_incident', number: 'INC1', reason: 'DiskFull fired again (a#2)' }]);
    state = run(refire.state, [], 20).state;
    expect(state.incident).toMatchObject({ state: 'open', attached: ['a#1', 'a#2'] });
    state = run(state, [update('a#2', 'resolved', 25)], 25).state;
    state = incidentClosed(state);
    const after = run(state, [update('a#3', 'firing', 30, { startsAt: at(30) })], 33);
    expect(after.actions).toEqual([expect.objectContaining({ type: 'open_incident', alerts: ['a#3'] })]);
  });

  test('a re-fire after reopenWithin opens a new incident (after the hold) for the new alert only', () => {
    let { state } = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0)], 2);
    state = run(state, [update('a#1', 'resolved', 5)], 5).state;
    const held = run(state, [update('a#2', 'firing', 90, { startsAt: at(90) })], 90);
    expect(held.actions).toEqual([]);
    expect(held.wakeAt).toBe(at(92));
    expect(run(held.state, [], 92).actions).toEqual([expect.objectContaining({ type: 'open_incident', alerts: ['a#2'] })]);
  });

  test('without a CI owner group the fallback group is assigned; impact follows criticality', () => {
    const { actions } = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0, { ownerGroup: null, criticality: 'low', severity: 'warning', ciName: null, ciId: null })], 2);
    expect(actions[0]).toMatchObject({ title: 'DiskFull', assignmentGroup: 'service-desk', impact: 3, urgency: 3, affectedCis: [] });
  });

  test('finished once every alert resolved, the incident is no longer open and the window passed', () => {
    let { state } = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0)], 2);
    state = run(state, [update('a#1', 'resolved', 5)], 5).state;
    expect(finished(state, diskRule!, at(20))).toBe(false);
    expect(finished(state, diskRule!, at(35))).toBe(true);
  });
});

describe('self-healing', () => {
  const [heal] = rules({
    rules: [
      {
        id: 'heal-disk',
        groupBy: ['ci'],
        groupWindow: '30m',
        holdFor: '1m',
        incident: { fallbackGroup: 'unix' },
        remediation: { runbook: 'disk-cleanup', params: { mount: '{{labels.mountpoint}}' }, maxRuns: 2, per: '1h', verifyWithin: '5m' },
        resolve: 'remediation',
      },
    ],
  });

  /** Applies updates and carries out actions as the workflow does; `run` ids RUN1, RUN2…, incident INC1. */
  function step(state: GroupState, updates: GroupAlertUpdate[], now: number) {
    for (const u of updates) state = applyUpdate(state, u).state;
    const all: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      const { actions } = decide(state, heal!, at(now));
      if (!actions.length) break;
      for (const a of actions) {
        all.push(a.type);
        const number = a.type === 'open_incident' ? 'INC1' : a.type === 'start_remediation' ? `RUN${a.attempt}` : undefined;
        state = recordAction(state, a, at(now), number);
      }
    }
    return { state, actions: all, wakeAt: decide(state, heal!, at(now)).wakeAt };
  }

  test('after the hold: an incident and one run for the alerts on CIs; none while it runs', () => {
    const { state, actions } = step(newGroup('k', heal!, at(0)), [update('a#1', 'firing', 0)], 1);
    expect(actions).toEqual(['open_incident', 'start_remediation']);
    expect(state.runs).toEqual([expect.objectContaining({ attempt: 1, runId: 'RUN1', status: 'running', alerts: ['a#1'] })]);
    expect(step(state, [update('b#1', 'firing', 2, { startsAt: at(0) })], 2).actions).toEqual(['attach_alerts']);
  });

  test('a success whose alerts clear within verifyWithin is reported and resolves the incident', () => {
    let { state } = step(newGroup('k', heal!, at(0)), [update('a#1', 'firing', 0)], 1);
    state = runEnded(state, 1, { status: 'succeeded', summary: '1 host succeeded' }, at(2));
    const reported = step(state, [], 2);
    expect(reported.actions).toEqual(['report_remediation']);
    expect(reported.wakeAt).toBe(at(7));
    const cleared = step(reported.state, [update('a#1', 'resolved', 4)], 4);
    expect(cleared.actions).toEqual(['resolve_incident']);
  });

  test('a success whose alerts stay: said once after verifyWithin, the incident stays open', () => {
    let { state } = step(newGroup('k', heal!, at(0)), [update('a#1', 'firing', 0)], 1);
    state = runEnded(state, 1, { status: 'succeeded', summary: 'ok' }, at(2));
    state = step(state, [], 2).state;
    const late = step(state, [], 8);
    expect(late.actions).toEqual(['note']);
    expect(step(late.state, [], 9).actions).toEqual([]);
    expect(late.state.incident!.state).toBe('open');
  });

  test('a failed run is reported with escalation; the cap holds back a storm and says so once', () => {
    let { state } = step(newGroup('k', heal!, at(0)), [update('a#1', 'firing', 0)], 1);
    state = runEnded(state, 1, { status: 'failed', summary: '1 host failed' }, at(2));
    const failed = decide(state, heal!, at(2)).actions;
    expect(failed).toEqual([expect.objectContaining({ type: 'report_remediation', escalate: true, note: expect.stringContaining('Escalated') })]);
    state = step(state, [], 2).state;
    // New alerts fire: a second run (the cap is 2 per hour), then the cap.
    state = step(state, [update('a#2', 'firing', 3, { startsAt: at(3) })], 5).state;
    expect(state.runs.map((r) => r.attempt)).toEqual([1, 2]);
    state = runEnded(state, 2, { status: 'failed', summary: 'again' }, at(6));
    const capped = step(state, [update('a#3', 'firing', 7, { startsAt: at(7) })], 9);
    expect(capped.actions).toEqual(['attach_alerts', 'report_remediation', 'note']);
    expect(capped.state.capNoted).toBe(true);
    expect(capped.wakeAt).toBe(at(61));
    expect(step(capped.state, [], 10).actions).toEqual([]);
  });

  test('no run for alerts without a CI; the group is not finished while a run is in flight', () => {
    const noCi = step(newGroup('k', heal!, at(0)), [update('a#1', 'firing', 0, { ciId: null })], 1);
    expect(noCi.actions).toEqual(['open_incident']);
    const { state } = step(newGroup('k', heal!, at(0)), [update('a#1', 'firing', 0)], 1);
    const resolved = applyUpdate(state, update('a#1', 'resolved', 2)).state;
    expect(finished({ ...resolved, incident: { ...resolved.incident!, state: 'resolved' } }, heal!, at(120))).toBe(false);
  });
});

describe('acknowledgement, both ways', () => {
  /** A group with INC1 open for a#1 and b#1. */
  function opened() {
    const held = run(newGroup('k', diskRule!, at(0)), [update('a#1', 'firing', 0), update('b#1', 'firing', 0)], 2);
    expect(held.state.incident).toMatchObject({ number: 'INC1', attached: ['a#1', 'b#1'] });
    return held.state;
  }

  test("a person acknowledging one alert acknowledges the incident, and with it the incident's other alerts", () => {
    const taken = run(opened(), [update('a#1', 'acknowledged', 3, { acknowledgedBy: 'alice' })], 3);
    expect(taken.actions).toEqual([{ type: 'acknowledge_incident', number: 'INC1', by: 'alice', alert: 'a#1' }]);
    expect(taken.state.incident!.acknowledged).toEqual({ by: 'alice', at: at(3), alerts: ['a#1'] });
    const next = run(taken.state, [], 3);
    expect(next.actions).toEqual([{ type: 'acknowledge_alerts', number: 'INC1', by: 'alice', alerts: ['b#1'] }]);
    expect(next.state.alerts['b#1']).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    expect(run(next.state, [], 4).actions).toEqual([]);
  });

  test('an incident started by a person acknowledges its open alerts once; one given back stays given back', () => {
    const started = incidentAcknowledged(opened(), 'bob', at(3));
    const acked = run(started, [update('b#1', 'resolved', 3)], 3);
    expect(acked.actions).toEqual([{ type: 'acknowledge_alerts', number: 'INC1', by: 'bob', alerts: ['a#1'] }]);
    // bob gives a#1 back: the group does not take it again, and does not treat it as news.
    const givenBack = run(acked.state, [update('a#1', 'firing', 5)], 5);
    expect(givenBack.actions).toEqual([]);
    // A second start (a reopened and started incident) does not replace the first acknowledgement.
    expect(incidentAcknowledged(givenBack.state, 'carol', at(6)).incident!.acknowledged!.by).toBe('bob');
  });

  test('alerts the group acknowledged do not acknowledge the incident again, and a reopened incident asks again', () => {
    const acked = run(run(opened(), [update('a#1', 'acknowledged', 3, { acknowledgedBy: 'alice' })], 3).state, [], 3).state;
    const resolved = run(acked, [update('a#1', 'resolved', 10), update('b#1', 'resolved', 10)], 10);
    expect(resolved.actions.map((a) => a.type)).toEqual(['resolve_incident']);
    const refired = run(resolved.state, [update('a#2', 'firing', 12, { startsAt: at(12) })], 12);
    expect(refired.actions.map((a) => a.type)).toEqual(['reopen_incident']);
    expect(refired.state.incident!.acknowledged).toBeNull();
    const attached = run(refired.state, [], 12);
    expect(attached.actions).toEqual([expect.objectContaining({ type: 'attach_alerts', alerts: ['a#2'] })]);
  });
});

describe('topology: the probable root', () => {
  test('the incident names the root an alert brought; a later root is said in a note, once', () => {
    const vm = update('vm#1', 'firing', 0, { ciId: 'vm-1', ciName: 'vm-1' });
    const opened = run(newGroup('k', diskRule!, at(0)), [vm, update('host#1', 'firing', 0, { ciId: 'host-1', ciName: 'host-1', rootCi: 'host-1' })], 2);
    const open = opened.actions[0] as Extract<(typeof opened.actions)[number], { type: 'open_incident' }>;
    expect(open.description).toContain('Probable root cause: host-1 (host-1): 1 other alert is on CIs that depend on it.');
    expect(open.affectedCis[0]).toBe('host-1');
    // Its later updates carry the root of their time; only a joining alert moves it.
    expect(run(opened.state, [update('vm#1', 'firing', 3, { ciId: 'vm-1', rootCi: 'vm-1' })], 3).actions).toEqual([]);
    const sw = run(opened.state, [update('sw#1', 'firing', 4, { ciId: 'sw-1', ciName: 'sw-1', rootCi: 'sw-1' })], 4);
    expect(sw.actions).toEqual(expect.arrayContaining([{ type: 'note', number: 'INC1', marks: 'root', root: 'sw-1', note: 'Probable root cause now sw-1 (sw-1): 2 other alerts are on CIs that depend on it.' }]));
    expect(run(sw.state, [], 5).actions).toEqual([]);
  });
});
