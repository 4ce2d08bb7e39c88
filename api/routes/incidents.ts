import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import type { Request, Response } from 'express';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { INCIDENT_ACTIONS, type Incident, type IncidentAction, type IncidentScope, isVisible, openIncident, withoutWorkNotes } from '../../domain/incident';
import { diffOf } from '../../domain/diff';
import { formatTicketNumber, ticketWorkflowId } from '../../domain/ticketNumber';
import { nextSequence } from '../../store/counters';
import { groupModel } from '../../store/groups';
import { claimKey, findKey, fingerprintOf } from '../../store/idempotency';
import { incidentModel, type IncidentDocument, toIncident } from '../../store/incidents';
import { actUpdate, incidentWorkflow, openedUpdate } from '../../workflows/incident';
import type { AuditRecorder } from '../audit';
import type { Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, InputError, NotFoundError, Problem } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { actionBodies, createIncidentBody, incident, incidentNumber, incidentPage, listIncidentsQuery } from '../schemas/incident';
import { workflowProblem } from '../workflowErrors';

export interface IncidentDeps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  audit: AuditRecorder;
}

const numberParams = z.strictObject({ number: incidentNumber });
const IF_MATCH = 'The ETag of the incident as last read; the action is refused with 412 if it changed since';

export function incidentRoutes({ db, temporal, taskQueue, audit }: IncidentDeps): AnyRoute[] {
  const incidents = incidentModel(db);

  /** The incident, if the caller may see it; otherwise the same 404 as a missing one, so numbers cannot be probed. */
  async function load(number: string, req: Request): Promise<Incident> {
    const found = await incidents.findById(number).lean<IncidentDocument>().exec();
    const incident = found && toIncident(found);
    if (incident && !isVisible(incident, scopeOf(req.principal!))) {
      await audit(req, { action: 'access.denied', target: { type: 'incident', id: number }, outcome: 'denied', detail: "outside the caller's groups" });
    }
    if (!incident || !isVisible(incident, scopeOf(req.principal!))) throw new NotFoundError(`no incident ${number}`);
    return incident;
  }

  async function open(number: string, body: z.output<typeof createIncidentBody>, actor: string): Promise<Incident> {
    const startWorkflowOperation = new WithStartWorkflowOperation(incidentWorkflow, {
      workflowId: ticketWorkflowId(number),
      taskQueue,
      args: [{ incident: openIncident(body, number, actor, new Date().toISOString()) }],
      // A retried create (same Idempotency-Key) attaches to the workflow the first attempt started.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      return await temporal.workflow.executeUpdateWithStart(openedUpdate, { startWorkflowOperation });
    } catch (error) {
      throw workflowProblem(error, number);
    }
  }

  /** A new number, or the one an earlier request with the same Idempotency-Key got. */
  async function numberFor(key: string | undefined, fingerprint: string): Promise<string> {
    const allocate = async () => formatTicketNumber('incident', await nextSequence(db, 'incident'));
    if (!key) return allocate();
    const scoped = `incidents:${key}`;
    const known = await findKey(db, scoped);
    if (known) return reuse(known, fingerprint);
    const number = await allocate();
    const earlier = await claimKey(db, scoped, number, fingerprint);
    return earlier ? reuse(earlier, fingerprint) : number;
  }

  const create = defineRoute({
    method: 'post',
    path: '/incidents',
    operationId: 'createIncident',
    summary: 'Open an incident; its workflow starts and the stored ticket is returned',
    tag: 'incidents',
    permission: 'incident.create',
    body: createIncidentBody,
    headers: { 'Idempotency-Key': 'Any unique string; a retry with the same key and body returns the same incident instead of a new one' },
    responses: { 201: { description: 'The new incident', schema: incident, headers: { Location: 'URL of the incident', ETag: 'Version tag for If-Match' } } },
    async handler({ body, req, res }) {
      if (body.assignmentGroup && !(await groupModel(db).exists({ _id: body.assignmentGroup }))) {
        throw new InputError(`there is no assignment group '${body.assignmentGroup}'`, [{ field: 'body.assignmentGroup', message: 'unknown group' }]);
      }
      const number = await numberFor(req.get('idempotency-key'), fingerprintOf(body));
      const opened = await open(number, body, req.actor);
      await audit(req, { action: 'incident.create', target: { type: 'incident', id: number }, diff: diffOf({}, auditedFields(opened)), outcome: 'success' });
      sendIncident(res.status(201).location(`${req.baseUrl}/incidents/${number}`), shownTo(req.principal!, opened));
    },
  });

  const list = defineRoute({
    method: 'get',
    path: '/incidents',
    operationId: 'listIncidents',
    summary: 'List incidents, newest first, with cursor pagination',
    tag: 'incidents',
    permission: 'incident.read',
    query: listIncidentsQuery,
    responses: { 200: { description: 'A page of incidents', schema: incidentPage } },
    async handler({ query, req, res }) {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const filter = {
        ...(query.state && { state: query.state }),
        ...(after !== undefined && { seq: { $lt: after } }),
        ...scopeFilter(scopeOf(req.principal!)),
      };
      const docs = await incidents.find(filter).sort({ seq: -1 }).limit(query.limit + 1).lean<IncidentDocument[]>().exec();
      const page = docs.slice(0, query.limit);
      const nextCursor = docs.length > query.limit ? encodeCursor(page[page.length - 1]!.seq) : null;
      res.json({ items: page.map((doc) => shownTo(req.principal!, toIncident(doc))), nextCursor });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/incidents/:number',
    operationId: 'getIncident',
    summary: 'Read one incident',
    tag: 'incidents',
    permission: 'incident.read',
    params: numberParams,
    responses: { 200: { description: 'The incident', schema: incident, headers: { ETag: 'Version tag for If-Match' } } },
    async handler({ params, req, res }) {
      sendIncident(res, shownTo(req.principal!, await load(params.number, req)));
    },
  });

  const actions = INCIDENT_ACTIONS.map((type) =>
    defineRoute({
      method: 'post',
      path: `/incidents/:number/actions/${type}`,
      operationId: `${type}Incident`,
      summary: type === 'comment' ? 'Comment on an incident, or add a work note that only agents see' : `${type[0]!.toUpperCase()}${type.slice(1)} an incident (validated by its workflow)`,
      tag: 'incidents',
      // Whoever sees a ticket may comment on it (a requester replies); the rest is agents' work.
      permission: type === 'comment' ? 'incident.read' : 'incident.act',
      params: numberParams,
      body: actionBodies[type],
      headers: { 'If-Match': IF_MATCH },
      responses: { 200: { description: 'The incident after the action', schema: incident, headers: { ETag: 'Version tag for If-Match' } } },
      async handler({ params, body, req, res }) {
        if (type === 'comment' && (body as { workNote?: boolean }).workNote && !req.principal!.permissions.has('incident.act')) {
          throw new ForbiddenError("work notes are for agents: they need the permission 'incident.act'; post a comment instead");
        }
        const current = await load(params.number, req);
        if (current.state === 'closed') throw new ConflictError(`${current.number} is closed and accepts no more actions`);
        const command = { action: { type, ...body } as IncidentAction, actor: req.actor, expectedVersion: expectedVersion(req) };
        let after: Incident;
        try {
          after = await temporal.workflow.getHandle(ticketWorkflowId(params.number)).executeUpdate(actUpdate, { args: [command] });
        } catch (error) {
          throw workflowProblem(error, params.number);
        }
        await audit(req, { action: `incident.${type}`, target: { type: 'incident', id: params.number }, diff: diffOf(auditedFields(current), auditedFields(after)), outcome: 'success' });
        sendIncident(res, shownTo(req.principal!, after));
      },
    }),
  );

  return [create, list, get, ...actions];
}

/** The fields an audit diff shows (the timeline and clocks are in the ticket itself). */
function auditedFields({ timeline: _t, updatedAt: _u, version: _v, ...fields }: Incident): Record<string, unknown> {
  return fields;
}

/** Work notes are for agents: callers who cannot act on incidents do not see them. */
function shownTo(principal: Principal, value: Incident): Incident {
  return principal.permissions.has('incident.act') ? value : withoutWorkNotes(value);
}

function scopeOf(principal: Principal): IncidentScope {
  return { all: principal.permissions.has('incident.read_all'), username: principal.username, groups: principal.groups };
}

/** The store filter matching isVisible(), so listings page through visible incidents only. */
function scopeFilter(scope: IncidentScope) {
  return scope.all ? {} : { $or: [{ openedBy: scope.username }, { assignmentGroup: { $in: scope.groups } }] };
}

function reuse(earlier: { resource: string; fingerprint: string }, fingerprint: string): string {
  if (earlier.fingerprint !== fingerprint) {
    throw new Problem(422, 'Idempotency-Key reused', `this Idempotency-Key was already used for ${earlier.resource} with a different body; use a new key for a new incident`);
  }
  return earlier.resource;
}

function sendIncident(res: Response, value: Incident): void {
  res.setHeader('ETag', `"${value.version}"`);
  res.json(value);
}

function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw new InputError(`If-Match must be an ETag from a previous response, like "3"; got ${header}`, [{ field: 'headers.if-match', message: 'not an ETag' }]);
  return Number(match[1]);
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ seq })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { seq } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { seq?: unknown };
    if (typeof seq === 'number' && Number.isSafeInteger(seq)) return seq;
  } catch {
    // fall through
  }
  throw new InputError('cursor is not one this API returned; use nextCursor from a previous page', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}
