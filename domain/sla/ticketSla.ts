/**
 * The SLA engine of one ticket: attaches policies' clocks, moves them as the ticket changes,
 * and finds the thresholds (warnings, breach) to announce. Pure; the ticket workflow calls,
 * after every applied action and whenever its SLA timer fires:
 *
 *   slas = reconcileSlas(slas, view, catalog, now)          // follow the ticket's new state
 *   { slas, reached } = reachThresholds(slas, catalog, now)  // announce and run actions
 *   timer until nextSlaWakeUp(slas, catalog, now)            // null: no timer needed
 *
 * Rules (docs/sla.md has worked examples):
 *  - Per metric at most one live (in_progress/paused) clock; clocks of a metric are appended,
 *    the last one is the current one.
 *  - Attach: no clock of the metric yet (or the last was cancelled), a policy matches, its
 *    start condition holds and its cancel condition does not. The new clock then follows the
 *    ticket like any live clock, so a ticket created in a pause state starts paused and one
 *    created in a stop state gets a clock completed at once (met, zero elapsed; e.g. an
 *    incident resolved on first contact still counts in compliance reports).
 *  - Start only gates attachment: once live, a clock runs until stopped or cancelled, and
 *    pauses whenever the pause condition holds, even in a state outside the start condition.
 *  - Live clock: first the policy is re-matched (carry-over, below), then the state applies
 *    with cancel > stop > pause > run.
 *  - Carry-over: when the matching policy, its calendar or the target for the current
 *    priority differs from the clock's, the clock keeps its start and paused spans and takes
 *    the new target, policy, name and calendar (the whole history is re-measured on the new
 *    calendar); `originalPolicy` is kept. No policy matching any more cancels the clock.
 *  - Reopen: a completed *resolution* clock whose matching policy's start condition holds
 *    again while neither stop nor cancel does runs again; the time spent completed counts as
 *    paused. A response is answered once: completed response clocks are never reopened.
 *  - Warnings and breach are announced once each; a breach is never undone (not by a lower
 *    priority nor by a reopen), and a breached clock announces nothing more.
 */

import {
  cancelClock,
  carryOver,
  completeClock,
  dueAt,
  elapsedBusinessMs,
  isBreached,
  nextThreshold,
  pauseClock,
  reopenClock,
  resumeClock,
  type SlaClock,
  type SlaStatus,
  startClock,
  status,
} from './clock';
import type { BusinessCalendar } from './calendar';
import {
  type ClockCondition,
  clockCondition,
  matchPolicy,
  SLA_METRICS,
  type SlaAction,
  type SlaCatalog,
  type SlaPolicy,
  type SlaTicketView,
  startHolds,
  targetMs,
  warningActions,
} from './policy';

export type { SlaTicketView } from './policy';

/** The two things an SLA can measure on a ticket. */
export type SlaMetric = 'response' | 'resolution';

/** One SLA attached to a ticket: a policy's clock plus what has already been announced. */
export interface TicketSla {
  /** The policy id (catalog/sla/policies/<id>.yaml) the clock currently follows. */
  policy: string;
  /** The policy that first attached it, kept when a priority or policy change carries it over. */
  originalPolicy: string;
  name: string;
  metric: SlaMetric;
  calendar: string;
  clock: SlaClock;
  /** Warning ratios (e.g. 0.5, 0.75) already reached and announced. */
  warned: number[];
  breached: boolean;
  breachedAt: string | null;
}

/** A threshold newly reached: the workflow records it on the timeline and runs its actions. */
export interface SlaThresholdEvent {
  /** The SLA's name. */
  sla: string;
  policy: string;
  metric: SlaMetric;
  kind: 'warning' | 'breach';
  /** The warning ratio, 1 for a breach. */
  ratio: number;
  /** The instant the threshold was reached (for a breach: the due time, not the evaluation time). */
  dueAt: string;
  /** Empty for a breach found on an already completed clock: that breach is history. */
  actions: SlaAction[];
}

/** What the ticket page and the lists show of one SLA. */
export interface SlaDisplay {
  name: string;
  metric: SlaMetric;
  policy: string;
  status: SlaStatus;
  /** True once breached, also for completed clocks that completed late (status says 'completed'). */
  breached: boolean;
  dueAt: string;
  originalDueAt: string;
  targetMs: number;
  elapsedBusinessMs: number;
  /** Target minus elapsed business time; negative once past the target. */
  remainingBusinessMs: number;
}

// ---- lookups --------------------------------------------------------------------------

function calendar(catalog: SlaCatalog, id: string): BusinessCalendar {
  const cal = catalog.calendars[id];
  // A catalog that dropped a calendar still in use is a deployment error: failing loudly lets
  // the workflow task retry once the calendar is back, instead of computing wrong due times.
  if (!cal) throw new Error(`SLA calendar '${id}' is not in the catalog (add catalog/sla/calendars/${id}.yaml back)`);
  return cal;
}

function policyOf(sla: TicketSla, catalog: SlaCatalog): SlaPolicy | undefined {
  return catalog.policies.find((p) => p.id === sla.policy);
}

