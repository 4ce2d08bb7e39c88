/**
 * The alert lifecycle: what one more message about a fingerprint does to the alert it names.
 * docs/alerts-processing.md#alert-states.
 *
 * An **episode** is one alert: from the fingerprint's firing until it resolves. Messages in
 * between are occurrences of the same alert (a re-delivery, or the source re-sending it as
 * still firing): they raise `count` and `lastSeen` and change nothing else, except what
 * suppression says. A firing after the resolve opens a new episode — a new alert, with
 * `episode` one higher and a fresh count and history — and the resolved one is left as it
 * was. The caller knows by the outcome: `kind: 'opened'` means "store a new alert"
 * (`episodeId` names it), anything else updates the one it passed in.
 *
 * States, and what wins when several apply: resolved > acknowledged > suppressed > firing.
 * An acknowledged alert stays acknowledged through duplicates and through silences coming and
 * going (a person has taken it; suppression only holds back notification and escalation);
 * its `suppressedBy` is still kept up to date.
 *
 * Messages can arrive late or twice. A firing that started before the episode it would
 * reopen was resolved is the old firing delivered again, not a new problem, and is ignored;
 * so is a resolve that ended before the open episode began. Times are the source's
 * (startsAt, endsAt) when it gives them, else when FlowDesk received the message.
 *
 * **Flapping** is a property of the fingerprint, carried from episode to episode: it starts
 * when `changes` changes between firing and resolved (openings and resolves, the first firing
 * included) fall within `within`, and stops once `quietFor` passes without one, at which point
 * the count starts again. The group workflow holds escalation while an alert flaps; a timer
 * for `flapQuietEndsAt` lets it see flapping end without waiting for another message.
 *
 * Every function returns new objects and leaves its arguments alone.
 */

import { parseDuration } from '../sla/policy';
import type { Suppression, SuppressionRef } from './maintenance';
import { type Instant, toMs } from './silence';

