/**
 * An alert group (docs/alerts-correlation.md): the alerts one rule put under one group key,
 * and what the group does about them. Pure and deterministic: the group workflow
 * (`alert-group/<key>`) feeds it alert changes and the time, and carries out the actions it
 * returns. Keys stay distinct: alerts by fingerprint#episode, the group by its key, the
 * incident by its ticket number.
 */

import { parseDuration } from '../sla/policy';
import { severityRank, type Severity } from './alert';
import type { Criticality } from './enrichment';
import type { AlertState } from './lifecycle';
import type { AlertRule } from './rules';

/** What the group hears about one of its alerts (sent by intake when the alert changed). */
export interface GroupAlertUpdate {
  id: string;
  state: AlertState;
  severity: Severity;
  name: string;
  summary: string;
  ciId: string | null;
  ciName: string | null;
  criticality: Criticality | null;
  ownerGroup: string | null;
  flapping: boolean;
  /** Who acknowledged it, while it is acknowledged. */
  acknowledgedBy: string | null;
  /** The group's probable root CI by topology when this alert joined (domain/alert/topology.ts); null: joined by key. */
  rootCi?: string | null;
  /** When the problem began (the episode's startsAt). */
  startsAt: string;
  /** When this change happened. */
  at: string;
}

export type GroupAlert = Omit<GroupAlertUpdate, 'at'> & { joinedAt: string; resolvedAt: string | null };

export interface GroupIncident {
  number: string;
  state: 'open' | 'resolved' | 'closed';
  openedAt: string;
  resolvedAt: string | null;
  /** The alerts on its timeline. */
  attached: string[];
  /**
   * Who acknowledged the incident (started work on it, or acknowledged one of its alerts),
   * and the alerts the group acknowledged with it or saw acknowledged: those are not
   * acknowledged again, so a person may give one back.
   */
  acknowledged?: { by: string; at: string; alerts: string[] } | null;
  /** The probable root CI the incident names (in its description or a later note). */
  root?: string | null;
}

/** A self-healing run the group started. */
export interface GroupRun {
  /** The group's run attempt: 1, 2… (part of the run's idempotency key). */
  attempt: number;
  runId: string | null;
  startedAt: string;
  status: 'running' | 'succeeded' | 'failed' | 'refused';
  endedAt: string | null;
  summary: string;
  /** The alerts it was started for. */
  alerts: string[];
  /** Its result is on the incident's timeline. */
  reported: boolean;
  /** A success whose alerts did not clear within verifyWithin has been said so. */
  unverified?: boolean;
}

export interface GroupState {
  key: string;
  ruleId: string;
  startedAt: string;
  /** When the latest alert joined or changed: the group window counts from here. */
  lastActivityAt: string;
  /** In joining order. */
  alerts: Record<string, GroupAlert>;
  order: string[];
  incident: GroupIncident | null;
  runs: GroupRun[];
  /** The run cap was reached and said so on the incident. */
  capNoted?: boolean;
  /** The probable root CI by topology, from the latest alert that joined by topology. */
  root?: string | null;
}

export type GroupAction =
  | { type: 'open_incident'; title: string; description: string; impact: 1 | 2 | 3; urgency: 1 | 2 | 3; assignmentGroup: string | null; affectedCis: string[]; alerts: string[]; root?: string }
  | { type: 'reopen_incident'; number: string; reason: string }
  | { type: 'attach_alerts'; number: string; alerts: string[]; note: string }
  | { type: 'resolve_incident'; number: string; note: string }
  | { type: 'start_remediation'; attempt: number; runbook: string; params: Record<string, string>; targets: string[]; alerts: string[] }
  /** Puts a run's result (and, for a failure, the escalation) on the incident. */
  | { type: 'report_remediation'; number: string; attempt: number; note: string; escalate: boolean }
  | { type: 'note'; number: string; note: string; marks: 'cap' | 'unverified' | 'root'; attempt?: number; root?: string }
  /** A person acknowledged one of the incident's alerts: the incident is theirs (assigned if nobody has it, and started). */
  | { type: 'acknowledge_incident'; number: string; by: string; alert: string }
  /** The incident is acknowledged: so are its open alerts. */
  | { type: 'acknowledge_alerts'; number: string; by: string; alerts: string[] };

