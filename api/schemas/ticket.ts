import { z } from 'zod';
import { HOLD_REASONS, INCIDENT_STATES } from '../../domain/ticket/incident';
import { PROBLEM_STATES } from '../../domain/ticket/problem';
import { REQUEST_STATES } from '../../domain/ticket/request';

const level = z.union([z.literal(1), z.literal(2), z.literal(3)]).meta({ description: '1 = high, 2 = medium, 3 = low' });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const name = text(100);
const priority = z.enum(['P1', 'P2', 'P3', 'P4', 'P5']);

export const ticketNumber = z
  .string()
  .regex(/^(INC|REQ|PRB)\d{7,}$/, 'must be a ticket number like INC0000001, REQ0000001 or PRB0000001')
  .meta({ example: 'INC0000001' });
const incidentNumber = z.string().regex(/^INC\d{7,}$/, 'must be an incident number like INC0000001');
const problemNumber = z.string().regex(/^PRB\d{7,}$/, 'must be a problem number like PRB0000001');

const classification = {
  category: name.nullable().optional().meta({ description: 'Free-text category used by assignment rules and SLA policies, e.g. network' }),
  service: name.nullable().optional().meta({ description: 'The business service affected' }),
  affectedCis: z.array(name).max(50).optional().meta({ description: 'Affected configuration items' }),
};

const ticketFields = z
  .strictObject({
    title: text(200),
    description: z.string().trim().max(10_000).default(''),
    impact: level,
    urgency: level,
    ...classification,
    assignmentGroup: name.optional().meta({ description: 'Name of an existing assignment group; left out, the assignment rules choose' }),
  });

export const createIncidentBody = ticketFields
  .extend({ caller: name.optional().meta({ description: 'The user the incident is logged for (agents only); default: the caller of the API' }) })
  .meta({ id: 'NewIncident' });

export const createProblemBody = ticketFields.meta({ id: 'NewProblem' });

export const createRequestBody = z
  .strictObject({
    item: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a catalog item id like vpn-access'),
    answers: z.record(z.string(), z.unknown()).default({}).meta({ description: "Answers to the item's form, checked against its schema" }),
  })
  .meta({ id: 'NewRequest' });

const fieldChanges = z.strictObject({ title: text(200).optional(), description: z.string().trim().max(10_000).optional(), impact: level.optional(), urgency: level.optional(), ...classification });

/** The body of each action the API accepts; the ticket's workflow decides whether it applies now. */
export const actionBodies = {
  assign: z.strictObject({ group: name.nullable().optional(), assignee: name.nullable().optional() }),
  comment: z.strictObject({
    text: text(10_000),
    workNote: z.boolean().default(false).meta({ description: 'true: visible to agents only (needs ticket.act)' }),
  }),
  update: z.strictObject({ changes: fieldChanges }),
  watch: z.strictObject({ watching: z.boolean().default(true) }),
  start: z.strictObject({}),
  hold: z.strictObject({ reason: z.enum(HOLD_REASONS), comment: text(10_000).optional().meta({ description: 'Required for awaiting_caller: what the caller must provide' }) }),
  resume: z.strictObject({}),
  resolve: z.strictObject({ resolutionCode: name, resolutionNotes: text(10_000), resolveIncidents: z.boolean().default(false).meta({ description: 'Problems: also resolve the linked incidents' }) }),
  close: z.strictObject({}),
  cancel: z.strictObject({ reason: text(1000) }),
  reopen: z.strictObject({ reason: text(1000) }),
  set_parent: z.strictObject({ parent: incidentNumber.nullable() }),
  link_problem: z.strictObject({ problem: problemNumber.nullable() }),
  decide: z.strictObject({ decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(2000).default('') }),
  delegate: z.strictObject({ from: name.optional().meta({ description: 'Whose vote; defaults to the caller' }), to: name }),
  assign_task: z.strictObject({ task: z.string().regex(/^T\d+$/, 'must be a task id like T1'), assignee: name.nullable() }),
  complete_task: z.strictObject({ task: z.string().regex(/^T\d+$/, 'must be a task id like T1'), notes: text(10_000) }),
  analyse: z.strictObject({ rootCause: text(10_000).optional(), workaround: text(10_000).optional() }),
  publish_known_error: z.strictObject({}),
};
export type ApiActionType = keyof typeof actionBodies;
export const API_ACTIONS = Object.keys(actionBodies) as ApiActionType[];

const states = [...new Set([...INCIDENT_STATES, ...REQUEST_STATES, ...PROBLEM_STATES])] as [string, ...string[]];

const timelineEntry = z.object({
  at: z.iso.datetime(),
  actor: z.string(),
  kind: z.enum(['created', 'assigned', 'state_changed', 'comment', 'work_note', 'sla', 'approval', 'link', 'task', 'priority_changed', 'automation']),
  text: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  run: z
    .object({ runId: z.string(), runbook: z.string(), version: z.int(), status: z.string(), summary: z.string(), hosts: z.record(z.string(), z.int()), link: z.string() })
    .optional()
    .meta({ description: 'automation entries: the result of a run started for the ticket (shown to agents only)' }),
});

