/**
 * The SLA clock of one metric (e.g. resolution) of one ticket, as plain serialisable data.
 *
 * Elapsed business time = working time since `startedAt` minus working time inside paused
 * spans, up to `now` or to the stop instant (`completedAt`, set by completion and by
 * cancellation alike). The due time moves later with every pause; `originalDueAt` keeps the
 * breach time computed at start (no pauses) for reporting. While paused, `dueAt` is computed
 * as if the clock resumed `now`.
 *
 * Transitions: in_progress ⇄ paused, either → completed | cancelled, and completed →
 * in_progress by reopenClock. Illegal moves (pausing a paused clock, resuming a running one,
 * anything but a reopen after a completion, anything after a cancellation) are no-ops
 * returning the same object: workflow signals may be delivered twice or race each other, and an idempotent
 * state machine is safer than one that throws inside a workflow. Instants earlier than the
 * clock's last known instant are clamped to it, so spans never overlap or run backwards.
 *
 * Simultaneous conditions at the same instant:
 *  - completion and breach → completion wins: a clock completed exactly at its due time is met
 *    (breached only when completedAt > dueAt);
 *  - pause and completion → completion wins (the pause is zero-length or a no-op);
 *  - pause and breach → breach wins: the target was reached while running, so the clock would
 *    be breached the instant it resumed anyway;
 *  - a running clock is breached from `dueAt` inclusive, so a zero target breaches at start.
 * `status` precedence: completed, cancelled, breached, paused, warning, on_track.
 */

import { addBusinessMs, type BusinessCalendar, businessMsBetween } from './calendar';

export type SlaStage = 'in_progress' | 'paused' | 'completed' | 'cancelled';
export type SlaStatus = 'on_track' | 'warning' | 'breached' | 'paused' | 'completed' | 'cancelled';
export type Instant = Date | string;

export interface SlaClock {
  targetMs: number;
  startedAt: string;
  stage: SlaStage;
  pausedSpans: Array<{ from: string; to: string | null }>;
  /** The instant the clock stopped (completed or cancelled); null while it runs or is paused. */
  completedAt: string | null;
  /** The due time computed at start, without pauses; kept when pauses move the real due time. */
  originalDueAt: string;
}

const ms = (t: Instant): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());
const iso = (t: number): string => new Date(t).toISOString();

/** The latest instant the clock knows about; later events are clamped to it. */
function lastKnown(clock: SlaClock): number {
  const last = clock.pausedSpans[clock.pausedSpans.length - 1];
  return Math.max(ms(clock.startedAt), last ? ms(last.to ?? last.from) : -Infinity);
}

export function startClock(targetMs: number, at: Instant, cal: BusinessCalendar): SlaClock {
  if (!Number.isFinite(targetMs) || targetMs < 0) throw new Error(`SLA target must be a finite ms >= 0, got ${targetMs}`);
  const startedAt = iso(ms(at));
  return {
    targetMs,
    startedAt,
    stage: 'in_progress',
    pausedSpans: [],
    completedAt: null,
    originalDueAt: addBusinessMs(cal, new Date(startedAt), targetMs).toISOString(),
  };
}

export function pauseClock(clock: SlaClock, at: Instant): SlaClock {
  if (clock.stage !== 'in_progress') return clock;
  const from = iso(Math.max(ms(at), lastKnown(clock)));
  return { ...clock, stage: 'paused', pausedSpans: [...clock.pausedSpans, { from, to: null }] };
}

function closeOpenSpan(clock: SlaClock, at: number): SlaClock['pausedSpans'] {
  return clock.pausedSpans.map((s) => (s.to === null ? { from: s.from, to: iso(Math.max(at, ms(s.from))) } : s));
}

export function resumeClock(clock: SlaClock, at: Instant): SlaClock {
  if (clock.stage !== 'paused') return clock;
  return { ...clock, stage: 'in_progress', pausedSpans: closeOpenSpan(clock, ms(at)) };
}

function stop(clock: SlaClock, at: Instant, stage: 'completed' | 'cancelled'): SlaClock {
  if (clock.stage === 'completed' || clock.stage === 'cancelled') return clock;
  const t = Math.max(ms(at), lastKnown(clock));
  return { ...clock, stage, pausedSpans: closeOpenSpan(clock, t), completedAt: iso(t) };
}

/** Completes a running or paused clock (an open pause ends at the completion instant). */
export function completeClock(clock: SlaClock, at: Instant): SlaClock {
  return stop(clock, at, 'completed');
}

/** Cancels a running or paused clock; it keeps its history but no longer reports breaches as live. */
export function cancelClock(clock: SlaClock, at: Instant): SlaClock {
  return stop(clock, at, 'cancelled');
}

/**
 * A completed clock running again because the ticket was reopened. The time it spent
 * completed becomes a paused span [completedAt, at): the resolved period is the caller's
 * waiting time (they were checking the fix), not the desk's. Cancelled clocks stay cancelled
 * (cancellation is final); running or paused clocks are returned unchanged.
 */