export function newGroup(key: string, rule: AlertRule, at: string): GroupState {
  return { key, ruleId: rule.id, startedAt: at, lastActivityAt: at, alerts: {}, order: [], incident: null, runs: [] };
}

/** Adds or updates an alert of the group. Returns the new state and the ids that joined. */
export function applyUpdate(state: GroupState, update: GroupAlertUpdate): { state: GroupState; joined: string[] } {
  const { at, ...fields } = update;
  const held = state.alerts[update.id];
  const alert: GroupAlert = { ...fields, joinedAt: held?.joinedAt ?? at, resolvedAt: update.state === 'resolved' ? (held?.resolvedAt ?? at) : null };
  const order = held ? state.order : [...state.order, update.id];
  // The root an alert brings counts when it joins: its later updates carry the root of that time.
  const root = (!held && update.rootCi) || state.root || null;
  return { state: { ...state, alerts: { ...state.alerts, [update.id]: alert }, order, lastActivityAt: later(state.lastActivityAt, at), root }, joined: held ? [] : [update.id] };
}

const later = (a: string, b: string) => (Date.parse(b) > Date.parse(a) ? b : a);

/** Firing and neither suppressed nor acknowledged nor flapping: an alert the group escalates. */
const actionable = (a: GroupAlert) => a.state === 'firing' && !a.flapping;
const open = (a: GroupAlert) => a.state !== 'resolved';

/** Severity to urgency, criticality to impact (ITIL 1 high … 3 low). */
function urgencyOf(severity: Severity): 1 | 2 | 3 {
  const rank = severityRank(severity);
  return rank >= 5 ? 1 : rank >= 3 ? 2 : 3;
}

/** An alert on no known CI counts as medium: not knowing the CI must not lower the priority. */
function impactOf(criticality: Criticality | null): 1 | 2 | 3 {
  return criticality === 'critical' || criticality === 'high' ? 1 : criticality === 'low' ? 3 : 2;
}

/**
 * What the group should do now, and when to look again (null: only on the next update).
 * Opening waits until an alert has fired `holdFor` without flapping; a resolved incident
 * is reopened by a re-fire within `reopenWithin` (later, a new incident opens); a closed
 * one never absorbs alerts.
 */
export function decide(state: GroupState, rule: AlertRule, now: string): { actions: GroupAction[]; wakeAt: string | null } {
  const alerts = state.order.map((id) => state.alerts[id]!);
  const nowMs = Date.parse(now);
  const actions: GroupAction[] = [];
  let wakeAt: number | null = null;
  const incident = state.incident;
  const refired = incident?.state === 'resolved' ? alerts.filter((a) => actionable(a) && !incident.attached.includes(a.id)) : [];
  const reopens = rule.incident !== null && refired.length > 0 && Date.parse(refired[0]!.joinedAt) <= Date.parse(incident!.resolvedAt!) + parseDuration(rule.incident.reopenWithin);
  if (reopens) {
    actions.push({ type: 'reopen_incident', number: incident!.number, reason: `${refired[0]!.name} fired again (${refired.map((a) => a.id).join(', ')})` });
  } else if (rule.incident && (!incident || incident.state !== 'open')) {
    // No incident, a closed one (it never absorbs alerts), or a resolved one past its reopen window.
    const hold = parseDuration(rule.holdFor);
    const candidates = alerts.filter((a) => actionable(a) && !incident?.attached.includes(a.id));
    if (candidates.some((a) => Date.parse(a.startsAt) + hold <= nowMs)) actions.push(openIncident(rule, incident ? candidates : alerts.filter(open), rootOf(state)));
    else if (candidates.length) wakeAt = Math.min(...candidates.map((a) => Date.parse(a.startsAt) + hold));
  } else if (incident?.state === 'open') {
    const unattached = alerts.filter((a) => open(a) && !incident.attached.includes(a.id)).map((a) => a.id);
    if (unattached.length) actions.push({ type: 'attach_alerts', number: incident.number, alerts: unattached, note: `${unattached.length} more alert${unattached.length === 1 ? '' : 's'} joined: ${unattached.map((id) => `${state.alerts[id]!.name} [${id}]`).join(', ')}` });
    actions.push(...acknowledgementActions(incident, alerts));
    const root = rootOf(state);
    if (root && root.ciId !== incident.root) actions.push({ type: 'note', number: incident.number, marks: 'root', root: root.ciId, note: `Probable root cause now ${root.label}: ${root.explains}.` });
    if (shouldResolve(rule, alerts, incident) || remediationResolved(rule, state)) {
      actions.push({ type: 'resolve_incident', number: incident.number, note: resolveNote(rule, alerts) });
    }
  }
  if (rule.remediation) {
    const remediation = remediationActions(state, rule, alerts, nowMs);
    actions.push(...remediation.actions);
    if (remediation.wakeAt !== null) wakeAt = wakeAt === null ? remediation.wakeAt : Math.min(wakeAt, remediation.wakeAt);
  }
  return { actions, wakeAt: wakeAt === null ? null : new Date(wakeAt).toISOString() };
}

