/**
 * Noise figures per source: how much of what a monitoring tool sends is repetition, how much
 * correlation folds together, and how much goes away by itself. docs/alerts.md#noise-figures.
 *
 * Over the alerts that opened in a period (firstSeen in [from, to)), per source:
 *
 * - **events**: the firing messages those alerts counted (the sum of their `count`: the first
 *   firing and every duplicate of it, also those after `to`);
 * - **alerts**: how many alerts (episodes) opened;
 * - **groups**: distinct group keys among them, an alert no rule grouped counting as a group
 *   of its own;
 * - **dedup ratio** = 1 − alerts / events: the share of firing messages that were
 *   duplicates of an open alert;
 * - **correlation ratio** = 1 − groups / alerts: the share of alerts that joined another's group;
 * - **auto-resolved share** = auto-resolved / resolved: of the alerts that have resolved,
 *   those the source resolved while no person had acknowledged them (see `isAutoResolved`).
 *
 * A ratio with nothing to divide by is null, not 0: "no data" is not "no noise".
 */

/** What the figures need of one alert. */
export interface NoiseAlert {
  source: string;
  count: number;
  groupKey?: string | null;
  state: string;
  /** Its state changes; `by` names who made one (absent: the source, or FlowDesk itself). */
  history: ReadonlyArray<{ type?: string; to?: string; by?: string }>;
}

export interface NoiseFigures {
  /** A source, or 'all' for the total. */
  source: string;
  events: number;
  alerts: number;
  groups: number;
  resolved: number;
  autoResolved: number;
  dedupRatio: number | null;
  correlationRatio: number | null;
  autoResolvedShare: number | null;
}

/** Who acknowledges on a sender's behalf (domain/alert/intake.ts `senderActor`): not a person. */
const SOURCE_ACTOR = 'source:';

/**
 * Resolved, by its source (the resolve entry names no one), and never acknowledged by a
 * person on the way: no acknowledgement in its history other than one the sender itself made
 * (a PagerDuty acknowledge, a Zabbix ack). The history keeps the latest 100 changes, so an
 * acknowledgement older than those is not seen.
 */
export function isAutoResolved(alert: NoiseAlert): boolean {
  if (alert.state !== 'resolved') return false;
  const states = alert.history.filter((h) => h.type === undefined || h.type === 'state');
  const resolve = [...states].reverse().find((h) => h.to === 'resolved');
  if (resolve?.by !== undefined) return false;
  return !states.some((h) => h.to === 'acknowledged' && !(h.by ?? SOURCE_ACTOR).startsWith(SOURCE_ACTOR));
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : 1 - part / whole);

/** The figures over `alerts` (one source's, or all of them). */
export function noiseFigures(source: string, alerts: readonly NoiseAlert[]): NoiseFigures {
  const events = alerts.reduce((sum, a) => sum + a.count, 0);
  const keys = new Set<string>();
  let ungrouped = 0;
  for (const a of alerts) {
    if (a.groupKey) keys.add(a.groupKey);
    else ungrouped += 1;
  }
  const groups = keys.size + ungrouped;
  const resolved = alerts.filter((a) => a.state === 'resolved').length;
  const autoResolved = alerts.filter(isAutoResolved).length;
  return {
    source,
    events,
    alerts: alerts.length,
    groups,
    resolved,
    autoResolved,
    dedupRatio: ratio(alerts.length, events),
    correlationRatio: ratio(groups, alerts.length),
    autoResolvedShare: resolved === 0 ? null : autoResolved / resolved,
  };
}

/**
 * Per source, by name, and the total over all of them. The total's groups are counted over
 * all sources at once: a group that takes alerts from two sources is one group, so the
 * total is not the sum of the sources' groups.
 */
export function noiseBySource(alerts: readonly NoiseAlert[]): { sources: NoiseFigures[]; total: NoiseFigures } {
  const bySource = new Map<string, NoiseAlert[]>();
  for (const a of alerts) {
    const list = bySource.get(a.source);
    if (list) list.push(a);
    else bySource.set(a.source, [a]);
  }
  const sources = [...bySource.keys()].sort().map((source) => noiseFigures(source, bySource.get(source)!));
  return { sources, total: noiseFigures('all', alerts) };
}
