import type { Connection } from 'mongoose';
import type { AlertCriteria } from '../../domain/alert/filter';
import { type AlertGroupSummary, type GroupCursor, type GroupMember, groupOrder, isAfter, summarizeGroups } from '../../domain/alert/groupSummary';
import { alertIncidents, alertsCollection, criteriaQuery } from './alerts';

/**
 * The console's grouped view read from the store with plain finds (FerretDB has only part of
 * the aggregation stages): alerts are scanned most recently seen first, and each group key met
 * for the first time is summarized from all of its alerts that match (domain/alert/groupSummary.ts).
 * Scanning in that order meets groups in the view's order, so a page ends as soon as it has
 * one group more than asked for; the scan stops after `scanLimit` alerts, and the page says
 * where to go on.
 */

export interface GroupPage {
  items: AlertGroupSummary[];
  nextCursor: GroupCursor | null;
}

/** Alerts read per step of the scan. */
const SCAN_PAGE = 500;
/** Alerts a page scans at most (a page of groups each with thousands of open alerts). */
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
  const met = new Set<string>();
  const found: AlertGroupSummary[] = [];
  let position: { lastSeen: string; id: string } | null = null;
  let scanned = 0;
  let exhausted = false;
  while (found.length <= limit && scanned < scanLimit) {
    const after: Record<string, unknown> = position
      ? { $or: [{ lastSeen: { $lt: position.lastSeen } }, { lastSeen: position.lastSeen, _id: { $gt: position.id } }] }
      : cursor
        ? { lastSeen: { $lte: cursor.lastSeen } }
        : {};
    const step: Array<{ _id: string; groupKey?: string; lastSeen: string }> = await alertsCollection(db)
      .find({ ...query, ...after }, { projection: { _id: 1, groupKey: 1, lastSeen: 1 } })
      .sort({ lastSeen: -1, _id: 1 })
      .limit(SCAN_PAGE)
      .toArray();
    scanned += step.length;
    if (step.length) position = { lastSeen: step[step.length - 1]!.lastSeen, id: step[step.length - 1]!._id };
    found.push(...(await summaries(db, query, newKeys(step, met), cursor)));
    if (step.length < SCAN_PAGE) {
      exhausted = true;
      break;
    }
  }
  found.sort((a, b) => groupOrder(a, b));
  // A group seen last at the same instant as the page's last one may sit just past the scan.
  if (!exhausted && found.length >= limit) {
    const boundary = found[limit - 1]!.lastSeen;
    const tied = await alertsCollection(db).find({ ...query, lastSeen: boundary }, { projection: { groupKey: 1 } }).toArray();
    found.push(...(await summaries(db, query, newKeys(tied, met), cursor)));
    found.sort((a, b) => groupOrder(a, b));
  }
  const items = found.slice(0, limit);
  const last = items[items.length - 1];
  const more = found.length > limit || !exhausted;
  return { items, nextCursor: more ? (last ? { lastSeen: last.lastSeen, key: last.key } : position ? { lastSeen: position.lastSeen, key: '' } : null) : null };
}

function newKeys(docs: Array<{ groupKey?: string }>, met: Set<string>): string[] {
  const keys: string[] = [];
  for (const { groupKey } of docs) {
    if (!groupKey || met.has(groupKey)) continue;
    met.add(groupKey);
    keys.push(groupKey);
  }
  return keys;
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
