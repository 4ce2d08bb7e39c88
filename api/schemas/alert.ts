import { z } from 'zod';
import { ALERT_SOURCES, type AlertSource, SEVERITIES, type Severity } from '../../domain/alert/alert';
import { CRITICALITIES } from '../../domain/alert/enrichment';
import type { AlertCriteria } from '../../domain/alert/filter';
import { ALERT_STATES, type AlertState } from '../../domain/alert/lifecycle';

export const alertId = z
  .string()
  .regex(/^[0-9a-f]{64}#[1-9]\d*$/, 'an alert id is <fingerprint>#<episode>, e.g. 3f…9a#1 (send # as %23 in a path)')
  .meta({ description: 'Alert id: fingerprint and episode, `<64 hex>#<n>`' });

const textMap = z.record(z.string(), z.string());

const ciSummary = z.object({ id: z.string(), name: z.string(), class: z.string(), criticality: z.enum(CRITICALITIES).nullable() });

const alertContext = z
  .object({
    ci: ciSummary,
    foundBy: z.string().meta({ description: 'The rule and value that found the CI: `resource.ip = 10.20.30.41`' }),
    zone: z.string().nullable(),
    applications: z.array(ciSummary),
    businessSystems: z.array(ciSummary),
    ownerGroup: z.string().nullable(),
    environment: z.string().nullable(),
    criticality: z.enum(CRITICALITIES).nullable(),
  })
  .meta({ id: 'AlertContext' });

const historyEntry = z.object({
  at: z.string(),
  type: z.enum(['state', 'flapping']),
  from: z.string().nullable().optional(),
  to: z.string().optional(),
  flapping: z.boolean().optional(),
  reason: z.string(),
  by: z.string().optional(),
});

export const alert = z
  .object({
    id: alertId,
    fingerprint: z.string(),
    episode: z.int(),
    source: z.enum(ALERT_SOURCES),
    sender: z.string().meta({ description: 'The intake integration (API token name) it came through' }),
    nativeKey: z.string().meta({ description: "The sender's own key: Alertmanager's fingerprint, the Zabbix event id, the dedup_key" }),
    nativeKeyFrom: z.enum(['source', 'labels', 'payload']),
    name: z.string(),
    severity: z.enum(SEVERITIES),
    nativeSeverity: z.string().nullable(),
    state: z.enum(ALERT_STATES),
    summary: z.string(),
    description: z.string().nullable(),
    labels: textMap,
    annotations: textMap,
    resource: z.object({ host: z.string().optional(), ip: z.string().optional(), instance: z.string().optional(), service: z.string().optional(), component: z.string().optional() }),
    ciId: z.string().nullable(),
    context: alertContext.nullable().meta({ description: 'What the CMDB knows around the CI (docs/alerts-enrichment.md); null when no CI was found' }),
    count: z.int().meta({ description: 'Firing messages in this episode' }),
    firstSeen: z.string(),
    lastSeen: z.string(),
    startsAt: z.string(),
    endsAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    acknowledged: z.object({ by: z.string(), at: z.string() }).nullable(),
    suppressedBy: z.array(z.object({ kind: z.enum(['silence', 'maintenance']), id: z.string() })),
    flapping: z.object({ since: z.string().nullable(), changes: z.array(z.string()) }),
    generatorURL: z.string().nullable(),
    raw: z.object({ digest: z.string(), pointer: z.string() }),
    groupKey: z.string().optional().meta({ description: 'The alert group it joined (`alert-group/<key>` is its workflow)' }),
    topology: z
      .object({ rootCi: z.string(), related: z.array(z.string()) })
      .optional()
      .meta({ description: "Set when it joined its group by topology: the group's probable root CI then, and the open alerts it relates to" }),
    incident: z.string().optional().meta({ description: 'The incident its group opened or attached it to' }),
    history: z.array(historyEntry).optional().meta({ description: 'State changes, oldest first (the latest 100); only on one alert' }),
  })
  .meta({ id: 'Alert' });

export const alertDetail = alert.extend({ payload: z.unknown().meta({ description: "The alert's part of the latest request about it, as the sender sent it" }) }).meta({ id: 'AlertDetail' });

const commaList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)))
    .optional()
    .meta({ description: `Comma-separated: ${values.join(', ')}` });

/** What the console filters by (domain/alert/filter.ts): the list, the live stream and the grouped view share it. */
export const alertCriteria = {
  state: commaList(ALERT_STATES),
  severity: commaList(SEVERITIES),
  source: commaList(ALERT_SOURCES),
  label: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^[^=]+=.*$/, 'a label filter is name=value')))
    .optional()
    .meta({ description: 'name=value; repeat for several (all must hold)' }),
  ci: z.string().min(1).max(200).optional().meta({ description: 'The CI id enrichment mapped the alert to' }),
  application: z.string().min(1).max(200).optional().meta({ description: 'An application CI id the alert is under (context.applications)' }),
  group: z.string().min(1).max(300).optional().meta({ description: 'The stored group key (`<rule>/<digest>`)' }),
};

/** The criteria as domain/alert/filter.ts takes them. */
export const criteriaOf = (q: { state?: AlertState[]; severity?: Severity[]; source?: AlertSource[]; label?: string[]; ci?: string; application?: string; group?: string }): AlertCriteria => ({
  state: q.state,
  severity: q.severity,
  source: q.source,
  labels: q.label,
  ci: q.ci,
  application: q.application,
  group: q.group,
});

export const listAlertsQuery = z.strictObject({
  ...alertCriteria,
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'a fingerprint is 64 hex digits').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().optional().meta({ description: 'nextCursor of the previous page' }),
});

export const alertList = z.object({ items: z.array(alert), nextCursor: z.string().nullable() }).meta({ id: 'AlertList' });

const outcome = z.object({
  index: z.int(),
  fingerprint: z.string(),
  alertId: z.string().nullable(),
  kind: z.enum(['opened', 'repeated', 'resolved', 'acknowledged', 'ignored', 'skipped']),
  changed: z.boolean(),
  reason: z.string().optional(),
  dedup_key: z.string().optional().meta({ description: "The alert's native key (PagerDuty's dedup_key), to acknowledge or resolve it with" }),
});

export const intakeResponse = z
  .object({
    status: z.literal('success'),
    message: z.string(),
    request: z.string().meta({ description: 'The stored request: the same body delivered again names the same one' }),
    duplicate: z.boolean().meta({ description: 'The body was accepted before; nothing changed now' }),
    events: z.array(outcome),
    notes: z.array(z.string()),
    dedup_key: z.string().optional().meta({ description: 'When the body was one event: its key, as PagerDuty answers' }),
  })
  .meta({ id: 'IntakeResponse' });

export const acknowledgeBody = z.strictObject({ comment: z.string().max(2000).optional() }).optional();
