import type { Connection } from 'mongoose';
import type { AlertCriteria } from '../../domain/alert/filter';
import { type AlertGroupSummary, type GroupCursor, type GroupMember, groupOrder, isAfter, summarizeGroups } from '../../domain/alert/groupSummary';
import { alertIncidents, alertsCollection, criteriaQuery } from './alerts';

/**
 * The console's grouped view read from the store with plain finds (FerretDB has only part of
 * the aggregation stages, and runs every filter but `{_id}` over the whole collection, so the
 * reads are few and whole): one scan of the matching alerts, most recently seen first (at most
 * `scanLimit`), gives the group keys in the view's order, as each key is first met at its
 * latest alert; then each batch of keys is summarized from all of its matching alerts
 * (domain/alert/groupSummary.ts) until the page has one group more than asked for. Usually a
 * page takes three reads: the scan, the members, their incident links.
 */

export interface GroupPage {
  items: AlertGroupSummary[];
  nextCursor: GroupCursor | null;
}

/** Alerts a page scans at most (then it ends early, and its cursor goes on from there). */
const SCAN_LIMIT = 20_000;

const MEMBER_PROJECTION = {
  _id: 1,
  groupKey: 1,
  state: 1,
  severity: 1,
  name: 1,
  summary: 1,
  count: 1,
  firstSeen: 1,
  lastSeen: 1,
  'context.ci.id': 1,
  'context.ci.name': 1,
  'context.applications.id': 1,
  'context.applications.name': 1,
};

type MemberDoc = Omit<GroupMember, 'id' | 'ci' | 'applications'> & { _id: string; context?: { ci?: { id: string; name: string }; applications?: Array<{ id: string; name: string }> } | null };

const memberOf = (d: MemberDoc): GroupMember => ({
  id: d._id,
  groupKey: d.groupKey,
  state: d.state,
  severity: d.severity,
  name: d.name,
  summary: d.summary,
  count: d.count,
  firstSeen: d.firstSeen,
  lastSeen: d.lastSeen,
  ci: d.context?.ci ? { id: d.context.ci.id, name: d.context.ci.name } : null,
  applications: d.context?.applications ?? [],
});

export async function groupPage(db: Connection, criteria: AlertCriteria, cursor: GroupCursor | undefined, limit: number, scanLimit = SCAN_LIMIT): Promise<GroupPage> {
  const query: Record<string, unknown> = { ...criteriaQuery(criteria), ...(criteria.group === undefined && { groupKey: { $exists: true, $ne: null } }) };
  const scan: Array<{ _id: string; groupKey?: string; lastSeen: string }> = await alertsCollection(db)
    .find({ ...query, ...(cursor && { lastSeen: { $lte: cursor.lastSeen } }) }, { projection: { _id: 1, groupKey: 1, lastSeen: 1 } })
    .sort({ lastSeen: -1, _id: 1 })
    .limit(scanLimit)
    .toArray();
  const met = firstSightings(scan);
  const found: AlertGroupSummary[] = [];
  let taken = 0;
  while (found.length <= limit && taken < met.length) {
    let end = Math.min(taken + limit + 1 - found.length, met.length);
    // Groups seen last at the same instant go together: their order is by key, not by scan.
    while (end < met.length && met[end]!.lastSeen === met[end - 1]!.lastSeen) end += 1;
    found.push(...(await summaries(db, query, met.slice(taken, end).map((m) => m.key), cursor)));
    taken = end;
  }
  found.sort((a, b) => groupOrder(a, b));
  const items = found.slice(0, limit);
  const last = items[items.length - 1];
  // A scan cut at its limit may not have reached every group.
  const cut = scan.length === scanLimit;
  if (found.length <= limit && !cut) return { items, nextCursor: null };
  const lastScanned = scan[scan.length - 1];
  return { items, nextCursor: last ? { lastSeen: last.lastSeen, key: last.key } : lastScanned ? { lastSeen: lastScanned.lastSeen, key: '' } : null };
}

/** Each key once, where the scan (most recent first) meets it first. */
function firstSightings(scan: Array<{ groupKey?: string; lastSeen: string }>): Array<{ key: string; lastSeen: string }> {
  const met = new Map<string, string>();
  for (const { groupKey, lastSeen } of scan) if (groupKey && !met.has(groupKey)) met.set(groupKey, lastSeen);
  return [...met].map(([key, lastSeen]) => ({ key, lastSeen }));
}

/** The groups' lines from all their alerts that match, those on a later page than the cursor. */
async function summaries(db: Connection, query: Record<string, unknown>, keys: string[], cursor: GroupCursor | undefined): Promise<AlertGroupSummary[]> {
  if (!keys.length) return [];
  const [members, links] = await Promise.all([
    alertsCollection(db)
      .find({ ...query, groupKey: { $in: keys } }, { projection: MEMBER_PROJECTION })
      .toArray(),
    alertIncidents(db)
      .find({ groupKey: { $in: keys } }, { projection: { groupKey: 1, incident: 1, at: 1 } })
      .toArray(),
  ]);
  return summarizeGroups((members as unknown as MemberDoc[]).map(memberOf), links).filter((g) => isAfter(g, cursor));
}
