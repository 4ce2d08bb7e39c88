import {
  acknowledge,
  type AlertEpisode,
  applyOccurrence,
  applySuppression,
  checkFlapping,
  DEFAULT_FLAP_POLICY,
  episodeId,
  flapPolicyProblems,
  flapQuietEndsAt,
  isFlapping,
  MAX_HISTORY,
  type Occurrence,
  type OccurrenceOutcome,
  unacknowledge,
} from '../../../domain/alert/lifecycle';
import type { Suppression } from '../../../domain/alert/maintenance';

const FP = 'fp-1';
const NONE: Suppression = { suppressed: false, by: [] };
const SILENCED: Suppression = { suppressed: true, by: [{ kind: 'silence', id: 's1' }] };
const IN_MAINTENANCE: Suppression = { suppressed: true, by: [{ kind: 'maintenance', id: 'mw1' }] };

/** Minutes after 10:00 on 1 June 2025, as ISO text. */
const at = (minutes: number) => new Date(Date.parse('2025-06-01T10:00:00Z') + minutes * 60_000).toISOString();
const firing = (minutes: number, over: Partial<Occurrence> = {}): Occurrence => ({ fingerprint: FP, status: 'firing', receivedAt: at(minutes), startsAt: at(minutes), ...over });
const resolved = (minutes: number, over: Partial<Occurrence> = {}): Occurrence => ({ fingerprint: FP, status: 'resolved', receivedAt: at(minutes), endsAt: at(minutes), ...over });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Applies occurrences in order, following new episodes, with inputs frozen (nothing may be mutated). */
function run(occurrences: Occurrence[], suppressed: Suppression = NONE): { current: AlertEpisode; outcomes: OccurrenceOutcome[] } {
  let current: AlertEpisode | null = null;
  const outcomes: OccurrenceOutcome[] = [];
  for (const o of occurrences) {
    const outcome = applyOccurrence(deepFreeze(current), deepFreeze(o), suppressed);
    outcomes.push(outcome);
    if (outcome.episode) current = outcome.episode;
  }
  return { current: current!, outcomes };
}

const opened = (o: Occurrence, s: Suppression = NONE) => {
  const outcome = applyOccurrence(null, o, s);
  if (outcome.kind !== 'opened') throw new Error(outcome.kind);
  return outcome.episode;
};

describe('opening and duplicates', () => {
  test('the first firing opens episode 1', () => {
    const outcome = applyOccurrence(null, firing(0), NONE);
    expect(outcome).toEqual({
      kind: 'opened',
      previous: null,
      changed: true,
      episode: {
        fingerprint: FP,
        episode: 1,
        state: 'firing',
        count: 1,
        firstSeen: at(0),
        lastSeen: at(0),
        startsAt: at(0),
        resolvedAt: null,
        acknowledged: null,
        suppressedBy: [],
        flap: { changes: [at(0)], since: null },
        history: [{ at: at(0), type: 'state', from: null, to: 'firing', reason: 'fired' }],
      },
    });
    expect(episodeId(outcome.episode!)).toBe('fp-1#1');
  });

  test('duplicates raise count and lastSeen, change nothing else and tell nobody', () => {
    const first = opened(firing(0));
    const outcome = applyOccurrence(first, firing(0, { receivedAt: at(1) }), NONE);
    expect(outcome).toEqual({ kind: 'repeated', changed: false, episode: { ...first, count: 2, lastSeen: at(1) } });
    const { current, outcomes } = run([firing(0), firing(0, { receivedAt: at(1) }), firing(0, { receivedAt: at(2) }), firing(0, { receivedAt: at(3) })]);
    expect(current).toMatchObject({ count: 4, firstSeen: at(0), lastSeen: at(3), history: first.history });
    expect(outcomes.map((o) => [o.kind, o.changed])).toEqual([
      ['opened', true],
      ['repeated', false],
      ['repeated', false],
      ['repeated', false],
    ]);
  });

  test('a late duplicate does not move lastSeen back', () => {
    const { current } = run([firing(0, { receivedAt: at(5) }), firing(0, { receivedAt: at(2) })]);
    expect(current).toMatchObject({ count: 2, lastSeen: at(5) });
  });

  test('without source times, the arrival time counts', () => {
    const e = opened({ fingerprint: FP, status: 'firing', receivedAt: at(3) });
    expect(e.startsAt).toBe(at(3));
  });

  test('an occurrence of another fingerprint is a programming error', () => {
    expect(() => applyOccurrence(opened(firing(0)), { ...firing(1), fingerprint: 'other' }, NONE)).toThrow(/occurrence of other applied to alert fp-1/);
  });
});