function isLive(sla: TicketSla): boolean {
  return sla.clock.stage === 'in_progress' || sla.clock.stage === 'paused';
}

function withClock(sla: TicketSla, clock: SlaClock): TicketSla {
  return clock === sla.clock ? sla : { ...sla, clock };
}

function replaced(slas: TicketSla[], index: number, sla: TicketSla): TicketSla[] {
  return sla === slas[index] ? slas : slas.map((s, i) => (i === index ? sla : s));
}

function lastIndexOf(slas: TicketSla[], metric: SlaMetric): number {
  for (let i = slas.length - 1; i >= 0; i--) if (slas[i]!.metric === metric) return i;
  return -1;
}

// ---- reconcile ------------------------------------------------------------------------

/** The SLAs after a change of the ticket (creation included, with slas = []). Idempotent. */
export function reconcileSlas(slas: TicketSla[], ticket: SlaTicketView, catalog: SlaCatalog, now: string): TicketSla[] {
  return SLA_METRICS.reduce((acc, metric) => reconcileMetric(acc, metric, ticket, catalog, now), slas);
}

function reconcileMetric(slas: TicketSla[], metric: SlaMetric, ticket: SlaTicketView, catalog: SlaCatalog, now: string): TicketSla[] {
  const index = lastIndexOf(slas, metric);
  const current = index >= 0 ? slas[index] : undefined;
  const policy = matchPolicy(catalog.policies, ticket, metric);
  if (current && isLive(current)) return replaced(slas, index, follow(current, policy, ticket, catalog, now));
  if (current?.clock.stage === 'completed') {
    if (metric !== 'resolution' || !policy || !reopens(policy, ticket)) return slas;
    return replaced(slas, index, follow(withClock(current, reopenClock(current.clock, now)), policy, ticket, catalog, now));
  }
  if (!policy || !startHolds(policy, ticket) || clockCondition(policy, ticket) === 'cancel') return slas;
  return [...slas, follow(attach(policy, ticket, catalog, now), policy, ticket, catalog, now)];
}

/** A reopened ticket: back where the policy starts, neither stopped nor cancelled. */
function reopens(policy: SlaPolicy, ticket: SlaTicketView): boolean {
  const condition = clockCondition(policy, ticket);
  return startHolds(policy, ticket) && (condition === 'run' || condition === 'pause');
}

function attach(policy: SlaPolicy, ticket: SlaTicketView, catalog: SlaCatalog, now: string): TicketSla {
  return {
    policy: policy.id,
    originalPolicy: policy.id,
    name: policy.name,
    metric: policy.metric,
    calendar: policy.calendar,
    clock: startClock(target(policy, ticket), now, calendar(catalog, policy.calendar)),
    warned: [],
    breached: false,
    breachedAt: null,
  };
}

function target(policy: SlaPolicy, ticket: SlaTicketView): number {
  const ms = targetMs(policy, ticket.priority);
  // matchPolicy only returns policies with a target for the ticket's priority
  if (ms === null) throw new Error(`SLA policy '${policy.id}' has no target for ${ticket.priority}`);
  return ms;
}

/** A live clock following the ticket: re-matched policy first, then the state's condition. */
function follow(sla: TicketSla, policy: SlaPolicy | null, ticket: SlaTicketView, catalog: SlaCatalog, now: string): TicketSla {
  if (!policy) return withClock(sla, cancelClock(sla.clock, now));
  const moved = carriedOver(sla, policy, ticket, catalog, now);
  return withClock(moved, applyCondition(moved.clock, clockCondition(policy, ticket), now));
}

function carriedOver(sla: TicketSla, policy: SlaPolicy, ticket: SlaTicketView, catalog: SlaCatalog, now: string): TicketSla {
  const ms = target(policy, ticket);
  const same = sla.policy === policy.id && sla.name === policy.name && sla.calendar === policy.calendar && sla.clock.targetMs === ms;
  if (same) return sla;
  const clock = carryOver(sla.clock, ms, calendar(catalog, policy.calendar), now);
  return { ...sla, policy: policy.id, name: policy.name, calendar: policy.calendar, clock };
}

function applyCondition(clock: SlaClock, condition: ClockCondition, now: string): SlaClock {
  switch (condition) {
    case 'cancel':
      return cancelClock(clock, now);
    case 'stop':
      return completeClock(clock, now);
    case 'pause':
      return pauseClock(clock, now);
    case 'run':
      return resumeClock(clock, now);
  }
}

// ---- thresholds -----------------------------------------------------------------------

/** The instant `ratio` of the target was (or, while running, will be) reached. */
function thresholdAt(clock: SlaClock, cal: BusinessCalendar, now: string, ratio: number): string {
  // dueAt of the same clock with a shorter target is exactly that instant; same rounding as nextThreshold.
  return dueAt({ ...clock, targetMs: Math.ceil(ratio * clock.targetMs) }, cal, now).toISOString();
}

