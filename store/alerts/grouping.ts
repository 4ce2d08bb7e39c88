import type { Connection } from 'mongoose';
import type { AlertRecord } from '../../domain/alert/intake';
import { type AlertRule, groupKey, ruleFor } from '../../domain/alert/rules';
import { type CorrelationCandidate, correlateByTopology } from '../../domain/alert/topology';
import { impactOf } from '../../domain/cmdb/topology';
import { alertsCollection } from './alerts';
import type { CmdbSource } from './enrichment';

/** Where an alert belongs: its group key, and how it got there when by topology. */
export interface GroupAssignment {
  groupKey: string;
  topology?: { rootCi: string; related: string[] };
}

/** Returns, once per request, the group of each alert the request writes (null: no rule takes it). */
export type GroupingSource = () => Promise<(record: AlertRecord) => GroupAssignment | null>;

/** Open alerts looked at for topology correlation: the most recent ones, so one request stays bounded. */
const CANDIDATE_LIMIT = 2000;

/**
 * Grouping by the alert rules (docs/alerts-correlation.md): an alert keeps the group it has;
 * a new one gets the key its rule gives, unless the rule correlates by topology and an open
 * alert of such a rule is on a CI it depends on (or that depends on it), in which case it
 * joins that alert's group. Alerts the same request wrote count as open too, so a switch
 * and the servers behind it reported in one notification end up in one group.
 */
export function ruleGrouping(db: Connection, rules: readonly AlertRule[], cmdb?: CmdbSource): GroupingSource {
  const topologyRules = rules.filter((r) => r.topology !== null);
  return async () => {
    const correlate = topologyRules.length && cmdb ? await topologyCorrelation(db, topologyRules, cmdb) : null;
    return (record) => {
      if (record.groupKey) return { groupKey: record.groupKey, ...(record.topology && { topology: record.topology }) };
      const rule = ruleFor(ruleAlert(record), rules);
      if (!rule) return null;
      const own = groupKey(rule, ruleAlert(record));
      if (!rule.topology || !record.ciId || !correlate) return { groupKey: own };
      return correlate(record, own, rule.topology.depth);
    };
  };
}

async function topologyCorrelation(db: Connection, rules: readonly AlertRule[], cmdb: CmdbSource) {
  const [graph, model, candidates] = await Promise.all([cmdb.graph(), cmdb.model(), openCandidates(db, rules)]);
  const impacts = new Map<string, ReadonlySet<string>>();
  return (record: AlertRecord, own: string, depth: number): GroupAssignment => {
    const impact = (ciId: string) => {
      const key = `${depth}\n${ciId}`;
      let found = impacts.get(key);
      if (!found) impacts.set(key, (found = graph.ci(ciId) ? new Set(impactOf(graph, model, { failing: [ciId], depth }).impacted.map((i) => i.ci.id).filter((id) => id !== ciId)) : new Set()));
      return found;
    };
    const join = correlateByTopology({ ciId: record.ciId!, startsAt: record.startsAt }, candidates, impact);
    const assigned = join ? { groupKey: join.groupKey, topology: { rootCi: join.rootCi, related: join.related } } : { groupKey: own };
    candidates.push({ id: record.id, ciId: record.ciId!, groupKey: assigned.groupKey, startsAt: record.startsAt });
    return assigned;
  };
}

/** Open alerts on a CI grouped by a topology rule, most recently seen first. */
async function openCandidates(db: Connection, rules: readonly AlertRule[]): Promise<CorrelationCandidate[]> {
  const prefix = new RegExp(`^(${rules.map((r) => r.id).join('|')})/`);
  const docs = await alertsCollection(db)
    .find({ latest: true, state: { $in: ['firing', 'suppressed', 'acknowledged'] }, ciId: { $ne: null }, groupKey: prefix }, { projection: { _id: 1, ciId: 1, groupKey: 1, startsAt: 1 } })
    .sort({ lastSeen: -1 })
    .limit(CANDIDATE_LIMIT)
    .toArray();
  return docs.map((d) => ({ id: d._id, ciId: d.ciId!, groupKey: d.groupKey!, startsAt: d.startsAt }));
}

const ruleAlert = (record: AlertRecord) => ({ labels: record.labels, severity: record.severity, source: record.source, ciId: record.ciId, application: record.context?.applications[0]?.id ?? null });
