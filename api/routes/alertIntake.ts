import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { AlertEvent } from '../../domain/alert/alert';
import type { AlertRecord, EventOutcome } from '../../domain/alert/intake';
import { ADAPTERS, type IntakeSource } from '../../domain/alert/sources';
import { acceptRequest, type IntakeSources } from '../../store/alerts/intake';
import { InputError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { intakeResponse } from '../schemas/alert';

const TAG = 'alerts';

const SOURCES: Record<IntakeSource, { summary: string; body: string }> = {
  alertmanager: { summary: 'Prometheus Alertmanager webhook (v4): point a webhook receiver here', body: 'An Alertmanager webhook v4 message (docs/alerts.md#alertmanager-webhook-v4)' },
  zabbix: { summary: "Zabbix webhook media type: one event's parameters, or a list of them", body: 'Zabbix media-type parameters (docs/alerts.md#zabbix-webhook)' },
  events: { summary: 'Generic events with PagerDuty Events API v2 semantics: one event or a list', body: 'PagerDuty Events v2 event(s) (docs/alerts.md#generic-events-pagerduty-events-api-v2)' },
};

export interface AlertIntakeDeps {
  db: Connection;
  sources: IntakeSources;
  /** Resolves once the alert collections' indexes exist. */
  alertsReady: Promise<void>;
  /** Tells the alert groups what changed (api/alertGroups.ts). */
  notifyGroups: (requestId: string, changed: readonly AlertRecord[]) => Promise<void>;
}

/**
 * One intake endpoint per source. The sender is the API token's name (an integration), so
 * the same native key from two integrations is two alerts. 202 only once every event is
 * stored; a malformed body is refused whole with the fields that are wrong; a body delivered
 * again answers as the first time did, and changes nothing.
 */
export function alertIntakeRoutes({ db, sources, alertsReady, notifyGroups }: AlertIntakeDeps): AnyRoute[] {
  return (Object.keys(SOURCES) as IntakeSource[]).map((source) =>
    defineRoute({
      method: 'post',
      path: `/alerts/intake/${source}`,
      operationId: `intake${source[0]!.toUpperCase()}${source.slice(1)}`,
      summary: SOURCES[source].summary,
      tag: TAG,
      permission: 'alert.intake',
      body: z.unknown().meta({ description: SOURCES[source].body }),
      responses: {
        202: { description: 'Stored: every event applied (or the same body was accepted before)', schema: intakeResponse },
        400: { description: 'Malformed: nothing stored; `errors` names each wrong field (body.alerts.3.startsAt)' },
        503: { description: 'The store cannot be reached: nothing stored, retry after Retry-After', headers: { 'Retry-After': 'Seconds to wait' } },
      },
      async handler({ body, req, res }) {
        const receivedAt = new Date().toISOString();
        const sender = req.principal!.tokenName ?? '';
        const parsed = ADAPTERS[source].parse(body, { receivedAt, sender });
        if (!parsed.ok) throw new InputError(`the ${source} message is malformed; nothing was stored: ${parsed.errors[0]!.field}: ${parsed.errors[0]!.message}`, parsed.errors);
        await alertsReady;
        const result = await acceptRequest(db, { source, sender, actor: req.principal!.username, digest: parsed.digest, payload: body, receivedAt, events: parsed.events, notes: parsed.notes }, sources);
        if (!result.duplicate) await notifyGroups(result.requestId, result.changed);
        const events = result.outcomes.map((o) => withKey(o, parsed.events[o.index]!));
        const single = source === 'events' && !Array.isArray(body) ? events[0]?.dedup_key : undefined;
        res.status(202).json({
          status: 'success',
          message: result.duplicate ? 'Already accepted: this body was delivered before' : `Accepted ${events.length} event${events.length === 1 ? '' : 's'}`,
          request: result.requestId,
          duplicate: result.duplicate,
          events,
          notes: parsed.notes,
          ...(single !== undefined && { dedup_key: single }),
        });
      },
    }),
  );
}

const withKey = (outcome: EventOutcome, event: AlertEvent) => ({ ...outcome, dedup_key: event.kind === 'report' ? event.alert.nativeKey : event.key.nativeKey });