/**
 * Acknowledgement goes both ways: a person acknowledging one of the incident's alerts
 * acknowledges the incident, and an acknowledged incident acknowledges its open alerts (each
 * once: one given back stays given back). Alerts acknowledged by the group are not counted
 * as a person's acknowledgement of the incident, so nothing echoes.
 */
function acknowledgementActions(incident: GroupIncident, alerts: GroupAlert[]): GroupAction[] {
  const mine = alerts.filter((a) => incident.attached.includes(a.id) && open(a));
  const ack = incident.acknowledged;
  if (!ack) {
    const taken = mine.find((a) => a.state === 'acknowledged' && a.acknowledgedBy);
    return taken ? [{ type: 'acknowledge_incident', number: incident.number, by: taken.acknowledgedBy!, alert: taken.id }] : [];
  }
  const pending = mine.filter((a) => a.state !== 'acknowledged' && !ack.alerts.includes(a.id)).map((a) => a.id);
  return pending.length ? [{ type: 'acknowledge_alerts', number: incident.number, by: ack.by, alerts: pending }] : [];
}

/**
 * Self-healing: a run for alerts that have fired past the hold and no run covered yet, one
 * run at a time, at most maxRuns per `per` (no remediation storms); each run's result goes
 * on the incident, a failure escalates, and a success whose alerts do not clear within
 * verifyWithin is said so.
 */
function remediationActions(state: GroupState, rule: AlertRule, alerts: GroupAlert[], nowMs: number): { actions: GroupAction[]; wakeAt: number | null } {
  const policy = rule.remediation!;
  const actions: GroupAction[] = [];
  let wakeAt: number | null = null;
  const number = state.incident?.state === 'open' ? state.incident.number : null;
  for (const run of state.runs) {
    if (number && run.status !== 'running' && !run.reported) {
      const failed = run.status !== 'succeeded';
      actions.push({ type: 'report_remediation', number, attempt: run.attempt, escalate: failed, note: `Self-healing run ${run.runId ?? `attempt ${run.attempt}`} (${policy.runbook}) ${run.status}: ${run.summary}${failed ? '. Escalated: urgency raised to high.' : ''}` });
    }
    if (run.status === 'succeeded' && !run.unverified && number) {
      const due = Date.parse(run.endedAt!) + parseDuration(policy.verifyWithin);
      const cleared = run.alerts.every((id) => state.alerts[id]?.state === 'resolved');
      if (!cleared && nowMs >= due) actions.push({ type: 'note', number, marks: 'unverified', attempt: run.attempt, note: `Self-healing run ${run.runId} succeeded, but its alerts did not clear within ${policy.verifyWithin}: the incident stays open.` });
      else if (!cleared) wakeAt = due;
    }
  }
  if (state.runs.some((r) => r.status === 'running')) return { actions, wakeAt };
  const hold = parseDuration(rule.holdFor);
  const covered = new Set(state.runs.flatMap((r) => r.alerts));
  const ripe = alerts.filter((a) => actionable(a) && a.ciId && !covered.has(a.id) && Date.parse(a.startsAt) + hold <= nowMs);
  if (!ripe.length) return { actions, wakeAt };
  const recent = state.runs.filter((r) => Date.parse(r.startedAt) > nowMs - parseDuration(policy.per));
  if (recent.length >= policy.maxRuns) {
    if (number && !state.capNoted) actions.push({ type: 'note', number, marks: 'cap', note: `Self-healing held back: ${policy.maxRuns} run${policy.maxRuns === 1 ? '' : 's'} of ${policy.runbook} within ${policy.per} already; a person takes it from here.` });
    const oldest = Math.min(...recent.map((r) => Date.parse(r.startedAt)));
    return { actions, wakeAt: oldest + parseDuration(policy.per) };
  }
  actions.push({ type: 'start_remediation', attempt: state.runs.length + 1, runbook: policy.runbook, params: policy.params, targets: [...new Set(ripe.map((a) => a.ciId!))], alerts: ripe.map((a) => a.id) });
  return { actions, wakeAt };
}

