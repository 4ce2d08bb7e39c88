/**
 * A threshold rule's state for one instance of one CI, as a state machine over its samples
 * (docs/alerts-collection.md#thresholds):
 *
 *   ok ──breach──▶ pending ──breach held `for`──▶ firing ──recovered──▶ clearing ──recovered held `clearFor`──▶ ok
 *                    │ no breach                    ▲                      │ not recovered
 *                    ▼                              └──────────────────────┘
 *                    ok
 *
 * "Breach" is the value against the limit (`cpu > 90`), "recovered" the value no longer
 * against the clear limit (`cpu > 80` no longer holds). Between the two limits nothing
 * changes: an ok value there stays ok, a firing one stays firing, so a value hovering at
 * the limit does not flap. Hold times are measured in sample time, so a late or missed
 * poll never counts as time held. Pure; the store keeps the state between polls.
 */

export type Comparison = '>' | '>=' | '<' | '<=';
export const COMPARISONS: readonly Comparison[] = ['>', '>=', '<', '<='];

export interface Limits {
  op: Comparison;
  limit: number;
  /** At or past the limit on the safe side (≤ limit for > and >=, ≥ limit for < and <=). */
  clear: number;
  forMs: number;
  clearForMs: number;
}

export type ThresholdPhase = 'ok' | 'pending' | 'firing' | 'clearing';

export interface ThresholdState {
  phase: ThresholdPhase;
  /** When the current phase began (sample time). */
  since: string;
  /** When the breach that fired began: the alert's startsAt; null unless firing or clearing. */
  breachedAt: string | null;
  /** The value that fired: what the alert keeps saying after the value recovers. */
  firedValue: number | null;
  /** The latest sample that changed the state: its time and value. */
  at: string;
  value: number;
}

/** What the alert pipeline must hear: a threshold crossed (fire), or recovered (resolve). */
export type Crossing = { kind: 'firing'; startsAt: string; value: number } | { kind: 'resolved'; startsAt: string; endsAt: string; value: number; firedValue: number };

export interface Evaluation {
  state: ThresholdState;
  crossing: Crossing | null;
  /** The state must be stored (its phase or times changed). */
  changed: boolean;
}

export function compare(value: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
  }
}

const initial = (at: string, value: number): ThresholdState => ({ phase: 'ok', since: at, breachedAt: null, firedValue: null, at, value });

/**
 * The state after one sample. A sample not newer than the state's latest changes nothing
 * (a retried recording, or a poll that arrives late), so evaluating twice is harmless.
 */
export function evaluate(limits: Limits, current: ThresholdState | null, value: number, at: string): Evaluation {
  const state = current ?? initial(at, value);
  const unchanged: Evaluation = { state, crossing: null, changed: false };
  if (!Number.isFinite(value) || (current && Date.parse(at) <= Date.parse(current.at))) return unchanged;
  const breach = compare(value, limits.op, limits.limit);
  const recovered = !compare(value, limits.op, limits.clear);
  const heldSince = (since: string) => Date.parse(at) - Date.parse(since);
  const fired = state.firedValue ?? value;
  const to = (phase: ThresholdPhase, since: string, breachedAt: string | null, firedValue: number | null, crossing: Crossing | null = null): Evaluation => ({
    state: { phase, since, breachedAt, firedValue, at, value },
    crossing,
    changed: true,
  });

  switch (state.phase) {
    case 'ok':
      if (!breach) return unchanged;
      return limits.forMs === 0 ? to('firing', at, at, value, { kind: 'firing', startsAt: at, value }) : to('pending', at, null, null);
    case 'pending':
      if (!breach) return to('ok', at, null, null);
      return heldSince(state.since) >= limits.forMs ? to('firing', at, state.since, value, { kind: 'firing', startsAt: state.since, value }) : unchanged;
    case 'firing':
      if (!recovered) return unchanged;
      if (limits.clearForMs > 0) return to('clearing', at, state.breachedAt, fired);
      return to('ok', at, null, null, { kind: 'resolved', startsAt: state.breachedAt ?? state.since, endsAt: at, value, firedValue: fired });
    case 'clearing':
      // Back past the clear limit before the hold ended: still the same problem, no new alert.
      if (!recovered) return to('firing', at, state.breachedAt, fired);
      if (heldSince(state.since) < limits.clearForMs) return unchanged;
      // It recovered when the value first came back, not when the hold ended.
      return to('ok', at, null, null, { kind: 'resolved', startsAt: state.breachedAt ?? state.since, endsAt: state.since, value, firedValue: fired });
  }
}
