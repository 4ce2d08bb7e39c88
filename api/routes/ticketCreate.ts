import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import type { Request } from 'express';
import type { Connection } from 'mongoose';
import type { ApprovalLevelSpec } from '../../domain/approval';
import { approvalDueInMs, type Approvers, type CatalogItem, validateAnswers } from '../../domain/catalogItem';
import { ticketDiff } from '../../domain/ticket/audit';
import { openIncident } from '../../domain/ticket/incident';
import { openProblem } from '../../domain/ticket/problem';
import { openRequest } from '../../domain/ticket/request';
import type { Ticket } from '../../domain/ticket/ticket';
import { formatTicketNumber, type TicketKind, ticketWorkflowId } from '../../domain/ticketNumber';
import type { Catalog } from '../../runtime/catalog';
import { nextSequence } from '../../store/counters';
import { groupModel } from '../../store/groups';
import { claimKey, findKey, fingerprintOf } from '../../store/idempotency';
import { userModel } from '../../store/users';
import { openedUpdate, ticketWorkflow } from '../../workflows/ticket';
import type { AuditRecorder } from '../audit';
import { ForbiddenError, InputError, NotFoundError, Problem } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { createIncidentBody, createProblemBody, createRequestBody, ticket } from '../schemas/ticket';
import { sendTicket } from '../ticketAccess';
import { workflowProblem } from '../workflowErrors';

export interface TicketDeps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  audit: AuditRecorder;
  catalog: Catalog;
}

const IDEMPOTENCY = { 'Idempotency-Key': 'Any unique string; a retry with the same key and body returns the same ticket instead of a new one' };
const CREATED = (what: string) => ({ 201: { description: `The new ${what}`, schema: ticket, headers: { Location: 'URL of the ticket', ETag: 'Version tag for If-Match' } } });

