/**
 * Maintenance windows: "these CIs are being worked on from startsAt to endsAt (or every
 * Sunday 02:00–04:00), do not page anyone for their alerts". Where a silence picks alerts by
 * their labels, a maintenance window picks them by the CI the enrichment mapped them to: a
 * list of CI ids, or a CMDB selector (domain/cmdb/selector.ts) that the caller resolves to CI
 * ids — this file never reads the CMDB. Windows are one-off or recurring, with the recurrence
 * of silences (silence.ts); a recurring window may be open-ended (a standing maintenance
 * slot), a one-off one must end. An approved change will open one on its affected CIs
 * (`windowForChange`). docs/alerts-processing.md#maintenance-windows.
 *
 * `suppression` is the one place that decides whether an alert is suppressed, and holds the
 * rule the whole alert centre relies on: suppression blocks notification and escalation
 * only, and a resolve is never suppressed, so the incident of a silenced alert still closes.
 */

import { checkSelector, type Selector } from '../cmdb/selector';
import type { ResolvedModel } from '../cmdb/model';
import type { Labels } from './matchers';
import { copyRecurrence, type Instant, parseInstant, type Recurrence, type Silence, silencedBy, type SilenceProblem, type Timeframe, timeframeActive, timeframeProblems, toMs } from './silence';

/** Which CIs a window covers: named, or chosen by a CMDB selector (kept as data, resolved by the caller). */
export type MaintenanceScope = { cis: string[] } | { selector: Selector };

export interface MaintenanceWindow extends Timeframe {
  id: string;
  title: string;
  scope: MaintenanceScope;
  createdBy: string;
  comment?: string;
  /** The change (CHG…) the window was opened for, when it came from one. */
  change?: string;
}

export type MaintenanceWindowSpec = Omit<MaintenanceWindow, 'id'> & { id?: string };

/** The CI ids of selector-scoped windows, by window id, as the caller resolved them. */
export type ResolvedScopes = ReadonlyMap<string, ReadonlySet<string>>;

const isSelectorScope = (scope: MaintenanceScope): scope is { selector: Selector } => 'selector' in scope;

/**
 * Whether the window covers the CI at `at`. A selector-scoped window needs its CI set
 * resolved first (`resolvedCis`); without it this throws rather than quietly covering
 * nothing, which would page people during their maintenance.
 */
export function coversCi(window: MaintenanceWindow, ciId: string, at: Instant, resolvedCis?: ReadonlySet<string> | readonly string[]): boolean {
  if (!timeframeActive(window, at)) return false;
  if (!isSelectorScope(window.scope)) return window.scope.cis.includes(ciId);
  if (!resolvedCis) throw new Error(`maintenance window ${window.id} chooses its CIs with a CMDB selector: resolve it (cmdb select) and pass the CI ids`);
  return 'has' in resolvedCis ? resolvedCis.has(ciId) : resolvedCis.includes(ciId);
}

/** The windows that cover the CI at `at`, in the order given. */
export function activeWindowsFor(ciId: string, windows: readonly MaintenanceWindow[], at: Instant, resolved?: ResolvedScopes): MaintenanceWindow[] {
  const t = toMs(at);
  return windows.filter((w) => coversCi(w, ciId, t, isSelectorScope(w.scope) ? resolvedOf(w, resolved) : undefined));
}

function resolvedOf(window: MaintenanceWindow, resolved: ResolvedScopes | undefined): ReadonlySet<string> {
  const set = resolved?.get(window.id);
  if (!set) throw new Error(`maintenance window ${window.id} chooses its CIs with a CMDB selector, and its CI ids were not given`);
  return set;
}

// ---------------------------------------------------------------- suppression

export type SuppressionRef = { kind: 'silence'; id: string } | { kind: 'maintenance'; id: string };

export interface Suppression {
  suppressed: boolean;
  /** What suppresses it: silences first, then maintenance windows, each in the order given. */
  by: SuppressionRef[];
}

/** What suppression looks at: the alert's status and labels, and its CI once enrichment found one. */
export interface SuppressibleAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  ciId?: string | null;
}

/**
 * Whether the alert's notification and escalation are held back at `at`, and by what.
 * A resolve is never suppressed: it always flows through to the group workflow and the
 * incident, whatever silences and windows say. An alert without a CI is untouched by
 * maintenance windows (silences can still match its labels).
 */
export function suppression(alert: SuppressibleAlert, silences: readonly Silence[], windows: readonly MaintenanceWindow[], at: Instant, resolved?: ResolvedScopes): Suppression {
  if (alert.status === 'resolved') return { suppressed: false, by: [] };
  const t = toMs(at);
  const by: SuppressionRef[] = silencedBy(alert.labels, silences, t).map((id) => ({ kind: 'silence', id }));
  if (alert.ciId) for (const w of activeWindowsFor(alert.ciId, windows, t, resolved)) by.push({ kind: 'maintenance', id: w.id });
  return { suppressed: by.length > 0, by };
}

