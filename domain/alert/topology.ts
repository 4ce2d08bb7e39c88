/**
 * Topology correlation (docs/alerts-correlation.md#topology): an alert on a CI that depends
 * on a failing CI — or on a CI whose failure explains alerts already open — joins the group
 * of those alerts instead of starting its own, and the group names the probable root CI.
 *
 * "Depends on" is the CMDB's impact traversal (domain/cmdb/topology.ts): B depends on A
 * when A failing takes B down or degrades it. The probable root is the alerting CI whose
 * failure explains the most of the other alerting CIs (ties: the one alerting first), as an
 * operator reads a wall of red: the switch, not the forty servers behind it.
 *
 * Pure: the caller gives the open alerts of topology rules and the impact of a CI.
 */

/** An open alert a new one may join (from the store: only alerts of rules with topology). */
export interface CorrelationCandidate {
  id: string;
  ciId: string;
  groupKey: string;
  startsAt: string;
}

export interface TopologyJoin {
  /** The group the new alert joins. */
  groupKey: string;
  /** The probable root CI of that group, with the new alert counted. */
  rootCi: string;
  /** The open alerts it is related to through the topology (ids). */
  related: string[];
}

/** The CIs that go down or degrade when `ciId` fails (itself excluded). */
export type ImpactOf = (ciId: string) => ReadonlySet<string>;

/**
 * Where an alert on `ciId` (starting at `startsAt`) belongs by topology: null when no open
 * alert is on a CI it depends on or that depends on it, and it keeps the group its rule gave.
 */
export function correlateByTopology(alert: { ciId: string; startsAt: string }, candidates: readonly CorrelationCandidate[], impactOf: ImpactOf): TopologyJoin | null {
  const mine = impactOf(alert.ciId);
  const related = candidates.filter((c) => c.ciId !== alert.ciId && (mine.has(c.ciId) || impactOf(c.ciId).has(alert.ciId)));
  if (!related.length) return null;
  const cis = [{ ciId: alert.ciId, startsAt: alert.startsAt }, ...related];
  const rootCi = probableRoot(cis, impactOf);
  // Join the group of the root's alert; when the root is the new alert's own CI, the group of the earliest related alert.
  const byStart = [...related].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  const host = byStart.find((c) => c.ciId === rootCi) ?? byStart[0]!;
  return { groupKey: host.groupKey, rootCi, related: related.map((c) => c.id) };
}

/** The CI whose failure explains the most of the others; ties go to the one alerting first, then by id. */
export function probableRoot(alerting: ReadonlyArray<{ ciId: string; startsAt: string }>, impactOf: ImpactOf): string {
  const firstSeen = new Map<string, string>();
  for (const a of alerting) if (!firstSeen.has(a.ciId) || a.startsAt < firstSeen.get(a.ciId)!) firstSeen.set(a.ciId, a.startsAt);
  const ids = [...firstSeen.keys()];
  const explains = (id: string) => ids.filter((other) => other !== id && impactOf(id).has(other)).length;
  return ids
    .map((id) => ({ id, score: explains(id), since: firstSeen.get(id)! }))
    .sort((a, b) => b.score - a.score || a.since.localeCompare(b.since) || a.id.localeCompare(b.id))[0]!.id;
}
