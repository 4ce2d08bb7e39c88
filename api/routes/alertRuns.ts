import type { Connection } from 'mongoose';
import { z } from 'zod';
import { findAlert } from '../../store/alerts/alerts';
import { listRuns } from '../../store/automation/runs';
import { NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { alertId } from '../schemas/alert';
import { alertRun } from '../schemas/alertConsole';

/** An alert's group starts few runs (capped per window by its rule); more than this is not an alert's page. */
const MAX_RUNS = 50;

/**
 * The runbook runs an alert's group started while the alert was open (self-healing,
 * docs/alerts-correlation.md): runs triggered by `alert` whose ref is `<group key>/…`, made
 * from the alert's first sighting until it resolved.
 */
export function alertRunRoutes({ db }: { db: Connection }): AnyRoute[] {
  const runs = defineRoute({
    method: 'get',
    path: '/alerts/:id/runs',
    operationId: 'alertRuns',
    summary: "The runs the alert's group started while it was open, newest first",
    tag: 'alerts',
    permission: 'alert.read',
    params: z.strictObject({ id: alertId }),
    responses: { 200: { description: 'Runs (empty when its group started none, or it has no group)', schema: z.object({ items: z.array(alertRun) }) }, 404: { description: 'No such alert' } },
    async handler({ params, res }) {
      const alert = await findAlert(db, params.id);
      if (!alert) throw new NotFoundError(`no alert ${params.id}`);
      if (!alert.groupKey) {
        res.json({ items: [] });
        return;
      }
      const found = await listRuns(db, { trigger: { type: 'alert' }, triggerRefPrefix: `${alert.groupKey}/`, since: alert.firstSeen }, MAX_RUNS);
      const open = found.filter((r) => alert.resolvedAt === null || r.createdAt <= alert.resolvedAt);
      res.json({
        items: open.map((r) => ({
          id: r._id,
          runbook: { id: r.runbook.id, version: r.runbook.version, name: r.runbook.name },
          status: r.status,
          trigger: r.trigger,
          targets: r.targets.total,
          createdAt: r.createdAt,
          finishedAt: r.finishedAt ?? null,
          summary: r.summary ?? null,
        })),
      });
    },
  });
  return [runs];
}