/** Warning ratios of the policy not yet announced, ascending. */
function pendingWarnings(sla: TicketSla, policy: SlaPolicy | undefined): number[] {
  return (policy?.warnings ?? []).filter((r) => !sla.warned.includes(r)).sort((a, b) => a - b);
}

/** Marks the warnings and breach reached at `now` and returns one event per newly reached threshold. */
export function reachThresholds(
  slas: TicketSla[],
  catalog: SlaCatalog,
  now: string,
): { slas: TicketSla[]; reached: SlaThresholdEvent[] } {
  const reached: SlaThresholdEvent[] = [];
  const next = slas.map((sla) => {
    const result = reachOne(sla, catalog, now);
    reached.push(...result.events);
    return result.sla;
  });
  return { slas: next, reached };
}

interface Reached {
  sla: TicketSla;
  events: SlaThresholdEvent[];
}

function reachOne(sla: TicketSla, catalog: SlaCatalog, now: string): Reached {
  if (sla.breached || sla.clock.stage === 'cancelled') return { sla, events: [] };
  const cal = calendar(catalog, sla.calendar);
  if (sla.clock.stage === 'completed') return breachInHistory(sla, cal, now);
  const policy = policyOf(sla, catalog);
  const elapsed = elapsedBusinessMs(sla.clock, cal, now);
  const ratios = pendingWarnings(sla, policy).filter((r) => elapsed >= Math.ceil(r * sla.clock.targetMs));
  const events = ratios.map((ratio) => event(sla, 'warning', ratio, thresholdAt(sla.clock, cal, now, ratio), policy ? warningActions(policy, ratio) : []));
  let out: TicketSla = ratios.length ? { ...sla, warned: [...sla.warned, ...ratios] } : sla;
  if (isBreached(sla.clock, cal, now)) {
    const due = dueAt(sla.clock, cal, now).toISOString();
    out = { ...out, breached: true, breachedAt: due };
    events.push(event(sla, 'breach', 1, due, policy?.actions.breach ?? []));
  }
  return { sla: out, events };
}

/** A clock completed after its due time: breached for the record, nothing left to escalate. */
function breachInHistory(sla: TicketSla, cal: BusinessCalendar, now: string): Reached {
  if (!isBreached(sla.clock, cal, now)) return { sla, events: [] };
  const due = dueAt(sla.clock, cal, now).toISOString();
  return { sla: { ...sla, breached: true, breachedAt: due }, events: [event(sla, 'breach', 1, due, [])] };
}

function event(sla: TicketSla, kind: 'warning' | 'breach', ratio: number, at: string, actions: SlaAction[]): SlaThresholdEvent {
  return { sla: sla.name, policy: sla.policy, metric: sla.metric, kind, ratio, dueAt: at, actions };
}

/**
 * The earliest instant strictly after `now` at which reachThresholds would announce
 * something, for the workflow's durable timer; null when no clock is running towards an
 * unannounced threshold. Call it after reachThresholds: thresholds already due at `now`
 * are reachThresholds' business, not a future wake-up.
 */
export function nextSlaWakeUp(slas: TicketSla[], catalog: SlaCatalog, now: string): string | null {
  let earliest: number | null = null;
  for (const sla of slas) {
    if (sla.clock.stage !== 'in_progress' || sla.breached) continue;
    const ratios = [...pendingWarnings(sla, policyOf(sla, catalog)), 1];
    const next = nextThreshold(sla.clock, calendar(catalog, sla.calendar), now, ratios);
    if (next && (earliest === null || next.at.getTime() < earliest)) earliest = next.at.getTime();
  }
  return earliest === null ? null : new Date(earliest).toISOString();
}

// ---- display --------------------------------------------------------------------------

/** One SLA as the ticket page and the lists show it, at `now`. */
export function slaDisplay(sla: TicketSla, catalog: SlaCatalog, now: string): SlaDisplay {
  const cal = calendar(catalog, sla.calendar);
  const { clock } = sla;
  const elapsed = elapsedBusinessMs(clock, cal, now);
  const breached = sla.breached || (clock.stage !== 'cancelled' && isBreached(clock, cal, now));
  return {
    name: sla.name,
    metric: sla.metric,
    policy: sla.policy,
    status: displayStatus(sla, breached, cal, catalog, now),
    breached,
    dueAt: dueAt(clock, cal, now).toISOString(),
    originalDueAt: clock.originalDueAt,
    targetMs: clock.targetMs,
    elapsedBusinessMs: elapsed,
    remainingBusinessMs: clock.targetMs - elapsed,
  };
}

/** The clock's status, with a sticky breach and the policy's highest warning ratio. */
function displayStatus(sla: TicketSla, breached: boolean, cal: BusinessCalendar, catalog: SlaCatalog, now: string): SlaStatus {
  if (isLive(sla) && breached) return 'breached';
  const warnings = policyOf(sla, catalog)?.warnings ?? [];
  // no warnings: never 'warning' (Infinity × target is never reached)
  return status(sla.clock, cal, now, warnings.length ? Math.max(...warnings) : Infinity);
}