// ---------------------------------------------------------------- from changes

/** What a window needs from a change: a minimal shape, so the change issue can pass its own record. */
export interface ChangeForMaintenance {
  number: string;
  title: string;
  ciIds: string[];
  plannedStart: string;
  plannedEnd: string;
  requestedBy: string;
}

/** The maintenance window an approved change opens on its affected CIs, for its planned window. */
export function windowForChange(change: ChangeForMaintenance): MaintenanceWindowSpec {
  return {
    title: `${change.number}: ${change.title}`,
    scope: { cis: [...change.ciIds] },
    startsAt: new Date(toMs(change.plannedStart)).toISOString(),
    endsAt: new Date(toMs(change.plannedEnd)).toISOString(),
    createdBy: change.requestedBy,
    comment: `opened by the approval of change ${change.number}`,
    change: change.number,
  };
}

// ---------------------------------------------------------------- validation

const FIELDS = ['id', 'title', 'scope', 'startsAt', 'endsAt', 'recurrence', 'createdBy', 'comment', 'change'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * Checks a window given as data. With `model`, a selector scope is checked against the
 * CMDB model too (a typo in an attribute is an error, not an empty window).
 */
export function validateMaintenanceWindow(
  input: unknown,
  options: { now?: Instant; model?: ResolvedModel } = {},
): { ok: true; window: MaintenanceWindowSpec } | { ok: false; problems: SilenceProblem[] } {
  if (!isObject(input)) return { ok: false, problems: [{ path: '', message: 'must be a maintenance window: { title, scope, startsAt, endsAt?, recurrence?, createdBy }' }] };
  const problems: SilenceProblem[] = [];
  for (const key of Object.keys(input)) if (!FIELDS.includes(key)) problems.push({ path: key, message: `unknown field; a maintenance window has ${FIELDS.join(', ')}` });
  for (const key of ['id', 'comment', 'change'] as const) if (input[key] !== undefined && !isText(input[key])) problems.push({ path: key, message: 'must be a non-empty string' });
  if (!isText(input.title)) problems.push({ path: 'title', message: 'must say what the maintenance is' });
  if (!isText(input.createdBy)) problems.push({ path: 'createdBy', message: 'must name who creates the window' });
  problems.push(...scopeProblems(input.scope, options.model));
  problems.push(...timeframeProblems(input, { now: options.now, openEnded: true }));
  if (input.endsAt === undefined && input.recurrence === undefined) problems.push({ path: 'endsAt', message: 'a one-off window must end; only a recurring one may be open-ended' });
  if (problems.length > 0) return { ok: false, problems };
  const given = input as unknown as MaintenanceWindowSpec;
  const window: MaintenanceWindowSpec = {
    ...given,
    scope: isSelectorScope(given.scope) ? { selector: JSON.parse(JSON.stringify(given.scope.selector)) as Selector } : { cis: [...given.scope.cis] },
    startsAt: new Date(parseInstant(given.startsAt)!).toISOString(),
    ...(given.endsAt === undefined ? {} : { endsAt: new Date(parseInstant(given.endsAt)!).toISOString() }),
    ...(given.recurrence === undefined ? {} : { recurrence: copyRecurrence(given.recurrence as Recurrence) }),
  };
  return { ok: true, window };
}

function scopeProblems(scope: unknown, model: ResolvedModel | undefined): SilenceProblem[] {
  if (!isObject(scope) || Object.keys(scope).length !== 1 || !('cis' in scope || 'selector' in scope)) {
    return [{ path: 'scope', message: 'must be { cis: [ci ids] } or { selector: <CMDB selector> }' }];
  }
  if ('cis' in scope) {
    const cis = scope.cis;
    if (!Array.isArray(cis) || cis.length === 0) return [{ path: 'scope.cis', message: 'must list at least one CI id' }];
    return cis.flatMap((id, i) => (isText(id) ? [] : [{ path: `scope.cis[${i}]`, message: 'must be a CI id' }]));
  }
  if (!isObject(scope.selector)) return [{ path: 'scope.selector', message: 'must be a CMDB selector (an object), see docs/cmdb.md#selectors' }];
  if (Object.keys(scope.selector).length === 0) return [{ path: 'scope.selector', message: 'an empty selector chooses every CI; name a class, ids, tags or conditions' }];
  return model ? checkSelector(scope.selector, model, 'scope.selector') : [];
}
