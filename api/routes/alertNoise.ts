import type { Connection } from 'mongoose';
import { noiseBySource } from '../../domain/alert/noise';
import { alertsOpenedBetween } from '../../store/alerts/noise';
import { type AnyRoute, defineRoute } from '../route';
import { noiseReport, timeSpan } from '../schemas/alertConsole';

/** Alerts one report reads at most (their source, count, group and state changes). */
const MAX_ALERTS = 100_000;

/** Noise figures per source over a span (domain/alert/noise.ts, docs/alerts.md#noise-figures). */
export function alertNoiseRoutes({ db, maxAlerts = MAX_ALERTS }: { db: Connection; maxAlerts?: number }): AnyRoute[] {
  const noise = defineRoute({
    method: 'get',
    path: '/alerts/noise',
    operationId: 'alertNoise',
    summary: 'Noise figures per source over the alerts that opened in [from, to): events, alerts, groups, dedup ratio, correlation ratio, auto-resolved share',
    tag: 'alerts',
    permission: 'alert.read',
    query: timeSpan(1, 31),
    responses: { 200: { description: 'The figures, per source and in total', schema: noiseReport }, 400: { description: 'from/to malformed, reversed or more than 31 days apart' } },
    async handler({ query, res }) {
      const { alerts, truncated } = await alertsOpenedBetween(db, query.from, query.to, maxAlerts);
      res.json({ from: query.from, to: query.to, ...noiseBySource(alerts), truncated });
    },
  });
  return [noise];
}
