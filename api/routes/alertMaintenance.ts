import type { Connection } from 'mongoose';
import { z } from 'zod';
import { describeRecurrence, timeframeState } from '../../domain/alert/silence';
import { validateMaintenanceWindow } from '../../domain/alert/maintenance';
import type { CmdbSource } from '../../store/alerts/enrichment';
import { endWindow, findWindow, insertWindow, listWindows, type StoredWindow } from '../../store/alerts/maintenanceWindows';
import type { AuditRecorder } from '../audit';
import { ConflictError, invalidBody, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';

const TAG = 'alerts';

const maintenanceWindow = z
  .object({
    id: z.string(),
    title: z.string(),
    scope: z.union([z.object({ cis: z.array(z.string()) }), z.object({ selector: z.unknown() })]),
    startsAt: z.string(),
    endsAt: z.string().optional(),
    recurrence: z.unknown().optional(),
    recurrenceText: z.string().optional().meta({ description: 'The recurrence in words' }),
    createdBy: z.string(),
    comment: z.string().optional(),
    change: z.string().optional(),
    createdAt: z.string(),
    state: z.enum(['pending', 'active', 'expired']).meta({ description: 'For a recurring window, active means inside one of its windows now' }),
  })
  .meta({ id: 'MaintenanceWindow' });

const newWindowBody = z
  .strictObject({
    title: z.string(),
    scope: z.unknown().meta({ description: '{ cis: [CI ids] } or { selector: <CMDB selector> } (docs/cmdb.md#selectors)' }),
    startsAt: z.string().optional().meta({ description: 'Default: now' }),
    endsAt: z.string().optional().meta({ description: 'Required unless recurring' }),
    recurrence: z.unknown().optional().meta({ description: '{ timeZone, windows: [{ days, start, end }] }' }),
    comment: z.string().optional(),
    change: z.string().optional().meta({ description: 'The change (CHG…) the window is for' }),
  })
  .meta({ id: 'NewMaintenanceWindow' });

export interface MaintenanceRouteDeps {
  db: Connection;
  audit: AuditRecorder;
  /** Checks a selector scope against the CMDB model. */
  cmdb: CmdbSource;
  /** Re-reads the open alerts' suppression after a change, and tells their groups. */
  suppressionChanged: (at: string) => Promise<void>;
}

/** Maintenance windows: alerts on the CIs they cover are suppressed while they are open (docs/alerts-processing.md#maintenance-windows). */
export function alertMaintenanceRoutes({ db, audit, cmdb, suppressionChanged }: MaintenanceRouteDeps): AnyRoute[] {
  const present = (w: StoredWindow, now: string) => ({ ...w, ...(w.recurrence && { recurrenceText: describeRecurrence(w.recurrence) }), state: timeframeState(w, now) });

  const list = defineRoute({
    method: 'get',
    path: '/alerts/maintenance',
    operationId: 'listMaintenanceWindows',
    summary: 'Maintenance windows, latest starting first',
    tag: TAG,
    permission: 'alert.read',
    responses: { 200: { description: 'Windows', schema: z.object({ items: z.array(maintenanceWindow) }) } },
    async handler({ res }) {
      const now = new Date().toISOString();
      res.json({ items: (await listWindows(db)).map((w) => present(w, now)) });
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/alerts/maintenance',
    operationId: 'createMaintenanceWindow',
    summary: 'Open a maintenance window over CIs: their alerts are suppressed inside it (visible, resolves still flow)',
    tag: TAG,
    permission: 'alert.silence',
    body: newWindowBody,
    responses: { 201: { description: 'The window', schema: maintenanceWindow }, 400: { description: 'Not a valid window; errors name the fields' } },
    async handler({ body, req, res }) {
      const now = new Date().toISOString();
      const result = validateMaintenanceWindow({ ...body, startsAt: body.startsAt ?? now, createdBy: req.principal!.username }, { now, model: await cmdb.model() });
      if (!result.ok) throw invalidBody('the maintenance window', result.problems);
      const created = await insertWindow(db, result.window, now);
      await suppressionChanged(now);
      await audit(req, { action: 'alert.maintenance.create', target: { type: 'maintenance_window', id: created.id }, outcome: 'success', detail: created.title });
      res.status(201).json(present(created, now));
    },
  });

  const end = defineRoute({
    method: 'delete',
    path: '/alerts/maintenance/:id',
    operationId: 'endMaintenanceWindow',
    summary: 'End a maintenance window now; the alerts it held are released',
    tag: TAG,
    permission: 'alert.silence',
    params: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not a window id') }),
    responses: { 200: { description: 'The window, ended', schema: maintenanceWindow }, 404: { description: 'No such window' }, 409: { description: 'Already ended' } },
    async handler({ params: p, req, res }) {
      const now = new Date().toISOString();
      if (!(await findWindow(db, p.id))) throw new NotFoundError(`no maintenance window ${p.id}`);
      if (!(await endWindow(db, p.id, now, req.principal!.username))) throw new ConflictError(`maintenance window ${p.id} has already ended`);
      await suppressionChanged(now);
      await audit(req, { action: 'alert.maintenance.end', target: { type: 'maintenance_window', id: p.id }, outcome: 'success' });
      res.json(present((await findWindow(db, p.id))!, now));
    },
  });

  return [list, create, end];
}
