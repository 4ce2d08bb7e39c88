/**
 * SLA policies: catalog data (catalog/sla/policies/<id>.yaml) saying which tickets get which
 * clock, with which targets, on which calendar, and what stops, pauses or cancels it.
 *
 * Matching (one policy per metric per ticket):
 *  - a policy applies when each dimension of `appliesTo` that it lists (kinds, priorities,
 *    services, categories) contains the ticket's value (an absent dimension matches anything;
 *    a ticket with no service or category never matches a policy that lists services or
 *    categories), and it has a target for the ticket's priority;
 *  - among the policies that apply, the most specific wins: the one constraining more
 *    dimensions; ties go to the lower `order` (absent = 100, as ServiceNow's default order),
 *    then to the smaller id, so the choice never depends on file order.
 *
 * Conditions on the ticket's state, when several hold at once: cancel > stop > pause > run.
 * A state listed both as stop and cancel therefore cancels; the loader rejects such overlaps
 * in shipped content, the precedence keeps code-built catalogs well defined.
 */

import type { Priority } from '../priority';
import type { TicketKind } from '../ticketNumber';
import type { BusinessCalendar } from './calendar';
import type { SlaMetric } from './ticketSla';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const satisfies readonly Priority[];
export const TICKET_KINDS = ['incident', 'request', 'change', 'problem'] as const satisfies readonly TicketKind[];
export const SLA_METRICS = ['response', 'resolution'] as const satisfies readonly SlaMetric[];

/** What an escalation does when a warning or breach threshold is reached (run by the ticket workflow). */
export type SlaAction =
  | { type: 'notify_assignee' }
  | { type: 'notify_group_manager' }
  | { type: 'reassign'; group: string }
  | { type: 'raise_priority' };

/** Which tickets a policy is for; an absent dimension matches any value. */
export interface SlaScope {
  kinds?: TicketKind[];
  priorities?: Priority[];
  services?: string[];
  categories?: string[];
}

export interface SlaPolicy {
  id: string;
  name: string;
  metric: SlaMetric;
  appliesTo: SlaScope;
  /** Business-time durations per priority, 'Nd Nh Nm Ns' (1d = 24 h of the calendar's working time). */
  targets: Partial<Record<Priority, string>>;
  /** Id of a calendar in the same catalog. */
  calendar: string;
  /** The clock attaches while the ticket is in one of these states; absent = any state. */
  start?: { states: string[] };
  /** Paused while in one of these states and, when holdReasons is given, on one of those reasons. */
  pause?: { states: string[]; holdReasons?: string[] };
  stop: { states: string[] };
  cancel?: { states: string[] };
  /** Ratios of the target in (0, 1) at which a warning is announced. */
  warnings: number[];
  /** Warning actions are keyed by the ratio as written by String(ratio), e.g. '0.5'. */
  actions: { warning?: Record<string, SlaAction[]>; breach?: SlaAction[] };
  /** Tie-breaker between equally specific policies: lower wins (default 100). */
  order?: number;
}

export interface SlaCatalog {
  policies: SlaPolicy[];
  calendars: Record<string, BusinessCalendar>;
}

/** What the SLA engine needs to know about a ticket. */
export interface SlaTicketView {
  kind: TicketKind;
  state: string;
  /** Why an on_hold ticket waits (e.g. 'awaiting_caller'); null otherwise. */
  holdReason: string | null;
  priority: Priority;
  service: string | null;
  category: string | null;
}

/** What the ticket's state does to a live clock, after precedence (cancel > stop > pause > run). */
export type ClockCondition = 'cancel' | 'stop' | 'pause' | 'run';

export const DEFAULT_ORDER = 100;

// ---- durations ------------------------------------------------------------------------

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
const DURATION_RE = /^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$/;

/**
 * Milliseconds of a duration like '4h', '1d 12h', '30m', '0m'. Units in the order d h m s,
 * each at most once, whole numbers. A day is 24 h of *business* time on the policy's
 * calendar, not a working day: on a 10-hour calendar '1d' lasts 2.4 working days, so
 * business-hours targets are best written in hours.
 */
export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text);
  if (!m || !m.slice(1).some((g) => g !== undefined)) {
    throw new Error(`'${text}' is not a duration: write whole numbers with units d h m s in that order, e.g. '4h', '1d 12h', '30m'`);
  }
  const [d = 0, h = 0, min = 0, s = 0] = m.slice(1).map((g) => Number(g ?? 0));
  return d * UNIT_MS.d + h * UNIT_MS.h + min * UNIT_MS.m + s * UNIT_MS.s;
}

/** The policy's target for a priority, in business ms; null when it has none. */
export function targetMs(policy: SlaPolicy, priority: Priority): number | null {
  const text = policy.targets[priority];
  return text === undefined ? null : parseDuration(text);
}

// ---- matching -------------------------------------------------------------------------

function within<T>(allowed: T[] | undefined, value: T | null): boolean {
  return allowed === undefined || (value !== null && allowed.includes(value));
}

/** True when the policy is for this ticket (scope and a target for its priority); states play no part. */
export function policyApplies(policy: SlaPolicy, ticket: SlaTicketView): boolean {
  const s = policy.appliesTo;
  return (
    within(s.kinds, ticket.kind) &&
    within(s.priorities, ticket.priority) &&
    within(s.services, ticket.service) &&
    within(s.categories, ticket.category) &&
    policy.targets[ticket.priority] !== undefined
  );
}

/** How many scope dimensions the policy constrains: the more, the more specific. */
export function specificity(policy: SlaPolicy): number {
  const s = policy.appliesTo;
  return [s.kinds, s.priorities, s.services, s.categories].filter((d) => d !== undefined).length;
}

/** Negative when `a` should win over `b`: more specific, then lower order, then smaller id. */
function precedence(a: SlaPolicy, b: SlaPolicy): number {
  return (
    specificity(b) - specificity(a) ||
    (a.order ?? DEFAULT_ORDER) - (b.order ?? DEFAULT_ORDER) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The policy that governs this metric of this ticket, or null when none applies. */
export function matchPolicy(policies: SlaPolicy[], ticket: SlaTicketView, metric: SlaMetric): SlaPolicy | null {
  const candidates = policies.filter((p) => p.metric === metric && policyApplies(p, ticket));
  return candidates.sort(precedence)[0] ?? null;
}

// ---- conditions -----------------------------------------------------------------------

/** The start condition: only decides whether a clock attaches, never stops a live one. */
export function startHolds(policy: SlaPolicy, ticket: SlaTicketView): boolean {
  return policy.start === undefined || policy.start.states.includes(ticket.state);
}

function pauseHolds(policy: SlaPolicy, ticket: SlaTicketView): boolean {
  const pause = policy.pause;
  if (!pause || !pause.states.includes(ticket.state)) return false;
  return pause.holdReasons === undefined || (ticket.holdReason !== null && pause.holdReasons.includes(ticket.holdReason));
}

/** What the ticket's current state means for a clock under this policy. */
export function clockCondition(policy: SlaPolicy, ticket: SlaTicketView): ClockCondition {
  if (policy.cancel?.states.includes(ticket.state)) return 'cancel';
  if (policy.stop.states.includes(ticket.state)) return 'stop';
  if (pauseHolds(policy, ticket)) return 'pause';
  return 'run';
}

/** The actions of a warning ratio (none when the policy lists none for it). */
export function warningActions(policy: SlaPolicy, ratio: number): SlaAction[] {
  return policy.actions.warning?.[String(ratio)] ?? [];
}