const slaView = z.object({
  name: z.string(),
  metric: z.enum(['response', 'resolution']),
  policy: z.string(),
  status: z.enum(['on_track', 'warning', 'breached', 'paused', 'completed', 'cancelled']),
  dueAt: z.iso.datetime(),
  originalDueAt: z.iso.datetime(),
  targetMs: z.number(),
  elapsedBusinessMs: z.number(),
  remainingBusinessMs: z.number().meta({ description: 'Business time left; negative once breached' }),
  breached: z.boolean().meta({ description: 'Breached now, or completed after its due time' }),
});

const common = {
  number: ticketNumber,
  title: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  service: z.string().nullable(),
  affectedCis: z.array(z.string()),
  impact: level,
  urgency: level,
  priority,
  state: z.enum(states),
  assignmentGroup: z.string().nullable(),
  assignee: z.string().nullable(),
  assignmentSource: z.enum(['manual', 'rule', 'sla']).nullable(),
  reassignmentCount: z.number().int(),
  assignments: z.array(z.object({ at: z.string(), actor: z.string(), group: z.string().nullable(), assignee: z.string().nullable(), source: z.string(), rule: z.string().optional() })),
  openedBy: z.string(),
  watchers: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
  timeline: z.array(timelineEntry),
  sla: z.array(slaView).meta({ description: 'The SLA clocks as of the response, with remaining business time' }),
};

export const ticket = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('incident'),
      ...common,
      holdReason: z.enum(HOLD_REASONS).nullable(),
      resolutionCode: z.string().nullable(),
      resolutionNotes: z.string().nullable(),
      resolvedAt: z.string().nullable(),
      closedAt: z.string().nullable(),
      reopenCount: z.number().int(),
      parent: z.string().nullable(),
      children: z.array(z.string()),
      problem: z.string().nullable(),
      alertGroup: z.string().optional().meta({ description: 'The alert group (key) that opened it; absent for incidents people opened' }),
    }),
    z.object({
      kind: z.literal('request'),
      ...common,
      item: z.string(),
      itemName: z.string(),
      answers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      approval: z.looseObject({ outcome: z.enum(['pending', 'approved', 'rejected']), current: z.number(), levels: z.array(z.looseObject({})) }).nullable(),
      tasks: z.array(z.object({ id: z.string(), title: z.string(), group: z.string(), assignee: z.string().nullable(), state: z.enum(['open', 'done', 'cancelled']), completedAt: z.string().nullable(), notes: z.string().nullable() })),
      fulfilledAt: z.string().nullable(),
      closedAt: z.string().nullable(),
    }),
    z.object({
      kind: z.literal('problem'),
      ...common,
      rootCause: z.string().nullable(),
      workaround: z.string().nullable(),
      knownErrorAt: z.string().nullable(),
      linkedIncidents: z.array(z.string()),
      resolveIncidentsOnResolve: z.boolean(),
      resolutionCode: z.string().nullable(),
      resolutionNotes: z.string().nullable(),
      resolvedAt: z.string().nullable(),
      closedAt: z.string().nullable(),
    }),
  ])
  .meta({ id: 'Ticket' });

export const ticketPage = z
  .object({ items: z.array(ticket), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }) })
  .meta({ id: 'TicketPage' });

export const QUEUES = ['all', 'mine', 'my_groups', 'unassigned', 'breaching', 'recent', 'approvals', 'opened'] as const;

export const listTicketsQuery = z.strictObject({
  queue: z.enum(QUEUES).default('all').meta({ description: 'mine: assigned to me; my_groups: my groups’ open work; unassigned: open and nobody on it; breaching: open, soonest SLA due first; recent: open ones and those resolved or closed in the last 7 days, last updated first; approvals: waiting for my decision; opened: the tickets I opened, open or closed in the last 7 days (the portal’s “my requests”); all: every ticket ever (on the embedded store this reads every ticket: slow at scale)' }),
  kind: z.enum(['incident', 'request', 'problem']).optional(),
  state: z.enum(states).optional(),
  priority: priority.optional(),
  group: name.optional(),
  assignee: name.optional(),
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'A ticket number, or words that must all appear in the title (in queue=all: the title or description)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
});

export const knownErrorsQuery = z.strictObject({
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const serviceDeskSettings = z
  .object({
    priorityMatrix: z.record(z.string(), z.record(z.string(), priority)).meta({ description: 'Priority by impact, then urgency (1 = high)' }),
    reopenWindowMs: z.number().int().meta({ description: 'How long after resolution an incident may be reopened' }),
  })
  .meta({ id: 'ServiceDeskSettings' });