/** A run the group started has ended. */
export function runEnded(state: GroupState, attempt: number, outcome: { status: GroupRun['status']; summary: string; runId?: string }, at: string): GroupState {
  return { ...state, runs: state.runs.map((r) => (r.attempt === attempt ? { ...r, status: outcome.status, summary: outcome.summary, runId: outcome.runId ?? r.runId, endedAt: at } : r)) };
}

/** The probable root, named from the group's alerts on it. */
function rootOf(state: GroupState): { ciId: string; label: string; explains: string } | null {
  if (!state.root) return null;
  const on = state.order.map((id) => state.alerts[id]!).filter((a) => a.ciId === state.root);
  const others = state.order.filter((id) => state.alerts[id]!.ciId !== state.root).length;
  const name = on[0]?.ciName;
  return { ciId: state.root, label: name ? `${name} (${state.root})` : state.root, explains: `${others} other alert${others === 1 ? ' is' : 's are'} on CIs that depend on it` };
}

function openIncident(rule: AlertRule, alerts: GroupAlert[], root: ReturnType<typeof rootOf> = null): GroupAction {
  const worst = [...alerts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.joinedAt.localeCompare(b.joinedAt))[0]!;
  const criticality = alerts.reduce<Criticality | null>((best, a) => (critRank(a.criticality) > critRank(best) ? a.criticality : best), null);
  const cis = [...new Set([...(root ? [root.ciId] : []), ...alerts.map((a) => a.ciId).filter((id): id is string => id !== null)])];
  const where = worst.ciName ? ` on ${worst.ciName}` : '';
  const more = alerts.length > 1 ? ` (+${alerts.length - 1} more alert${alerts.length > 2 ? 's' : ''})` : '';
  const lines = alerts.map((a) => `- ${a.severity} ${a.name}${a.ciName ? ` on ${a.ciName}` : ''}: ${a.summary} [${a.id}]`);
  return {
    type: 'open_incident',
    title: `${worst.name}${where}${more}`.slice(0, 200),
    description: [`Opened by alert rule ${rule.id} for ${alerts.length} alert${alerts.length === 1 ? '' : 's'}:`, ...lines, ...(root ? ['', `Probable root cause: ${root.label}: ${root.explains}.`] : [])].join('\n').slice(0, 10_000),
    ...(root && { root: root.ciId }),
    impact: impactOf(criticality),
    urgency: urgencyOf(worst.severity),
    assignmentGroup: worst.ownerGroup ?? alerts.find((a) => a.ownerGroup)?.ownerGroup ?? rule.incident?.fallbackGroup ?? null,
    affectedCis: cis,
    alerts: alerts.map((a) => a.id),
  };
}

const CRIT_RANK: Record<Criticality, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const critRank = (c: Criticality | null) => (c ? CRIT_RANK[c] : 0);

function shouldResolve(rule: AlertRule, alerts: GroupAlert[], incident: GroupIncident): boolean {
  const since = alerts.filter((a) => Date.parse(a.joinedAt) >= Date.parse(incident.openedAt) || a.state !== 'resolved' || (a.resolvedAt && Date.parse(a.resolvedAt) >= Date.parse(incident.openedAt)));
  const relevant = since.length ? since : alerts;
  switch (rule.resolve) {
    case 'all':
      return relevant.every((a) => a.state === 'resolved');
    case 'first':
      return relevant.some((a) => a.state === 'resolved');
    case 'last':
      return relevant[relevant.length - 1]!.state === 'resolved';
    case 'remediation':
      return false;
  }
}

