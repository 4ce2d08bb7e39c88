import { z } from 'zod';
import { SEVERITIES } from '../../domain/alert/alert';
import { parseInstant } from '../../domain/alert/silence';
import { alertCriteria } from './alert';

/** An ISO 8601 time with a zone, given back in UTC. */
export const instant = z
  .string()
  .refine((text) => parseInstant(text) !== null, 'must be an ISO 8601 time with a zone, e.g. 2026-06-01T00:00:00Z')
  .transform((text) => new Date(parseInstant(text)!).toISOString());

const DAY_MS = 86_400_000;

/** from/to, from before to, at most `maxDays` apart; either may be left out (to: now, from: `defaultDays` before to). */
export function timeSpan(defaultDays: number, maxDays: number) {
  return z
    .strictObject({ from: instant.optional(), to: instant.optional() })
    .transform(({ from, to }) => {
      const end = to ?? new Date().toISOString();
      return { to: end, from: from ?? new Date(Date.parse(end) - defaultDays * DAY_MS).toISOString() };
    })
    .refine(({ from, to }) => from < to, { message: 'from must be before to', path: ['from'] })
    .refine(({ from, to }) => Date.parse(to) - Date.parse(from) <= maxDays * DAY_MS, { message: `from and to may be at most ${maxDays} days apart`, path: ['from'] });
}

const named = z.object({ id: z.string(), name: z.string() });

// ---------------------------------------------------------------- grouped view

/** The page cursor of the grouped view: opaque text (base64url of { lastSeen, key }). */
export const groupCursor = z
  .string()
  .max(2000)
  .transform((text, ctx) => {
    try {
      const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
      const parsed = z.strictObject({ lastSeen: z.string(), key: z.string() }).parse(value);
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this list gave (nextCursor)' });
      return z.NEVER;
    }
  });

export const encodeGroupCursor = (cursor: { lastSeen: string; key: string }) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

export const listGroupsQuery = z.strictObject({
  ...alertCriteria,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: groupCursor.optional().meta({ description: 'nextCursor of the previous page' }),
});

export const alertGroupSummary = z
  .object({
    key: z.string().meta({ description: 'The group key (`alert-group/<key>` is its workflow)' }),
    rule: z.string(),
    alerts: z.int().meta({ description: 'Alerts of the group that match the filters' }),
    events: z.int().meta({ description: 'Firing messages over those alerts' }),
    states: z.object({ firing: z.int(), acknowledged: z.int(), suppressed: z.int(), resolved: z.int() }),
    severity: z.enum(SEVERITIES).meta({ description: 'The worst among them' }),
    latest: z.object({ id: z.string(), name: z.string(), summary: z.string() }),
    cis: z.array(named).meta({ description: 'Distinct CIs, most recently seen first (at most 10)' }),
    ciCount: z.int(),
    applications: z.array(named),
    firstSeen: z.string(),
    lastSeen: z.string(),
    incident: z.string().nullable().meta({ description: 'The incident the group linked most recently' }),
  })
  .meta({ id: 'AlertGroupSummary' });

export const alertGroupList = z.object({ items: z.array(alertGroupSummary), nextCursor: z.string().nullable() }).meta({ id: 'AlertGroupList' });

// ---------------------------------------------------------------- noise

const ratio = z.number().nullable();

export const noiseFigures = z
  .object({
    source: z.string().meta({ description: "A source, or 'all'" }),
    events: z.int().meta({ description: 'Firing messages counted by the alerts that opened in the span (the sum of their counts)' }),
    alerts: z.int().meta({ description: 'Alerts that opened in the span' }),
    groups: z.int().meta({ description: 'Distinct group keys among them; an alert no rule grouped is a group of its own' }),
    resolved: z.int(),
    autoResolved: z.int().meta({ description: 'Resolved by the source with no person acknowledging' }),
    dedupRatio: ratio.meta({ description: '1 − alerts / events; null without events' }),
    correlationRatio: ratio.meta({ description: '1 − groups / alerts; null without alerts' }),
    autoResolvedShare: ratio.meta({ description: 'autoResolved / resolved; null when none resolved' }),
  })
  .meta({ id: 'NoiseFigures' });

export const noiseReport = z
  .object({
    from: z.string(),
    to: z.string(),
    sources: z.array(noiseFigures),
    total: noiseFigures,
    truncated: z.boolean().meta({ description: 'More alerts opened than are read for one report: the figures cover the earliest of them' }),
  })
  .meta({ id: 'NoiseReport' });

// ---------------------------------------------------------------- maintenance calendar

export const calendarEntry = z
  .object({
    window: z.string().meta({ description: 'The maintenance window id' }),
    title: z.string(),
    recurring: z.boolean(),
    startsAt: z.string().meta({ description: 'The occurrence, whole (it may begin before from)' }),
    endsAt: z.string().nullable().meta({ description: 'null: it does not end' }),
  })
  .meta({ id: 'MaintenanceOccurrence' });

export const maintenanceCalendar = z.object({ from: z.string(), to: z.string(), items: z.array(calendarEntry), truncated: z.boolean() }).meta({ id: 'MaintenanceCalendar' });

// ---------------------------------------------------------------- runs of an alert

export const alertRun = z
  .object({
    id: z.string(),
    runbook: z.object({ id: z.string(), version: z.int(), name: z.string() }),
    status: z.string(),
    trigger: z.object({ type: z.string(), ref: z.string().optional() }),
    targets: z.int(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    summary: z.string().nullable(),
  })
  .meta({ id: 'AlertRun' });
