import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { AlertRecord } from '../../domain/alert/intake';
import { acknowledge, unacknowledge } from '../../domain/alert/lifecycle';
import { type AlertChange, AlertChangeRefused, changeAlert, findAlert, listAlerts } from '../../store/alerts/alerts';
import type { SuppressionSource } from '../../store/alerts/intake';
import { findRequest, requestId } from '../../store/alerts/requests';
import type { AuditRecorder } from '../audit';
import { ConflictError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { acknowledgeBody, alert, alertDetail, alertId, alertList, criteriaOf, listAlertsQuery } from '../schemas/alert';

const TAG = 'alerts';
const params = z.strictObject({ id: alertId });

export interface AlertRouteDeps {
  db: Connection;
  audit: AuditRecorder;
  suppressionAt: SuppressionSource;
  /** Tells the alerts' groups of a person's change (an acknowledgement may acknowledge the incident). */
  tellGroups: (changed: readonly AlertRecord[]) => Promise<void>;
}

/** The alert console's API: alerts most recently seen first, one alert with its history and payload, acknowledging. */
export function alertRoutes({ db, audit, suppressionAt, tellGroups }: AlertRouteDeps): AnyRoute[] {
  const list = defineRoute({
    method: 'get',
    path: '/alerts',
    operationId: 'listAlerts',
    summary: 'Alerts, most recently seen first, filtered by state, severity, source, labels, CI, application, group or fingerprint',
    tag: TAG,
    permission: 'alert.read',
    query: listAlertsQuery,
    responses: { 200: { description: 'A page of alerts (without history)', schema: alertList } },
    async handler({ query, res }) {
      const found = await listAlerts(db, { ...criteriaOf(query), fingerprint: query.fingerprint, before: query.cursor }, query.limit + 1);
      const page = found.slice(0, query.limit);
      res.json({ items: page.map((a) => present(a, false)), nextCursor: found.length > query.limit ? page[page.length - 1]!.lastSeen : null });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/alerts/:id',
    operationId: 'getAlert',
    summary: "One alert: its latest view, history, and its part of the latest request's body",
    tag: TAG,
    permission: 'alert.read',
    params,
    responses: { 200: { description: 'The alert', schema: alertDetail }, 404: { description: 'No such alert' } },
    async handler({ params: p, res }) {
      const record = await held(p.id);
      res.json({ ...present(record, true), payload: await payloadOf(record) });
    },
  });

  const ack = (action: 'acknowledge' | 'unacknowledge') =>
    defineRoute({
      method: 'post',
      path: `/alerts/:id/${action}`,
      operationId: `${action}Alert`,
      summary: action === 'acknowledge' ? 'Take the alert: it stays acknowledged through duplicates and silences until it resolves' : 'Give the alert back: firing again, or suppressed when something suppresses it now',
      tag: TAG,
      permission: 'alert.act',
      params,
      body: acknowledgeBody,
      responses: { 200: { description: 'The alert after the change', schema: alert }, 404: { description: 'No such alert' }, 409: { description: 'Resolved, or not acknowledged' } },
      async handler({ params: p, req, res }) {
        const by = req.principal!.username;
        const record = await change(p.id, async (current, at) =>
          action === 'acknowledge' ? acknowledge(current, by, at) : unacknowledge(current, by, at, (await suppressionAt(at))({ status: 'firing', labels: current.labels, ciId: current.ciId })),
        );
        await audit(req, { action: `alert.${action}`, target: { type: 'alert', id: p.id }, outcome: 'success' });
        res.json(present(record, false));
      },
    });

  async function held(id: string) {
    const record = await findAlert(db, id);
    if (!record) throw new NotFoundError(`no alert ${id}`);
    return record;
  }

  /** Applies a person's change over the revision read (an intake write in between is read again) and tells the alert's group. */
  async function change(id: string, apply: AlertChange): Promise<AlertRecord> {
    let record: AlertRecord | null;
    try {
      record = await changeAlert(db, id, apply);
    } catch (error) {
      if (error instanceof AlertChangeRefused) throw new ConflictError(error.message);
      throw error;
    }
    if (!record) throw new NotFoundError(`no alert ${id}`);
    await tellGroups([record]);
    return record;
  }

  async function payloadOf(record: AlertRecord): Promise<unknown> {
    const request = await findRequest(db, requestId(record.source, record.sender, record.raw.digest));
    if (!request) return null;
    return atPointer(JSON.parse(request.body), record.raw.pointer);
  }

  return [list, get, ack('acknowledge'), ack('unacknowledge')];
}

/** RFC 6901: '' is the whole document, '/alerts/3' an element. */
function atPointer(doc: unknown, pointer: string): unknown {
  let at = doc;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at ?? null;
}

/** An alert as the API shows it (the list, the live stream): without its store bookkeeping. */
export function present(record: AlertRecord, withHistory: boolean) {
  const { applied: _applied, flap, history, rev: _rev, ...rest } = record as AlertRecord & { rev?: number; latest?: boolean };
  delete (rest as { latest?: boolean }).latest;
  return { ...rest, flapping: { since: flap.since, changes: flap.changes }, ...(withHistory && { history }) };
}
