import type { Connection } from 'mongoose';
import { maintenanceCalendar } from '../../domain/alert/maintenanceCalendar';
import { listWindows } from '../../store/alerts/maintenanceWindows';
import { type AnyRoute, defineRoute } from '../route';
import { maintenanceCalendar as calendarSchema, timeSpan } from '../schemas/alertConsole';

/** The maintenance calendar: every window's occurrences in a span, recurring ones expanded (domain/alert/maintenanceCalendar.ts). */
export function alertMaintenanceCalendarRoutes({ db }: { db: Connection }): AnyRoute[] {
  const calendar = defineRoute({
    method: 'get',
    path: '/alerts/maintenance/occurrences',
    operationId: 'maintenanceOccurrences',
    summary: 'Maintenance windows as occurrences in [from, to), recurring ones expanded, for a calendar',
    tag: 'alerts',
    permission: 'alert.read',
    query: timeSpan(7, 62),
    responses: { 200: { description: 'Occurrences by start (whole: one may begin before from or end after to)', schema: calendarSchema }, 400: { description: 'from/to malformed, reversed or more than 62 days apart' } },
    async handler({ query, res }) {
      const { entries, truncated } = maintenanceCalendar(await listWindows(db), query.from, query.to);
      res.json({ from: query.from, to: query.to, items: entries, truncated });
    },
  });
  return [calendar];
}