export const ALERT_STATES = ['firing', 'acknowledged', 'suppressed', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Flap detection parameters, as data (a rule may carry its own). */
export interface FlapPolicy {
  /** How many changes between firing and resolved make the fingerprint flap (at least 2). */
  changes: number;
  /** …counted within this long, e.g. '15m'. */
  within: string;
  /** Flapping ends after this long without a change, e.g. '30m'. */
  quietFor: string;
}

/**
 * Five changes in fifteen minutes is three firings and two resolves: more than a service
 * restarting once, less than a threshold set at the noise level. Half an hour of calm ends it,
 * longer than the window, so one more change right after calm does not restart it at once.
 */
export const DEFAULT_FLAP_POLICY: Readonly<FlapPolicy> = Object.freeze({ changes: 5, within: '15m', quietFor: '30m' });

export interface FlapState {
  /** Times of the recent changes, oldest first: those within `within` of the latest. */
  changes: string[];
  /** Since when the fingerprint flaps; null when it does not. */
  since: string | null;
}

/** What the lifecycle needs of a message about an alert (a NormalizedAlert fits). */
export interface Occurrence {
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** When FlowDesk received it. */
  receivedAt: string;
  /** When the source says the problem began. */
  startsAt?: string;
  /** When the source says it ended (resolves). */
  endsAt?: string | null;
}

export type HistoryEntry =
  | { at: string; type: 'state'; from: AlertState | null; to: AlertState; reason: string; by?: string }
  | { at: string; type: 'flapping'; flapping: boolean; reason: string };

export interface AlertEpisode {
  fingerprint: string;
  /** 1 for the fingerprint's first firing; each firing after a resolve opens the next. */
  episode: number;
  state: AlertState;
  /** Firing messages in this episode, the first included. */
  count: number;
  /** When the first firing message of this episode arrived. */
  firstSeen: string;
  /** When the latest message of this episode arrived (firing or resolve). */
  lastSeen: string;
  /** When the problem began, as the source says. */
  startsAt: string;
  resolvedAt: string | null;
  acknowledged: { by: string; at: string } | null;
  /** What suppresses it now (kept while acknowledged too). */
  suppressedBy: SuppressionRef[];
  flap: FlapState;
  /** The latest MAX_HISTORY entries, oldest first. */
  history: HistoryEntry[];
}

export type OccurrenceOutcome =
  /** A new alert: store `episode` as a new record; `previous` (the resolved one) is unchanged. */
  | { kind: 'opened'; episode: AlertEpisode; previous: AlertEpisode | null; changed: true }
  /** The same alert again: `changed` when its state or flapping changed (then tell its group). */
  | { kind: 'repeated'; episode: AlertEpisode; changed: boolean }
  | { kind: 'resolved'; episode: AlertEpisode; changed: true }
  /** Nothing to do: a late or repeated message, or a resolve of an alert never seen. */
  | { kind: 'ignored'; episode: AlertEpisode | null; changed: false; reason: string };

export const MAX_HISTORY = 100;

/** The id of the alert an episode is: fingerprint and episode number. */
export const episodeId = (e: Pick<AlertEpisode, 'fingerprint' | 'episode'>) => `${e.fingerprint}#${e.episode}`;

export const isFlapping = (e: AlertEpisode) => e.flap.since !== null;

const iso = (ms: number) => new Date(ms).toISOString();

interface Durations {
  changes: number;
  within: number;
  quietFor: number;
}

const durations = (policy: FlapPolicy): Durations => ({ changes: policy.changes, within: parseDuration(policy.within), quietFor: parseDuration(policy.quietFor) });

// ---------------------------------------------------------------- occurrences

/** When a firing began and a resolve ended, by the source's clock when it says. */
const firingTime = (o: Occurrence) => toMs(o.startsAt ?? o.receivedAt);
const resolveTime = (o: Occurrence) => toMs(o.endsAt ?? o.receivedAt);

export function applyOccurrence(current: AlertEpisode | null, occurrence: Occurrence, suppressed: Suppression, policy: FlapPolicy = DEFAULT_FLAP_POLICY): OccurrenceOutcome {
  if (current && current.fingerprint !== occurrence.fingerprint) throw new Error(`occurrence of ${occurrence.fingerprint} applied to alert ${current.fingerprint}`);
  if (occurrence.status === 'resolved') return resolve(current, occurrence, policy);
  if (!current) return { kind: 'opened', episode: open(null, occurrence, suppressed, policy), previous: null, changed: true };
  if (current.state !== 'resolved') return repeat(current, occurrence, suppressed);
  if (firingTime(occurrence) < toMs(current.resolvedAt!)) {
    return { kind: 'ignored', episode: current, changed: false, reason: `a firing that began before alert ${episodeId(current)} resolved: a late or repeated delivery` };
  }
  return { kind: 'opened', episode: open(current, occurrence, suppressed, policy), previous: current, changed: true };
}

function open(previous: AlertEpisode | null, o: Occurrence, suppressed: Suppression, policy: FlapPolicy): AlertEpisode {
  const at = iso(firingTime(o));
  const state: AlertState = suppressed.suppressed ? 'suppressed' : 'firing';
  const number = (previous?.episode ?? 0) + 1;
  const flapEntries: HistoryEntry[] = [];
  const flap = recordChange(previous?.flap ?? { changes: [], since: null }, firingTime(o), durations(policy), flapEntries);
  const reason = `${number === 1 ? 'fired' : `fired again after alert ${episodeId(previous!)} resolved`}${suppressed.suppressed ? `; ${describeSuppression(suppressed.by)}` : ''}`;
  const history = inOrder([{ at, type: 'state', from: null, to: state, reason }, ...flapEntries]);
  return {
    fingerprint: o.fingerprint,
    episode: number,
    state,
    count: 1,
    firstSeen: o.receivedAt,
    lastSeen: o.receivedAt,
    startsAt: at,
    resolvedAt: null,
    acknowledged: null,
    suppressedBy: [...suppressed.by],
    flap,
    history: capped(history),
  };
}

function repeat(current: AlertEpisode, o: Occurrence, suppressed: Suppression): OccurrenceOutcome {
  const bumped: AlertEpisode = { ...current, count: current.count + 1, lastSeen: later(current.lastSeen, o.receivedAt) };
  const { episode, changed } = applySuppression(bumped, suppressed, o.receivedAt);
  return { kind: 'repeated', episode, changed };
}

function resolve(current: AlertEpisode | null, o: Occurrence, policy: FlapPolicy): OccurrenceOutcome {
  if (!current) return { kind: 'ignored', episode: null, changed: false, reason: 'a resolve for a fingerprint with no alert' };
  if (current.state === 'resolved') return { kind: 'ignored', episode: current, changed: false, reason: `alert ${episodeId(current)} is already resolved` };
  const t = resolveTime(o);
  if (t < toMs(current.startsAt)) {
    return { kind: 'ignored', episode: current, changed: false, reason: `a resolve that ended before alert ${episodeId(current)} began: it belongs to an earlier one` };
  }
  const flapEntries: HistoryEntry[] = [];
  const flap = recordChange(current.flap, t, durations(policy), flapEntries);
  const history = [...current.history, ...inOrder([{ at: iso(t), type: 'state', from: current.state, to: 'resolved', reason: 'resolved by the source' }, ...flapEntries])];
  const episode: AlertEpisode = { ...current, state: 'resolved', resolvedAt: iso(t), lastSeen: later(current.lastSeen, o.receivedAt), suppressedBy: [], flap, history: capped(history) };
  return { kind: 'resolved', episode, changed: true };
}

const later = (a: string, b: string) => (toMs(b) > toMs(a) ? b : a);

// ---------------------------------------------------------------- suppression and acknowledgement

/**
 * Re-evaluates suppression (a message arrived, or a silence or window began or ended):
 * firing and suppressed follow it; acknowledged and resolved keep their state.
 */
export function applySuppression(e: AlertEpisode, suppressed: Suppression, at: Instant): { episode: AlertEpisode; changed: boolean } {
  if (e.state === 'resolved') return { episode: e, changed: false };
  const by = [...suppressed.by];
  const sameBy = by.length === e.suppressedBy.length && by.every((ref, i) => ref.kind === e.suppressedBy[i]!.kind && ref.id === e.suppressedBy[i]!.id);
  if (e.state === 'acknowledged') return { episode: sameBy ? e : { ...e, suppressedBy: by }, changed: false };
  const state: AlertState = suppressed.suppressed ? 'suppressed' : 'firing';
  if (state === e.state) return { episode: sameBy ? e : { ...e, suppressedBy: by }, changed: false };
  const reason = suppressed.suppressed ? describeSuppression(by) : 'no longer suppressed';
  const history = capped([...e.history, { at: iso(toMs(at)), type: 'state', from: e.state, to: state, reason }]);
  return { episode: { ...e, state, suppressedBy: by, history }, changed: true };
}

function describeSuppression(by: readonly SuppressionRef[]): string {
  return `suppressed by ${by.map((ref) => (ref.kind === 'silence' ? `silence ${ref.id}` : `maintenance window ${ref.id}`)).join(', ')}`;
}

export type AcknowledgeOutcome = { ok: true; episode: AlertEpisode; changed: boolean } | { ok: false; reason: string };

/**
 * A person (or the source, or the incident) takes the alert. Acknowledging twice changes
 * nothing. `reason` says how, in the history (e.g. with which incident).
 */
export function acknowledge(e: AlertEpisode, by: string, at: Instant, reason = 'acknowledged'): AcknowledgeOutcome {
  if (e.state === 'resolved') return { ok: false, reason: `alert ${episodeId(e)} is resolved; there is nothing to acknowledge` };
  if (e.state === 'acknowledged') return { ok: true, episode: e, changed: false };
  const when = iso(toMs(at));
  const history = capped([...e.history, { at: when, type: 'state', from: e.state, to: 'acknowledged', reason, by }]);
  return { ok: true, episode: { ...e, state: 'acknowledged', acknowledged: { by, at: when }, history }, changed: true };
}

/** Gives the alert back: firing, or suppressed if something suppresses it now. */
export function unacknowledge(e: AlertEpisode, by: string, at: Instant, suppressed: Suppression): AcknowledgeOutcome {
  if (e.state !== 'acknowledged') return { ok: false, reason: `alert ${episodeId(e)} is ${e.state}, not acknowledged` };
  const state: AlertState = suppressed.suppressed ? 'suppressed' : 'firing';
  const history = capped([...e.history, { at: iso(toMs(at)), type: 'state', from: 'acknowledged', to: state, reason: 'acknowledgement withdrawn', by }]);
  return { ok: true, episode: { ...e, state, acknowledged: null, suppressedBy: [...suppressed.by], history }, changed: true };
}

// ---------------------------------------------------------------- flapping

/** Adds a change at `t` to the flap state, noting in `history` when flapping stops or starts. */
function recordChange(flap: FlapState, t: number, policy: Durations, history: HistoryEntry[]): FlapState {
  let times = flap.changes.map(toMs);
  let since = flap.since;
  const last = times[times.length - 1];
  if (since !== null && last !== undefined && t - last >= policy.quietFor) {
    history.push(flappingStopped(last + policy.quietFor, policy));
    since = null;
    times = [];
  }
  times = [...times, t].sort((a, b) => a - b);
  const latest = times[times.length - 1]!;
  times = times.filter((c) => c > latest - policy.within);
  if (since === null && times.length >= policy.changes) {
    since = iso(t);
    history.push({ at: since, type: 'flapping', flapping: true, reason: `${times.length} changes between firing and resolved within ${formatMs(policy.within)}` });
  }
  return { changes: times.map(iso), since };
}

function flappingStopped(at: number, policy: Durations): HistoryEntry {
  return { at: iso(at), type: 'flapping', flapping: false, reason: `no change for ${formatMs(policy.quietFor)}` };
}

/** Ends flapping once the quiet period has passed at `at` (the entry is dated when it passed). */
export function checkFlapping(e: AlertEpisode, at: Instant, policy: FlapPolicy = DEFAULT_FLAP_POLICY): { episode: AlertEpisode; changed: boolean } {
  const due = flapQuietEndsAt(e, policy);
  if (due === null || toMs(at) < toMs(due)) return { episode: e, changed: false };
  const history = capped([...e.history, flappingStopped(toMs(due), durations(policy))]);
  return { episode: { ...e, flap: { changes: [], since: null }, history }, changed: true };
}

/** When flapping will end if no change comes first (for a timer); null when not flapping. */
export function flapQuietEndsAt(e: AlertEpisode, policy: FlapPolicy = DEFAULT_FLAP_POLICY): string | null {
  const last = e.flap.changes[e.flap.changes.length - 1];
  if (e.flap.since === null || last === undefined) return null;
  return iso(toMs(last) + parseDuration(policy.quietFor));
}

export function flapPolicyProblems(input: unknown, path = 'flapping'): Array<{ path: string; message: string }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [{ path, message: "must be { changes, within, quietFor }, e.g. { changes: 5, within: '15m', quietFor: '30m' }" }];
  const p = input as Record<string, unknown>;
  const problems: Array<{ path: string; message: string }> = [];
  for (const key of Object.keys(p)) if (!['changes', 'within', 'quietFor'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field; flapping has changes, within and quietFor' });
  if (!Number.isInteger(p.changes) || (p.changes as number) < 2) problems.push({ path: `${path}.changes`, message: 'must be a whole number of at least 2' });
  for (const key of ['within', 'quietFor'] as const) {
    try {
      if (typeof p[key] !== 'string' || parseDuration(p[key]) <= 0) throw new Error('a duration above zero');
    } catch {
      problems.push({ path: `${path}.${key}`, message: "must be a duration above zero such as '15m' or '1h 30m'" });
    }
  }
  return problems;
}

// ---------------------------------------------------------------- helpers

/** New entries by time; a change and the flapping it starts share a time, and keep that order (the sort is stable). */
const inOrder = (entries: HistoryEntry[]) => [...entries].sort((a, b) => toMs(a.at) - toMs(b.at));

const capped = (history: HistoryEntry[]) => (history.length > MAX_HISTORY ? history.slice(history.length - MAX_HISTORY) : history);

function formatMs(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0s';
}
