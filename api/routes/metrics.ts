import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { METRICS } from '../../domain/collection/metrics';
import { pollingScheduleId } from '../../domain/collection/pollingJob';
import { bucketPoints } from '../../domain/collection/series';
import { parseDuration } from '../../domain/sla/policy';
import type { Catalog } from '../../runtime/catalog';
import { latestRuns } from '../../store/metrics/pollingRuns';
import { readSamples } from '../../store/metrics/samples';
import { activeStates } from '../../store/metrics/thresholdStates';
import type { CmdbAccess } from '../cmdb';
import { pollingScheduleState } from '../pollingSchedules';
import { InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { pollingJobList, SAMPLE_LIMITS, sampleSeries, samplesQuery, thresholdRuleList } from '../schemas/metrics';

const TAG = 'metrics';
const DAY_MS = 86_400_000;
/** Threshold states listed at most (pending, firing, clearing). */
const MAX_ACTIVE = 5_000;

export interface MetricRouteDeps {
  db: Connection;
  temporal: Client;
  catalog: Catalog;
  cmdb: CmdbAccess;
}

/** Built-in collection's read API (docs/alerts-collection.md#api): samples for trends, the polling jobs and threshold rules with where they stand. */
export function metricRoutes({ db, temporal, catalog, cmdb }: MetricRouteDeps): AnyRoute[] {
  const samples = defineRoute({
    method: 'get',
    path: '/metrics/samples',
    operationId: 'readMetricSamples',
    summary: "A CI's samples of one metric over a time range, oldest first, per instance; raw or bucketed by `step`",
    tag: TAG,
    permission: 'cmdb.read',
    query: samplesQuery,
    responses: { 200: { description: 'The series', schema: sampleSeries }, 400: { description: 'A bad metric, range or step' }, 404: { description: 'No such CI' } },
    async handler({ query, res }) {
      const to = query.to ? new Date(query.to).toISOString() : new Date().toISOString();
      const from = query.from ? new Date(query.from).toISOString() : new Date(Date.parse(to) - DAY_MS).toISOString();
      if (from >= to) throw new InputError('invalid query: from: must be before `to`', [{ field: 'query.from', message: 'must be before `to`' }]);
      if (Date.parse(to) - Date.parse(from) > SAMPLE_LIMITS.maxRangeDays * DAY_MS) {
        throw new InputError(`invalid query: the range may span at most ${SAMPLE_LIMITS.maxRangeDays} days`, [{ field: 'query.from', message: `at most ${SAMPLE_LIMITS.maxRangeDays} days before \`to\`` }]);
      }
      if (!(await cmdb.graph()).ci(query.ci)) throw new NotFoundError(`no CI ${query.ci}`);
      const { series, truncated } = await readSamples(db, { ci: query.ci, metric: query.metric, instance: query.instance, from, to }, query.limit);
      const stepMs = query.step ? parseDuration(query.step) : null;
      res.json({
        ci: query.ci,
        metric: query.metric,
        unit: METRICS[query.metric].unit,
        from,
        to,
        step: query.step ?? null,
        truncated,
        series: [...series]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([instance, points]) => ({ instance, points: stepMs ? bucketPoints(points, stepMs).map(({ avg, ...b }) => ({ ...b, value: avg })) : points })),
      });
    },
  });

  const jobs = defineRoute({
    method: 'get',
    path: '/metrics/polling-jobs',
    operationId: 'listPollingJobs',
    summary: 'The SNMP polling jobs of the catalog, each with its Temporal Schedule and its latest run',
    tag: TAG,
    permission: 'alert.read',
    responses: { 200: { description: 'The jobs, in catalog order', schema: pollingJobList } },
    async handler({ res }) {
      const { jobs: list, retention } = catalog.polling;
      const runs = await latestRuns(db, list.map((j) => j.name));
      const items = await Promise.all(
        list.map(async (job) => {
          const schedule = await pollingScheduleState(temporal, job.name);
          const run = runs.get(job.name);
          const { everyMs: _e, timeoutMs: _t, ...definition } = job;
          return {
            ...definition,
            targets: job.targets as Record<string, unknown>,
            schedule: schedule && { id: pollingScheduleId(job.name), ...schedule },
            lastRun: run ? { id: run._id, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt, counts: run.counts, problems: run.problems, error: run.error } : null,
          };
        }),
      );
      res.json({ items, retention });
    },
  });

  const thresholds = defineRoute({
    method: 'get',
    path: '/metrics/thresholds',
    operationId: 'listThresholdRules',
    summary: 'The threshold rules of the catalog, each with the CIs and instances where it is pending, firing or clearing',
    tag: TAG,
    permission: 'alert.read',
    responses: { 200: { description: 'The rules, in catalog order', schema: thresholdRuleList } },
    async handler({ res }) {
      const active = await activeStates(db, MAX_ACTIVE);
      res.json({
        items: catalog.thresholds.map(({ forMs: _f, clearForMs: _c, ...rule }) => ({
          ...rule,
          cis: rule.cis as Record<string, unknown> | null,
          active: active.filter((s) => s.rule === rule.id).map((s) => ({ ci: s.ci, instance: s.instance, phase: s.phase as 'pending' | 'firing' | 'clearing', since: s.since, breachedAt: s.breachedAt, value: s.value })),
        })),
      });
    },
  });

  return [samples, jobs, thresholds];
}
