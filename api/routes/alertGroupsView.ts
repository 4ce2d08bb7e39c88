import type { Connection } from 'mongoose';
import { groupPage } from '../../store/alerts/groupView';
import { type AnyRoute, defineRoute } from '../route';
import { criteriaOf } from '../schemas/alert';
import { alertGroupList, encodeGroupCursor, listGroupsQuery } from '../schemas/alertConsole';

/**
 * The console's grouped view: alerts aggregated by the group key intake stored on them
 * (docs/alerts.md#the-console). Alerts no rule grouped have no key and are not in it.
 */
export function alertGroupViewRoutes({ db }: { db: Connection }): AnyRoute[] {
  const list = defineRoute({
    method: 'get',
    path: '/alerts/groups',
    operationId: 'listAlertGroups',
    summary: 'Alert groups, most recently seen first: counts by state, worst severity, CIs and applications, first/last seen, incident — over the alerts that match the filters',
    tag: 'alerts',
    permission: 'alert.read',
    query: listGroupsQuery,
    responses: { 200: { description: 'A page of groups; a group’s alerts are GET /alerts?group=<key>', schema: alertGroupList }, 400: { description: 'A filter or the cursor is malformed' } },
    async handler({ query, res }) {
      const page = await groupPage(db, criteriaOf(query), query.cursor, query.limit);
      res.json({ items: page.items, nextCursor: page.nextCursor && encodeGroupCursor(page.nextCursor) });
    },
  });
  return [list];
}