describe('suppression', () => {
  test('an alert that fires while silenced opens suppressed, and says by what', () => {
    const e = opened(firing(0), SILENCED);
    expect(e).toMatchObject({ state: 'suppressed', suppressedBy: [{ kind: 'silence', id: 's1' }] });
    expect(e.history).toEqual([{ at: at(0), type: 'state', from: null, to: 'suppressed', reason: 'fired; suppressed by silence s1' }]);
  });

  test('firing and suppressed follow suppression on duplicates and when silences change', () => {
    const e = opened(firing(0));
    const silenced = applyOccurrence(e, firing(0, { receivedAt: at(1) }), IN_MAINTENANCE);
    expect(silenced).toMatchObject({ kind: 'repeated', changed: true, episode: { state: 'suppressed', count: 2, suppressedBy: [{ kind: 'maintenance', id: 'mw1' }] } });
    const lifted = applySuppression(silenced.episode!, NONE, at(2));
    expect(lifted).toMatchObject({ changed: true, episode: { state: 'firing', suppressedBy: [] } });
    expect(lifted.episode.history.slice(1)).toEqual([
      { at: at(1), type: 'state', from: 'firing', to: 'suppressed', reason: 'suppressed by maintenance window mw1' },
      { at: at(2), type: 'state', from: 'suppressed', to: 'firing', reason: 'no longer suppressed' },
    ]);
    // another silence on an already suppressed alert: the list changes, the state does not
    const both: Suppression = { suppressed: true, by: [...SILENCED.by, ...IN_MAINTENANCE.by] };
    expect(applySuppression(silenced.episode!, both, at(3))).toMatchObject({ changed: false, episode: { state: 'suppressed', suppressedBy: both.by } });
    expect(applySuppression(silenced.episode!, IN_MAINTENANCE, at(3)).episode).toBe(silenced.episode);
  });

  test('a resolve always goes through, silenced or not', () => {
    const e = opened(firing(0), SILENCED);
    expect(applyOccurrence(e, resolved(5), SILENCED)).toMatchObject({ kind: 'resolved', changed: true, episode: { state: 'resolved', resolvedAt: at(5), suppressedBy: [] } });
    expect(applySuppression(applyOccurrence(e, resolved(5), NONE).episode!, SILENCED, at(6)).changed).toBe(false);
  });
});

describe('acknowledgement', () => {
  test('acknowledged stays acknowledged on duplicates and through silences', () => {
    const acked = acknowledge(opened(firing(0)), 'alice', at(1));
    expect(acked).toMatchObject({ ok: true, changed: true, episode: { state: 'acknowledged', acknowledged: { by: 'alice', at: at(1) } } });
    if (!acked.ok) throw new Error();
    const dup = applyOccurrence(acked.episode, firing(0, { receivedAt: at(2) }), SILENCED);
    expect(dup).toMatchObject({ kind: 'repeated', changed: false, episode: { state: 'acknowledged', count: 2, suppressedBy: SILENCED.by } });
    expect(applySuppression(dup.episode!, NONE, at(3))).toMatchObject({ changed: false, episode: { state: 'acknowledged', suppressedBy: [] } });
    expect(acked.episode.history.at(-1)).toEqual({ at: at(1), type: 'state', from: 'firing', to: 'acknowledged', reason: 'acknowledged', by: 'alice' });
  });

  test('acknowledging a suppressed alert; twice is harmless; a resolved one cannot be', () => {
    const acked = acknowledge(opened(firing(0), SILENCED), 'incident INC0001042', at(1));
    expect(acked).toMatchObject({ ok: true, episode: { state: 'acknowledged', suppressedBy: SILENCED.by } });
    if (!acked.ok) throw new Error();
    expect(acknowledge(acked.episode, 'bob', at(2))).toEqual({ ok: true, episode: acked.episode, changed: false });
    const done = applyOccurrence(acked.episode, resolved(3), NONE);
    expect(done).toMatchObject({ kind: 'resolved', episode: { state: 'resolved', acknowledged: { by: 'incident INC0001042' } } });
    expect(acknowledge(done.episode!, 'bob', at(4))).toEqual({ ok: false, reason: 'alert fp-1#1 is resolved; there is nothing to acknowledge' });
  });

  test('withdrawing an acknowledgement gives the alert back to firing or suppressed', () => {
    const acked = acknowledge(opened(firing(0)), 'alice', at(1));
    if (!acked.ok) throw new Error();
    expect(unacknowledge(acked.episode, 'alice', at(2), NONE)).toMatchObject({ ok: true, episode: { state: 'firing', acknowledged: null } });
    expect(unacknowledge(acked.episode, 'alice', at(2), SILENCED)).toMatchObject({ ok: true, episode: { state: 'suppressed', suppressedBy: SILENCED.by } });
    expect(unacknowledge(opened(firing(0)), 'alice', at(2), NONE)).toEqual({ ok: false, reason: 'alert fp-1#1 is firing, not acknowledged' });
  });
});