/** Remediation resolves when a run succeeded and the alerts it was for cleared within verifyWithin of its end. */
function remediationResolved(rule: AlertRule, state: GroupState): boolean {
  if (rule.resolve !== 'remediation' || !rule.remediation) return false;
  const verify = parseDuration(rule.remediation.verifyWithin);
  return state.runs.some(
    (r) =>
      r.status === 'succeeded' &&
      r.alerts.every((id) => {
        const a = state.alerts[id];
        return a?.state === 'resolved' && a.resolvedAt !== null && Date.parse(a.resolvedAt) <= Date.parse(r.endedAt!) + verify;
      }) &&
      state.order.every((id) => state.alerts[id]!.state === 'resolved'),
  );
}

function resolveNote(rule: AlertRule, alerts: GroupAlert[]): string {
  const resolved = alerts.filter((a) => a.state === 'resolved').map((a) => a.id);
  const how = { all: 'every alert of the group resolved', first: 'the first alert resolved', last: 'the latest alert resolved', remediation: 'remediation succeeded and the alerts cleared' }[rule.resolve];
  return `Resolved by alert rule ${rule.id}: ${how} (${resolved.join(', ')}).`;
}

/** The group after the workflow carried out `action` (`number`: the new ticket for open_incident, the run id for start_remediation). */
export function recordAction(state: GroupState, action: GroupAction, at: string, number?: string): GroupState {
  const incident = state.incident;
  switch (action.type) {
    case 'open_incident':
      return { ...state, incident: { number: number!, state: 'open', openedAt: at, resolvedAt: null, attached: action.alerts, root: action.root ?? null } };
    case 'reopen_incident':
      // A re-fire is news: whoever had the incident before is asked again, through its alerts.
      return { ...state, incident: { ...incident!, state: 'open', resolvedAt: null, acknowledged: null } };
    case 'attach_alerts':
      return { ...state, incident: { ...incident!, attached: [...incident!.attached, ...action.alerts] } };
    case 'resolve_incident':
      return { ...state, incident: { ...incident!, state: 'resolved', resolvedAt: at } };
    case 'start_remediation':
      return { ...state, runs: [...state.runs, { attempt: action.attempt, runId: number ?? null, startedAt: at, status: 'running', endedAt: null, summary: '', alerts: action.alerts, reported: false }] };
    case 'report_remediation':
      return { ...state, runs: state.runs.map((r) => (r.attempt === action.attempt ? { ...r, reported: true } : r)) };
    case 'note':
      if (action.marks === 'root') return { ...state, incident: { ...incident!, root: action.root ?? null } };
      return action.marks === 'cap' ? { ...state, capNoted: true } : { ...state, runs: state.runs.map((r) => (r.attempt === action.attempt ? { ...r, unverified: true } : r)) };
    case 'acknowledge_incident':
      return incidentAcknowledged(state, action.by, at, [action.alert]);
    case 'acknowledge_alerts': {
      const alerts = { ...state.alerts };
      for (const id of action.alerts) if (alerts[id] && alerts[id].state !== 'resolved') alerts[id] = { ...alerts[id], state: 'acknowledged', acknowledgedBy: action.by };
      return { ...state, alerts, incident: { ...incident!, acknowledged: { ...incident!.acknowledged!, alerts: [...incident!.acknowledged!.alerts, ...action.alerts] } } };
    }
  }
}

/**
 * The incident was acknowledged (a person started work on it, or the group did for a person
 * who acknowledged `seen`); the first acknowledgement stands. Its other open alerts follow in
 * the next decision.
 */
export function incidentAcknowledged(state: GroupState, by: string, at: string, seen: string[] = []): GroupState {
  const incident = state.incident;
  if (!incident || incident.acknowledged) return state;
  return { ...state, incident: { ...incident, acknowledged: { by, at, alerts: seen } } };
}

/** A person closed or cancelled the incident: it takes no more alerts. */
export function incidentClosed(state: GroupState): GroupState {
  return state.incident ? { ...state, incident: { ...state.incident, state: 'closed' } } : state;
}

/** The group is done when nothing is open and its window has passed: the workflow may end. */
export function finished(state: GroupState, rule: AlertRule, now: string): boolean {
  const quietUntil = Date.parse(state.lastActivityAt) + parseDuration(rule.groupWindow);
  const alertsDone = state.order.every((id) => state.alerts[id]!.state === 'resolved');
  const incidentDone = !state.incident || state.incident.state !== 'open';
  const runsDone = state.runs.every((r) => r.status !== 'running');
  return alertsDone && incidentDone && runsDone && Date.parse(now) >= quietUntil;
}