/** Opening tickets: each starts its workflow and answers once the ticket is stored. */
export function ticketCreateRoutes({ db, temporal, taskQueue, audit, catalog }: TicketDeps): AnyRoute[] {
  const settings = catalog.settings;

  async function open(first: Ticket): Promise<Ticket> {
    const startWorkflowOperation = new WithStartWorkflowOperation(ticketWorkflow, {
      workflowId: ticketWorkflowId(first.number),
      taskQueue,
      args: [{ ticket: first }],
      // A retried create (same Idempotency-Key) attaches to the workflow the first attempt started.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      return await temporal.workflow.executeUpdateWithStart(openedUpdate, { startWorkflowOperation });
    } catch (error) {
      throw workflowProblem(error, first.number);
    }
  }

  /** A new number, or the one an earlier request with the same Idempotency-Key got. */
  async function numberFor(kind: TicketKind, req: Request, body: unknown): Promise<string> {
    const allocate = async () => formatTicketNumber(kind, await nextSequence(db, kind));
    const key = req.get('idempotency-key');
    if (!key) return allocate();
    const fingerprint = fingerprintOf(body);
    const scoped = `${kind}:${key}`;
    const known = await findKey(db, scoped);
    if (known) return reuse(known, fingerprint);
    const number = await allocate();
    const earlier = await claimKey(db, scoped, number, fingerprint);
    return earlier ? reuse(earlier, fingerprint) : number;
  }

  async function checkGroup(group: string | undefined): Promise<void> {
    if (group && !(await groupModel(db).exists({ _id: group }))) {
      throw new InputError(`there is no assignment group '${group}'`, [{ field: 'body.assignmentGroup', message: 'unknown group' }]);
    }
  }

  /** An agent logging an incident for someone: the caller must be a real, active user. */
  async function checkCaller(caller: string, req: Request): Promise<void> {
    if (!req.principal!.permissions.has('ticket.act')) throw new ForbiddenError("logging an incident for someone else needs the permission 'ticket.act'");
    const user = await userModel(db).findById(caller).lean<{ active: boolean }>().exec();
    if (!user?.active) throw new InputError(`there is no active user '${caller}'`, [{ field: 'body.caller', message: 'unknown or inactive user' }]);
  }

  async function created(req: Request, res: Parameters<AnyRoute['handler']>[0]['res'], opened: Ticket): Promise<void> {
    await audit(req, { action: `${opened.kind}.create`, target: { type: opened.kind, id: opened.number }, diff: ticketDiff(null, opened), outcome: 'success' });
    sendTicket(res.status(201).location(`${req.baseUrl}/tickets/${opened.number}`), req.principal!, opened, catalog.sla);
  }

  const incident = defineRoute({
    method: 'post',
    path: '/incidents',
    operationId: 'createIncident',
    summary: 'Open an incident; its workflow starts, routes it and attaches its SLAs',
    tag: 'tickets',
    permission: 'ticket.create',
    body: createIncidentBody,
    headers: IDEMPOTENCY,
    responses: CREATED('incident'),
    async handler({ body, req, res }) {
      await checkGroup(body.assignmentGroup);
      const { caller = req.actor, ...fields } = body;
      if (caller !== req.actor) await checkCaller(caller, req);
      const number = await numberFor('incident', req, body);
      const first = openIncident(fields, number, { actor: caller, now: new Date().toISOString(), settings });
      await created(req, res, await open(caller === req.actor ? first : loggedBy(first, req.actor)));
    },
  });

  const problem = defineRoute({
    method: 'post',
    path: '/problems',
    operationId: 'createProblem',
    summary: 'Open a problem to find the root cause behind incidents',
    tag: 'tickets',
    permission: 'problem.manage',
    body: createProblemBody,
    headers: IDEMPOTENCY,
    responses: CREATED('problem'),
    async handler({ body, req, res }) {
      await checkGroup(body.assignmentGroup);
      const number = await numberFor('problem', req, body);
      await created(req, res, await open(openProblem(body, number, { actor: req.actor, now: new Date().toISOString(), settings })));
    },
  });

  const request = defineRoute({
    method: 'post',
    path: '/requests',
    operationId: 'createRequest',
    summary: "Order a catalog item: the answers are checked against the item's form, approvals are asked, fulfilment tasks follow",
    tag: 'tickets',
    permission: 'ticket.create',
    body: createRequestBody,
    headers: IDEMPOTENCY,
    responses: CREATED('service request'),
    async handler({ body, req, res }) {
      const item = catalog.items.find((candidate) => candidate.id === body.item);
      if (!item) throw new NotFoundError(`there is no catalog item '${body.item}'; GET /api/v1/catalog/items lists them`);
      const checked = validateAnswers(item.form, body.answers);
      if (!checked.ok) {
        throw new InputError(`some answers to '${item.name}' need correcting`, checked.errors.map((e) => ({ field: `body.answers.${e.field}`, message: e.message })));
      }
      const approvalLevels = await approvalLevelsFor(item, req.actor);
      const number = await numberFor('request', req, body);
      const first = openRequest(
        { item: { id: item.id, name: item.name, category: item.category, fulfilmentGroup: item.fulfilment.group, tasks: item.fulfilment.tasks }, answers: checked.answers, approvalLevels },
        number,
        { actor: req.actor, now: new Date().toISOString(), settings },
      );
      await created(req, res, await open(first));
    },
  });

  /**
   * Resolves the item's approval levels to users now, so the approval names real people:
   * only active users, never the requester (nobody approves their own request). A level
   * that cannot be decided by the people found refuses the order with a 422 that says why.
   */
  async function approvalLevelsFor(item: CatalogItem, requester: string): Promise<ApprovalLevelSpec[]> {
    const levels: ApprovalLevelSpec[] = [];
    for (const level of item.approval.levels) {
      const where = `'${item.name}' needs approval (level '${level.name}')`;
      const approvers = await approversOf(level.approvers, requester, where);
      if (level.mode.type === 'at_least' && level.mode.count > approvers.length) {
        throw new Problem(422, 'Not enough approvers', `${where} by at least ${level.mode.count} people, but only ${approvers.length} can give it (${approvers.join(', ')}); ask an administrator`);
      }
      const escalateTo = level.onDue === 'escalate' && level.escalateTo ? await approversOf(level.escalateTo, requester, `${where}, escalated after ${level.due},`) : undefined;
      levels.push({ name: level.name, approvers, mode: level.mode, rejectWhen: level.rejectWhen, dueInMs: approvalDueInMs(level), onDue: level.onDue, escalateTo });
    }
    return levels;
  }

  /** The active users a rule names, the requester left out; a 422 naming the reason when none is left. */
  async function approversOf(rule: Approvers, requester: string, where: string): Promise<string[]> {
    const users = userModel(db);
    const noOne = (why: string) => new Problem(422, 'No approvers', `${where} ${why}; ask an administrator`);
    const besidesYou = (names: string[]) => (names.includes(requester) ? ' other than you' : '');
    /** `names` that are active users, in the given order, once each, without the requester. */
    const activeUsers = async (names: string[]): Promise<string[]> => {
      const wanted = [...new Set(names)].filter((name) => name !== requester);
      if (wanted.length === 0) return [];
      const active = await users.find({ _id: { $in: wanted }, active: true }, { _id: 1 }).lean<{ _id: string }[]>().exec();
      const ids = new Set(active.map((user) => user._id));
      return wanted.filter((name) => ids.has(name));
    };
    if (rule === 'manager' || rule === 'manager_of_manager') {
      let person = requester;
      for (let hops = rule === 'manager' ? 1 : 2; hops > 0; hops--) {
        const user = await users.findById(person).lean<{ manager: string | null }>().exec();
        if (!user?.manager) {
          const whose = person === requester ? `your manager, but no manager is recorded for ${requester}` : `your manager's manager, but no manager is recorded for ${person}`;
          throw new Problem(422, 'No manager to approve', `${where} by ${whose}; ask an administrator to set it`);
        }
        person = user.manager;
      }
      const found = await activeUsers([person]);
      if (found.length === 0) throw noOne(`by ${rule === 'manager' ? 'your manager' : "your manager's manager"}, ${person}, who is ${person === requester ? 'you' : 'not an active user'}`);
      return found;
    }
    if ('users' in rule) {
      const found = await activeUsers(rule.users);
      if (found.length === 0) throw noOne(`by ${rule.users.join(', ')}, ${rule.users.length === 1 ? 'who is not' : 'none of whom is'} an active user${besidesYou(rule.users)}`);
      return found;
    }
    const group = await groupModel(db).findById(rule.group).lean<{ members: string[] }>().exec();
    if (!group) throw noOne(`by group '${rule.group}', which does not exist`);
    const found = await activeUsers(group.members);
    if (found.length === 0) throw noOne(`by group '${rule.group}', which has no active members${besidesYou(group.members)}`);
    return found;
  }

  return [incident, problem, request];
}

/** The incident as opened by an agent for its caller: the caller owns it, the timeline says who logged it. */
function loggedBy<T extends Ticket>(ticket: T, agent: string): T {
  const [created, ...rest] = ticket.timeline;
  return { ...ticket, timeline: [{ ...created!, actor: agent, text: `${created!.text}, logged by ${agent} for ${ticket.openedBy}` }, ...rest] };
}

function reuse(earlier: { resource: string; fingerprint: string }, fingerprint: string): string {
  if (earlier.fingerprint !== fingerprint) {
    throw new Problem(422, 'Idempotency-Key reused', `this Idempotency-Key was already used for ${earlier.resource} with a different body; use a new key for a new ticket`);
  }
  return earlier.resource;
}