export function reopenClock(clock: SlaClock, at: Instant): SlaClock {
  if (clock.stage !== 'completed' || clock.completedAt === null) return clock;
  const to = iso(Math.max(ms(at), ms(clock.completedAt)));
  return { ...clock, stage: 'in_progress', completedAt: null, pausedSpans: [...clock.pausedSpans, { from: clock.completedAt, to }] };
}

/** Running segments [from, to) between start and `end` (to = null: still running at `end`). */
function activeSegments(clock: SlaClock, end: number): Array<[number, number | null]> {
  const segments: Array<[number, number | null]> = [];
  let cursor = ms(clock.startedAt);
  for (const span of clock.pausedSpans) {
    segments.push([cursor, ms(span.from)]);
    cursor = span.to === null ? Math.max(end, ms(span.from)) : ms(span.to);
  }
  segments.push([cursor, null]);
  return segments;
}

function endOf(clock: SlaClock, now: Instant): number {
  return clock.completedAt !== null ? ms(clock.completedAt) : ms(now);
}

/** Business time spent so far: running working time up to `now`, or up to the stop instant. */
export function elapsedBusinessMs(clock: SlaClock, cal: BusinessCalendar, now: Instant): number {
  const end = endOf(clock, now);
  let total = 0;
  for (const [from, to] of activeSegments(clock, end)) {
    const stopAt = Math.min(to ?? end, end);
    if (stopAt > from) total += businessMsBetween(cal, new Date(from), new Date(stopAt));
  }
  return total;
}

/** When `amountMs` of business time will have run, given the pauses so far (open pause: resumes `now`). */
function instantWhenElapsed(clock: SlaClock, cal: BusinessCalendar, now: Instant, amountMs: number): Date {
  let remaining = amountMs;
  for (const [from, to] of activeSegments(clock, endOf(clock, now))) {
    const available = to === null ? Infinity : businessMsBetween(cal, new Date(from), new Date(to));
    if (remaining <= available) return addBusinessMs(cal, new Date(from), remaining);
    remaining -= available;
  }
  throw new Error('unreachable: the last segment is open-ended');
}

/** The breach instant given the pauses so far; moves later with pauses. */
export function dueAt(clock: SlaClock, cal: BusinessCalendar, now: Instant): Date {
  return instantWhenElapsed(clock, cal, now, clock.targetMs);
}

/** Running/paused: now >= dueAt. Stopped: stopped strictly after dueAt (completion wins a tie). */
export function isBreached(clock: SlaClock, cal: BusinessCalendar, now: Instant): boolean {
  const due = dueAt(clock, cal, now).getTime();
  return clock.completedAt !== null ? ms(clock.completedAt) > due : ms(now) >= due;
}

export function status(clock: SlaClock, cal: BusinessCalendar, now: Instant, warningRatio = 0.75): SlaStatus {
  if (clock.stage === 'completed' || clock.stage === 'cancelled') return clock.stage;
  if (isBreached(clock, cal, now)) return 'breached';
  if (clock.stage === 'paused') return 'paused';
  return elapsedBusinessMs(clock, cal, now) >= warningRatio * clock.targetMs ? 'warning' : 'on_track';
}

/**
 * The next threshold instant strictly after `now` (ratio × target of business time elapsed),
 * for a durable timer; null when the clock is not running or every threshold has passed.
 * Thresholds are rounded up to the ms so that `status` at that instant already reflects them.
 */
export function nextThreshold(
  clock: SlaClock,
  cal: BusinessCalendar,
  now: Instant,
  ratios: number[],
): { ratio: number; at: Date } | null {
  if (clock.stage !== 'in_progress') return null;
  for (const ratio of [...ratios].sort((a, b) => a - b)) {
    const at = instantWhenElapsed(clock, cal, now, Math.ceil(ratio * clock.targetMs));
    if (at.getTime() > ms(now)) return { ratio, at };
  }
  return null;
}

/**
 * The clock under a new target (priority or policy change). It keeps the start, the stage,
 * the paused spans and therefore the business time already spent; only the target and the
 * original due time (start + new target, no pauses) change. The result does not depend on
 * `now` (elapsed time derives from start and pauses); it is taken for symmetry with the other
 * operations. A stopped clock is returned unchanged.
 */
export function carryOver(clock: SlaClock, newTargetMs: number, cal: BusinessCalendar, _now: Instant): SlaClock {
  if (clock.stage === 'completed' || clock.stage === 'cancelled') return clock;
  if (!Number.isFinite(newTargetMs) || newTargetMs < 0) throw new Error(`SLA target must be a finite ms >= 0, got ${newTargetMs}`);
  const originalDueAt = addBusinessMs(cal, new Date(clock.startedAt), newTargetMs).toISOString();
  return { ...clock, targetMs: newTargetMs, originalDueAt };
}