describe('resolving and new episodes', () => {
  test('a resolve from any open state', () => {
    for (const e of [opened(firing(0)), opened(firing(0), SILENCED)]) {
      const outcome = applyOccurrence(e, resolved(10), NONE);
      expect(outcome).toMatchObject({ kind: 'resolved', changed: true, episode: { state: 'resolved', resolvedAt: at(10), lastSeen: at(10), count: 1 } });
      expect(outcome.episode!.history.at(-1)).toEqual({ at: at(10), type: 'state', from: e.state, to: 'resolved', reason: 'resolved by the source' });
    }
  });

  test('repeated, unknown and late resolves are ignored', () => {
    const done = applyOccurrence(opened(firing(0)), resolved(10), NONE).episode!;
    expect(applyOccurrence(done, resolved(10, { receivedAt: at(11) }), NONE)).toEqual({ kind: 'ignored', episode: done, changed: false, reason: 'alert fp-1#1 is already resolved' });
    expect(applyOccurrence(null, resolved(10), NONE)).toEqual({ kind: 'ignored', episode: null, changed: false, reason: 'a resolve for a fingerprint with no alert' });
    // episode 2 began at 20; the resolve of episode 1 (ended at 10) arrives late
    const second = applyOccurrence(done, firing(20), NONE).episode!;
    expect(applyOccurrence(second, resolved(10, { receivedAt: at(21) }), NONE)).toMatchObject({ kind: 'ignored', reason: 'a resolve that ended before alert fp-1#2 began: it belongs to an earlier one' });
  });

  test('a firing after the resolve opens a new episode; the caller stores a new alert', () => {
    const done = applyOccurrence(opened(firing(0)), resolved(10), NONE).episode!;
    const outcome = applyOccurrence(done, firing(30), NONE);
    expect(outcome).toMatchObject({ kind: 'opened', changed: true, previous: done, episode: { episode: 2, state: 'firing', count: 1, firstSeen: at(30), startsAt: at(30), resolvedAt: null } });
    expect(episodeId(outcome.episode!)).toBe('fp-1#2');
    expect(outcome.episode!.history).toEqual([{ at: at(30), type: 'state', from: null, to: 'firing', reason: 'fired again after alert fp-1#1 resolved' }]);
  });

  test('the old firing delivered again after the resolve is not a new problem', () => {
    const done = applyOccurrence(opened(firing(0)), resolved(10), NONE).episode!;
    // Alertmanager re-sends the alert it had as firing since 10:00, after we saw it resolve
    expect(applyOccurrence(done, firing(0, { receivedAt: at(12) }), NONE)).toEqual({
      kind: 'ignored',
      episode: done,
      changed: false,
      reason: 'a firing that began before alert fp-1#1 resolved: a late or repeated delivery',
    });
  });

  test('trigger, resolve, trigger in one batch (one arrival time) is two alerts', () => {
    const batch: Occurrence[] = [
      { fingerprint: FP, status: 'firing', receivedAt: at(0) },
      { fingerprint: FP, status: 'resolved', receivedAt: at(0) },
      { fingerprint: FP, status: 'firing', receivedAt: at(0) },
    ];
    const { current, outcomes } = run(batch);
    expect(outcomes.map((o) => o.kind)).toEqual(['opened', 'resolved', 'opened']);
    expect(current).toMatchObject({ episode: 2, state: 'firing' });
  });

  test('the previous episode is left as it was', () => {
    const done = deepFreeze(applyOccurrence(opened(firing(0)), resolved(10), NONE).episode!);
    const copy = JSON.parse(JSON.stringify(done));
    applyOccurrence(done, firing(30), NONE);
    expect(done).toEqual(copy);
  });
});

