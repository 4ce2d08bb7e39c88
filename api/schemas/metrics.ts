import { z } from 'zod';
import { SEVERITIES } from '../../domain/alert/alert';
import { METRIC_NAMES, METRIC_SETS } from '../../domain/collection/metrics';
import { COMPARISONS } from '../../domain/collection/threshold';
import { parseDuration } from '../../domain/sla/policy';

/** The longest range one read may cover, and the most points it returns. */
export const SAMPLE_LIMITS = { maxRangeDays: 400, maxPoints: 10_000, defaultPoints: 2_000, minStepMs: 1_000 } as const;

const isoTime = z.iso.datetime({ offset: true });

export const samplesQuery = z
  .strictObject({
    ci: z.string().min(1).max(200).meta({ description: 'CI id' }),
    metric: z.enum(METRIC_NAMES),
    instance: z.string().max(500).optional().meta({ description: "One interface or mount point; absent: every instance ('' is the device itself)" }),
    from: isoTime.optional().meta({ description: 'Inclusive, ISO 8601; default 24 hours before `to`' }),
    to: isoTime.optional().meta({ description: 'Exclusive, ISO 8601; default now' }),
    step: z
      .string()
      .refine((text) => {
        try {
          return parseDuration(text) >= SAMPLE_LIMITS.minStepMs;
        } catch {
          return false;
        }
      }, "a duration of at least 1s, such as '5m' or '1h'")
      .optional()
      .meta({ description: 'Bucket the points: average, minimum, maximum and count per step' }),
    limit: z.coerce.number().int().min(1).max(SAMPLE_LIMITS.maxPoints).default(SAMPLE_LIMITS.defaultPoints).meta({ description: 'Raw samples read at most (before bucketing)' }),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['from'], message: 'must be before `to`' });

const point = z.object({
  at: z.string().meta({ description: 'Sample time, or the start of the bucket' }),
  value: z.number().meta({ description: 'The value, or the average of the bucket' }),
  min: z.number().optional(),
  max: z.number().optional(),
  count: z.int().optional(),
});

export const sampleSeries = z
  .object({
    ci: z.string(),
    metric: z.enum(METRIC_NAMES),
    unit: z.string(),
    from: z.string(),
    to: z.string(),
    step: z.string().nullable(),
    truncated: z.boolean().meta({ description: 'More samples than `limit` lay in the range: narrow it, or raise the limit' }),
    series: z.array(z.object({ instance: z.string(), points: z.array(point) })),
  })
  .meta({ id: 'SampleSeries' });

const counts = z.object({ targets: z.int(), done: z.int(), ok: z.int(), unreachable: z.int(), failed: z.int(), samples: z.int(), crossings: z.int() });

export const pollingJob = z
  .object({
    name: z.string(),
    description: z.string(),
    targets: z.record(z.string(), z.unknown()).meta({ description: 'CMDB selector' }),
    every: z.string(),
    metrics: z.array(z.enum(METRIC_SETS)),
    concurrency: z.int(),
    credential: z.string().nullable(),
    port: z.int(),
    timeout: z.string(),
    paused: z.boolean().meta({ description: 'As the catalog says' }),
    schedule: z
      .object({
        id: z.string(),
        paused: z.boolean(),
        nextRuns: z.array(z.string()),
        recent: z.array(z.object({ scheduledAt: z.string(), workflowId: z.string() })),
      })
      .nullable()
      .meta({ description: 'The Temporal Schedule; null when it does not exist (the catalog has not been synced yet)' }),
    lastRun: z
      .object({
        id: z.string(),
        status: z.enum(['running', 'completed', 'failed']),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
        counts,
        problems: z.array(z.object({ ciId: z.string(), name: z.string(), status: z.enum(['unreachable', 'failed']), error: z.string() })),
        error: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'PollingJob' });

export const pollingJobList = z.object({ items: z.array(pollingJob), retention: z.string() }).meta({ id: 'PollingJobList' });

export const thresholdRule = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    metric: z.enum(METRIC_NAMES),
    op: z.enum(COMPARISONS as [string, ...string[]]),
    limit: z.number(),
    clear: z.number(),
    for: z.string(),
    clearFor: z.string(),
    severity: z.enum(SEVERITIES),
    instance: z.string().nullable(),
    cis: z.record(z.string(), z.unknown()).nullable(),
    labels: z.record(z.string(), z.string()),
    summary: z.string(),
    active: z
      .array(z.object({ ci: z.string(), instance: z.string(), phase: z.enum(['pending', 'firing', 'clearing']), since: z.string(), breachedAt: z.string().nullable(), value: z.number() }))
      .meta({ description: 'Where it is pending (holding), firing or clearing now' }),
  })
  .meta({ id: 'ThresholdRule' });

export const thresholdRuleList = z.object({ items: z.array(thresholdRule) }).meta({ id: 'ThresholdRuleList' });
