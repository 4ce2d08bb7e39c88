import { z } from 'zod';
import { type INCIDENT_ACTIONS, INCIDENT_STATES } from '../../domain/incident';

const level = z
  .union([z.literal(1), z.literal(2), z.literal(3)])
  .meta({ description: '1 = high, 2 = medium, 3 = low' });

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const incidentNumber = z
  .string()
  .regex(/^INC\d{7,}$/, 'must be an incident number like INC0000001')
  .meta({ example: 'INC0000001' });

export const createIncidentBody = z
  .strictObject({
    title: text(200),
    description: z.string().trim().max(10_000).default(''),
    impact: level,
    urgency: level,
    assignmentGroup: z.string().trim().min(1).max(100).optional().meta({ description: 'Name of an existing assignment group' }),
  })
  .meta({ id: 'NewIncident' });

export const actionBodies = {
  assign: z.strictObject({ assignee: text(100).meta({ description: 'User name of the agent' }) }),
  start: z.strictObject({}),
  resolve: z.strictObject({ resolutionCode: text(100), resolutionNotes: text(10_000) }),
  close: z.strictObject({}),
  comment: z.strictObject({
    text: text(10_000),
    workNote: z.boolean().default(false).meta({ description: 'true: visible to agents only (needs incident.act)' }),
  }),
} satisfies Record<(typeof INCIDENT_ACTIONS)[number], z.ZodType>;

const timelineEntry = z.object({
  at: z.iso.datetime(),
  actor: z.string(),
  kind: z.enum(['created', 'assigned', 'state_changed', 'comment', 'work_note']),
  text: z.string(),
  from: z.enum(INCIDENT_STATES).optional(),
  to: z.enum(INCIDENT_STATES).optional(),
});

export const incident = z
  .object({
    number: incidentNumber,
    kind: z.literal('incident'),
    title: z.string(),
    description: z.string(),
    impact: level,
    urgency: level,
    priority: z.enum(['P1', 'P2', 'P3', 'P4', 'P5']),
    state: z.enum(INCIDENT_STATES),
    assignmentGroup: z.string().nullable(),
    assignee: z.string().nullable(),
    openedBy: z.string(),
    resolutionCode: z.string().nullable(),
    resolutionNotes: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    resolvedAt: z.iso.datetime().nullable(),
    closedAt: z.iso.datetime().nullable(),
    version: z.number().int().min(1),
    timeline: z.array(timelineEntry),
  })
  .meta({ id: 'Incident' });

export const incidentPage = z
  .object({ items: z.array(incident), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }) })
  .meta({ id: 'IncidentPage' });

export const listIncidentsQuery = z.strictObject({
  state: z.enum(INCIDENT_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