describe('flapping', () => {
  /** Fires at 0, resolves at 2, fires at 4, … : one change every two minutes. */
  const flaps = (changes: number, every = 2, from = 0) => Array.from({ length: changes }, (_, i) => (i % 2 === 0 ? firing(from + i * every) : resolved(from + i * every)));

  test('defaults: 5 changes within 15 minutes, ended by 30 quiet minutes', () => {
    expect(DEFAULT_FLAP_POLICY).toEqual({ changes: 5, within: '15m', quietFor: '30m' });
  });

  test('starts at the fifth change within the window, across episodes, and says so', () => {
    const four = run(flaps(4)).current;
    expect(isFlapping(four)).toBe(false);
    const { current, outcomes } = run(flaps(5));
    expect(outcomes.map((o) => o.kind)).toEqual(['opened', 'resolved', 'opened', 'resolved', 'opened']);
    expect(current).toMatchObject({ episode: 3, flap: { since: at(8), changes: [at(0), at(2), at(4), at(6), at(8)] } });
    expect(current.history).toEqual([
      { at: at(8), type: 'state', from: null, to: 'firing', reason: 'fired again after alert fp-1#2 resolved' },
      { at: at(8), type: 'flapping', flapping: true, reason: '5 changes between firing and resolved within 15m' },
    ]);
  });

  test('changes spread wider than the window do not flap', () => {
    expect(isFlapping(run(flaps(12, 4)).current)).toBe(false); // one change every 4 minutes: at most 4 within 15
    expect(isFlapping(run(flaps(12, 3)).current)).toBe(true); // every 3 minutes: 5 within 15 (0, 3, 6, 9, 12)
  });

  test('stops after the quiet period, dated when the calm was reached', () => {
    const { current } = run(flaps(5));
    expect(flapQuietEndsAt(current)).toBe(at(38));
    expect(checkFlapping(current, at(37))).toEqual({ episode: current, changed: false });
    const calm = checkFlapping(current, at(50));
    expect(calm.changed).toBe(true);
    expect(calm.episode.flap).toEqual({ changes: [], since: null });
    expect(calm.episode.history.at(-1)).toEqual({ at: at(38), type: 'flapping', flapping: false, reason: 'no change for 30m' });
    expect(flapQuietEndsAt(calm.episode)).toBeNull();
    expect(checkFlapping(calm.episode, at(100)).changed).toBe(false);
  });

  test('changes keep it flapping; after a quiet period the count starts again', () => {
    const busy = run([...flaps(5), resolved(20), firing(45)]);
    // 20 came 12 minutes after 8: still flapping; 45 came 25 minutes after 20: still flapping
    expect(busy.current.flap.since).toBe(at(8));
    const late = run([...flaps(5), resolved(40)]);
    // 40 came 32 minutes after 8: flapping ended at 38, and 40 is the first change of a new count
    expect(late.current.flap).toEqual({ changes: [at(40)], since: null });
    expect(late.current.history.slice(-2)).toEqual([
      { at: at(38), type: 'flapping', flapping: false, reason: 'no change for 30m' },
      { at: at(40), type: 'state', from: 'firing', to: 'resolved', reason: 'resolved by the source' },
    ]);
  });

  test('the quiet period ending while resolved is recorded in the next episode, before it opens', () => {
    const { current } = run([...flaps(6), firing(60)]);
    expect(current.episode).toBe(4);
    expect(current.history).toEqual([
      { at: at(40), type: 'flapping', flapping: false, reason: 'no change for 30m' },
      { at: at(60), type: 'state', from: null, to: 'firing', reason: 'fired again after alert fp-1#3 resolved' },
    ]);
  });

  test('a policy of its own', () => {
    const strict = { changes: 3, within: '1h', quietFor: '10m' };
    let current: AlertEpisode | null = null;
    for (const o of [firing(0), resolved(20), firing(40)]) current = applyOccurrence(current, o, NONE, strict).episode;
    expect(current!.flap.since).toBe(at(40));
    expect(flapQuietEndsAt(current!, strict)).toBe(at(50));
  });

  test('policy problems have paths', () => {
    expect(flapPolicyProblems(DEFAULT_FLAP_POLICY)).toEqual([]);
    expect(flapPolicyProblems({ changes: 1, within: '0m', quietFor: 'soon', every: 1 }, 'rules[0].flapping')).toEqual([
      { path: 'rules[0].flapping.every', message: 'unknown field; flapping has changes, within and quietFor' },
      { path: 'rules[0].flapping.changes', message: 'must be a whole number of at least 2' },
      { path: 'rules[0].flapping.within', message: "must be a duration above zero such as '15m' or '1h 30m'" },
      { path: 'rules[0].flapping.quietFor', message: "must be a duration above zero such as '15m' or '1h 30m'" },
    ]);
    expect(flapPolicyProblems(null)).toEqual([{ path: 'flapping', message: expect.stringMatching(/^must be \{ changes, within, quietFor \}/) }]);
  });
});

describe('history', () => {
  test('keeps the latest entries only', () => {
    let e = opened(firing(0));
    for (let i = 1; i <= MAX_HISTORY + 20; i++) e = applySuppression(e, i % 2 ? SILENCED : NONE, at(i)).episode;
    expect(e.history).toHaveLength(MAX_HISTORY);
    expect(e.history.at(-1)!.at).toBe(at(MAX_HISTORY + 20));
  });
});
