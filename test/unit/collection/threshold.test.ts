import { evaluate, type Limits, type ThresholdState } from '../../../domain/collection/threshold';

const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const MINUTE = 60_000;

/** Feeds one sample a minute, from minute 0; returns the crossings by minute and the states. */
function run(limits: Limits, values: number[], start: ThresholdState | null = null) {
  let state = start;
  const crossings: Array<[number, string, unknown]> = [];
  const phases: string[] = [];
  values.forEach((value, minute) => {
    const result = evaluate(limits, state, value, t(minute));
    state = result.state;
    phases.push(state.phase);
    if (result.crossing) crossings.push([minute, result.crossing.kind, result.crossing]);
  });
  return { crossings, phases, state };
}

const cpu: Limits = { op: '>', limit: 90, clear: 80, forMs: 2 * MINUTE, clearForMs: 2 * MINUTE };

test('a breach held for `for` fires once, with the breach start as startsAt; a value back below the clear limit held for `clearFor` resolves', () => {
  const { crossings, phases } = run(cpu, [50, 95, 96, 97, 98, 70, 60, 50, 40]);
  expect(phases).toEqual(['ok', 'pending', 'pending', 'firing', 'firing', 'clearing', 'clearing', 'ok', 'ok']);
  expect(crossings).toEqual([
    [3, 'firing', { kind: 'firing', startsAt: t(1), value: 97 }],
    // It recovered at minute 5, when the value first came back; the hold confirmed it at 7.
    [7, 'resolved', { kind: 'resolved', startsAt: t(1), endsAt: t(5), value: 50, firedValue: 97 }],
  ]);
});

test('a value hovering around the limit, between the two limits, does not flap: one alert, one resolve', () => {
  // Above 90 on and off, never down to 80 until the end.
  const hovering = [91, 92, 93, 89, 91, 88, 91, 85, 92, 89, 91, 86, 90, 91, 89, 79, 75, 70, 70];
  const { crossings, phases } = run({ ...cpu, forMs: 0, clearForMs: 0 }, hovering);
  expect(crossings.map(([minute, kind]) => [minute, kind])).toEqual([
    [0, 'firing'],
    [15, 'resolved'],
  ]);
  expect(phases.slice(0, 15).every((p) => p === 'firing')).toBe(true);
  // Without hysteresis (clear = limit) the same values would alert again and again.
  const flapping = run({ ...cpu, clear: 90, forMs: 0, clearForMs: 0 }, hovering);
  expect(flapping.crossings.length).toBeGreaterThan(10);
});

test('a value below the limit but above the clear limit never fires from ok', () => {
  expect(run(cpu, [85, 89, 90, 88, 81]).crossings).toEqual([]);
});

test('the hold guards against a short spike: a breach that ends before `for` goes back to ok without an alert', () => {
  const { crossings, phases } = run(cpu, [95, 96, 85, 95, 50]);
  expect(phases).toEqual(['pending', 'pending', 'ok', 'pending', 'ok']);
  expect(crossings).toEqual([]);
});

test('clearing that goes back past the clear limit before its hold ends is still the same alert: no new firing, no resolve', () => {
  const { crossings, phases } = run(cpu, [95, 95, 95, 70, 85, 70, 70, 70]);
  expect(phases).toEqual(['pending', 'pending', 'firing', 'clearing', 'firing', 'clearing', 'clearing', 'ok']);
  expect(crossings.map(([m, k]) => [m, k])).toEqual([
    [2, 'firing'],
    [7, 'resolved'],
  ]);
  expect(crossings[1]![2]).toMatchObject({ startsAt: t(0), endsAt: t(5) });
});

test('`for: 0s` fires at the first breach; `<` rules breach below the limit and clear above the clear limit', () => {
  const up: Limits = { op: '<', limit: 1, clear: 1, forMs: 0, clearForMs: 0 };
  expect(run(up, [1, 0, 0, 1]).crossings).toEqual([
    [1, 'firing', { kind: 'firing', startsAt: t(1), value: 0 }],
    [3, 'resolved', { kind: 'resolved', startsAt: t(1), endsAt: t(3), value: 1, firedValue: 0 }],
  ]);
  const disk: Limits = { op: '<=', limit: 10, clear: 20, forMs: 0, clearForMs: 0 };
  expect(run(disk, [30, 10, 15, 19, 21]).phases).toEqual(['ok', 'firing', 'firing', 'firing', 'ok']);
});

test('the same sample twice, or an older one, changes nothing: a retried recording sends no second alert', () => {
  const fired = evaluate({ ...cpu, forMs: 0 }, null, 95, t(0));
  expect(fired.crossing?.kind).toBe('firing');
  expect(evaluate({ ...cpu, forMs: 0 }, fired.state, 95, t(0))).toEqual({ state: fired.state, crossing: null, changed: false });
  expect(evaluate({ ...cpu, forMs: 0 }, fired.state, 10, t(-1))).toEqual({ state: fired.state, crossing: null, changed: false });
  // A healthy first sample needs no stored state.
  expect(evaluate(cpu, null, 10, t(0)).changed).toBe(false);
});

test('hold times count sample time, not polls: a late poll after a gap completes the hold at once', () => {
  const pending = evaluate(cpu, null, 95, t(0)).state;
  expect(evaluate(cpu, pending, 95, t(1)).changed).toBe(false);
  expect(evaluate(cpu, pending, 95, t(30)).crossing).toEqual({ kind: 'firing', startsAt: t(0), value: 95 });
});

test('not a number: ignored', () => {
  expect(evaluate(cpu, null, Number.NaN, t(0)).changed).toBe(false);
});
