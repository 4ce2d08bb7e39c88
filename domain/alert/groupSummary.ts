/**
 * The console's grouped view: alerts aggregated by the group key intake stored on them
 * (`<rule>/<digest>`, docs/alerts-correlation.md), one line per group — how many alerts in
 * each state, the worst severity, the CIs and applications involved, first and last seen,
 * and the incident the group linked most recently.
 *
 * Groups are ordered most recently seen first (the latest lastSeen of their alerts), then by
 * key, so a page cursor is that pair (`GroupCursor`) and a group's place never depends on the
 * page it was read with.
 */

import { type Severity, severityRank } from './alert';
import { ALERT_STATES, type AlertState } from './lifecycle';

/** What a group line needs of one alert. */
export interface GroupMember {
  id: string;
  groupKey: string;
  state: AlertState;
  severity: Severity;
  name: string;
  summary: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  ci: { id: string; name: string } | null;
  applications: Array<{ id: string; name: string }>;
}

/** A link of alerts to an incident, as the group's worker wrote it. */
export interface IncidentLink {
  groupKey: string;
  incident: string;
  at: string;
}

export interface AlertGroupSummary {
  key: string;
  /** The rule that made the key (docs/alerts-correlation.md). */
  rule: string;
  alerts: number;
  /** Firing messages over its alerts (their counts). */
  events: number;
  states: Record<AlertState, number>;
  severity: Severity;
  /** The alert seen last: what the line is titled by. */
  latest: { id: string; name: string; summary: string };
  /** Distinct CIs, most recently seen first, at most MAX_LISTED; `ciCount` counts them all. */
  cis: Array<{ id: string; name: string }>;
  ciCount: number;
  applications: Array<{ id: string; name: string }>;
  firstSeen: string;
  lastSeen: string;
  /** The incident linked most recently (null: none yet). */
  incident: string | null;
}

export interface GroupCursor {
  lastSeen: string;
  key: string;
}

export const MAX_LISTED = 10;

/** Most recently seen first, then by key. */
export function groupOrder(a: GroupCursor, b: GroupCursor): number {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen > b.lastSeen ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Whether a group comes after the cursor (on a later page). */
export const isAfter = (group: GroupCursor, cursor: GroupCursor | undefined) => !cursor || groupOrder(group, cursor) > 0;

export const ruleOf = (key: string) => (key.includes('/') ? key.slice(0, key.indexOf('/')) : key);

/** One line per group key among `members`, in group order. */
export function summarizeGroups(members: readonly GroupMember[], links: readonly IncidentLink[] = []): AlertGroupSummary[] {
  const byKey = new Map<string, GroupMember[]>();
  for (const m of members) {
    const list = byKey.get(m.groupKey);
    if (list) list.push(m);
    else byKey.set(m.groupKey, [m]);
  }
  const incidents = latestIncidents(links);
  return [...byKey].map(([key, list]) => summarize(key, list, incidents.get(key) ?? null)).sort((a, b) => groupOrder({ lastSeen: a.lastSeen, key: a.key }, { lastSeen: b.lastSeen, key: b.key }));
}

function summarize(key: string, list: GroupMember[], incident: string | null): AlertGroupSummary {
  const recent = [...list].sort((a, b) => (a.lastSeen === b.lastSeen ? (a.id < b.id ? -1 : 1) : a.lastSeen > b.lastSeen ? -1 : 1));
  const states = Object.fromEntries(ALERT_STATES.map((s) => [s, 0])) as Record<AlertState, number>;
  for (const m of list) states[m.state] += 1;
  const cis = distinct(recent.flatMap((m) => (m.ci ? [m.ci] : [])));
  const latest = recent[0]!;
  return {
    key,
    rule: ruleOf(key),
    alerts: list.length,
    events: list.reduce((sum, m) => sum + m.count, 0),
    states,
    severity: list.reduce((worst, m) => (severityRank(m.severity) > severityRank(worst) ? m.severity : worst), list[0]!.severity),
    latest: { id: latest.id, name: latest.name, summary: latest.summary },
    cis: cis.slice(0, MAX_LISTED),
    ciCount: cis.length,
    applications: distinct(recent.flatMap((m) => m.applications)).slice(0, MAX_LISTED),
    firstSeen: list.reduce((first, m) => (m.firstSeen < first ? m.firstSeen : first), list[0]!.firstSeen),
    lastSeen: latest.lastSeen,
    incident,
  };
}

/** By id, the first occurrence kept (the list is most recent first). */
function distinct<T extends { id: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.id)) seen.set(item.id, item);
  return [...seen.values()];
}

/** The incident each group linked last (a later life of the same key may open another). */
function latestIncidents(links: readonly IncidentLink[]): Map<string, string> {
  const latest = new Map<string, IncidentLink>();
  for (const link of links) {
    const known = latest.get(link.groupKey);
    if (!known || link.at > known.at) latest.set(link.groupKey, link);
  }
  return new Map([...latest].map(([key, link]) => [key, link.incident]));
}
