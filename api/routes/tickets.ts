import type { Request } from 'express';
import { z } from 'zod';
import { ticketDiff } from '../../domain/ticket/audit';
import { isFinal, type Ticket, type TicketAction } from '../../domain/ticket/ticket';
import { ticketWorkflowId } from '../../domain/ticketNumber';
import { groupModel } from '../../store/groups';
import { listQueue, QueueCursorError } from '../../store/ticketQueue';
import { ticketModel, type TicketDocument, toTicket } from '../../store/tickets';
import { userModel } from '../../store/users';
import { actUpdate } from '../../workflows/ticket';
import type { Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, InputError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { actionBodies, API_ACTIONS, type ApiActionType, knownErrorsQuery, listTicketsQuery, serviceDeskSettings, ticket, ticketNumber, ticketPage } from '../schemas/ticket';
import { historyQuery, queueRequest, wordsFilter } from '../ticketQueries';
import { expectedVersion, presentTicket, scopeFilter, scopeOf, sendTicket, ticketReader } from '../ticketAccess';
import { workflowProblem } from '../workflowErrors';
import type { TicketDeps } from './ticketCreate';

const numberParams = z.strictObject({ number: ticketNumber });
const IF_MATCH = 'The ETag of the ticket as last read; the action is refused with 412 if it changed since';

/** Who may ask for each action; the workflow then decides whether it applies to the ticket now. */
const ACTION_PERMISSION: Record<ApiActionType, 'ticket.read' | 'ticket.act' | 'approval.decide' | 'problem.manage'> = {
  assign: 'ticket.act',
  comment: 'ticket.read',
  update: 'ticket.act',
  watch: 'ticket.read',
  start: 'ticket.act',
  hold: 'ticket.act',
  resume: 'ticket.act',
  resolve: 'ticket.act',
  close: 'ticket.act',
  // Callers cancel and reopen their own tickets; agents any they can see (checked below).
  cancel: 'ticket.read',
  reopen: 'ticket.read',
  set_parent: 'ticket.act',
  link_problem: 'ticket.act',
  decide: 'approval.decide',
  delegate: 'approval.decide',
  assign_task: 'ticket.act',
  complete_task: 'ticket.act',
  analyse: 'ticket.act',
  publish_known_error: 'problem.manage',
};

const ACTION_SUMMARY: Record<ApiActionType, string> = {
  assign: 'Assign to a group and/or a person (a manual assignment: rules no longer change it)',
  comment: 'Comment (the caller sees it) or add a work note (agents only); a caller replying to an awaiting-caller hold resumes the ticket',
  update: 'Correct title, description, impact, urgency, category, service or affected CIs; the priority and SLAs follow',
  watch: 'Start or stop watching: watchers are notified of every change',
  start: 'Start work (needs an assignee)',
  hold: 'Put on hold with a reason; awaiting_caller needs a comment for the caller',
  resume: 'Resume work after a hold',
  resolve: 'Resolve with a resolution code and notes (a major incident resolves its children; a problem may resolve its incidents)',
  close: 'Close a resolved or fulfilled ticket',
  cancel: 'Cancel, with a reason',
  reopen: 'Reopen a resolved incident within the reopen window',
  set_parent: 'Make an incident the child of a major incident (null: detach)',
  link_problem: 'Link an incident to the problem investigating its cause (null: unlink)',
  decide: 'Approve or reject a request you are asked to approve (a rejection needs a comment)',
  delegate: 'Hand your approval vote to someone else',
  assign_task: 'Assign a fulfilment task',
  complete_task: 'Complete a fulfilment task; the request is fulfilled when every task is done',
  analyse: 'Record the root cause and/or workaround of a problem',
  publish_known_error: 'Publish a problem to the known-error database',
};

export function ticketRoutes({ db, temporal, audit, catalog }: TicketDeps): AnyRoute[] {
  const tickets = ticketModel(db);
  const load = ticketReader(db, audit);

  const list = defineRoute({
    method: 'get',
    path: '/tickets',
    operationId: 'listTickets',
    summary: 'List tickets in a queue (my work, my groups, unassigned, breaching soon, recently updated, my approvals), filtered and paged',
    tag: 'tickets',
    permission: 'ticket.read',
    query: listTicketsQuery,
    responses: { 200: { description: 'A page of tickets', schema: ticketPage } },
    async handler({ query, req, res }) {
      const principal = req.principal!;
      const { items, nextCursor } = await listPage(query, principal);
      res.json({ items: items.map((doc) => presentTicket(principal, toTicket(doc), catalog.sla)), nextCursor });
    },
  });

  /** A queue page from the queue index, each item read whole by number; or a page of the full history. */
  async function listPage(query: z.output<typeof listTicketsQuery>, principal: Principal): Promise<{ items: TicketDocument[]; nextCursor: string | null }> {
    const request = queueRequest(query, principal);
    if (!request) {
      const { filter, sort, limit, page } = historyQuery(query);
      return page(await tickets.find({ $and: [filter, scopeFilter(scopeOf(principal))] }).sort(sort).limit(limit + 1).lean<TicketDocument[]>().exec());
    }
    const found = await listQueue(db, request).catch((error: unknown) => {
      if (error instanceof QueueCursorError) throw new InputError(error.message, [{ field: 'query.cursor', message: 'invalid cursor' }]);
      throw error;
    });
    const docs = await Promise.all(found.items.map((summary) => tickets.findById(summary.number).lean<TicketDocument>().exec()));
    return { items: docs.filter((doc) => doc !== null), nextCursor: found.nextCursor };
  }

  const get = defineRoute({
    method: 'get',
    path: '/tickets/:number',
    operationId: 'getTicket',
    summary: 'Read one ticket, with its timeline and SLA clocks',
    tag: 'tickets',
    permission: 'ticket.read',
    params: numberParams,
    responses: { 200: { description: 'The ticket', schema: ticket, headers: { ETag: 'Version tag for If-Match' } } },
    async handler({ params, req, res }) {
      sendTicket(res, req.principal!, await load(params.number, req), catalog.sla);
    },
  });

  const knownErrors = defineRoute({
    method: 'get',
    path: '/known-errors',
    operationId: 'searchKnownErrors',
    summary: 'Search the known-error database: published problems with their workaround',
    tag: 'tickets',
    permission: 'ticket.act',
    query: knownErrorsQuery,
    responses: { 200: { description: 'Matching known errors, most recent first', schema: z.object({ items: z.array(ticket) }) } },
    async handler({ query, req, res }) {
      const words = query.q ? wordsFilter(query.q, ['title', 'description', 'rootCause', 'workaround']) : {};
      const docs = await tickets.find({ kind: 'problem', knownErrorAt: { $ne: null }, ...words }).sort({ seq: -1 }).limit(query.limit).lean<TicketDocument[]>().exec();
      res.json({ items: docs.map((doc) => presentTicket(req.principal!, toTicket(doc), catalog.sla)) });
    },
  });

  const actions = API_ACTIONS.map((type) =>
    defineRoute({
      method: 'post',
      path: `/tickets/:number/actions/${type}`,
      operationId: `${camel(type)}Ticket`,
      summary: ACTION_SUMMARY[type],
      tag: 'tickets',
      permission: ACTION_PERMISSION[type],
      params: numberParams,
      body: actionBodies[type],
      headers: { 'If-Match': IF_MATCH },
      responses: { 200: { description: 'The ticket after the action', schema: ticket, headers: { ETag: 'Version tag for If-Match' } } },
      async handler({ params, body, req, res }) {
        const current = await load(params.number, req);
        if (isFinal(current)) throw new ConflictError(`${current.number} is ${current.state} and accepts no more actions`);
        const action = await checkedAction(type, body as Record<string, unknown>, current, req);
        // A comment or a watch conflicts with nothing: it never needs the latest version.
        const version = type === 'comment' || type === 'watch' ? undefined : expectedVersion(req);
        const command = { action, actor: req.actor, expectedVersion: version };
        let after: Ticket;
        try {
          after = await temporal.workflow.getHandle(ticketWorkflowId(params.number)).executeUpdate(actUpdate, { args: [command] });
        } catch (error) {
          throw workflowProblem(error, params.number);
        }
        await audit(req, { action: `${current.kind}.${type}`, target: { type: current.kind, id: params.number }, diff: ticketDiff(current, after), outcome: 'success' });
        sendTicket(res, req.principal!, after, catalog.sla);
      },
    }),
  );

  /** What the API checks before asking the workflow: who may, and whether referenced things exist. */
  async function checkedAction(type: ApiActionType, body: Record<string, unknown>, current: Ticket, req: Request): Promise<TicketAction> {
    const principal = req.principal!;
    const agent = principal.permissions.has('ticket.act');
    if (type === 'comment' && body.workNote && !agent) throw new ForbiddenError("work notes are for agents: they need the permission 'ticket.act'; post a comment instead");
    if ((type === 'cancel' || type === 'reopen') && !agent && current.openedBy !== req.actor) {
      throw new ForbiddenError(`only the person who opened ${current.number} or an agent may ${type} it`);
    }
    if (type === 'delegate') {
      // A vote handed to someone who cannot sign in would leave the approval stuck.
      await checkUser(body.to as string, 'body.to');
      return { type, from: (body.from as string | undefined) ?? req.actor, to: body.to as string };
    }
    if (type === 'assign') await checkAssignment(current, body.group as string | null | undefined, body.assignee as string | null | undefined);
    if (type === 'assign_task' && body.assignee) await checkUser(body.assignee as string, 'body.assignee');
    if (type === 'set_parent' && body.parent) await checkRelated(body.parent as string, 'incident', 'body.parent', req);
    if (type === 'link_problem' && body.problem) await checkRelated(body.problem as string, 'problem', 'body.problem', req);
    return { type, ...body } as TicketAction;
  }

  async function checkAssignment(current: Ticket, group: string | null | undefined, assignee: string | null | undefined): Promise<void> {
    // Malformed whatever the ticket's state: a 400, not the workflow's 409.
    if (group === undefined && assignee === undefined) throw new InputError('name a group, an assignee or both', [{ field: 'body', message: 'name a group, an assignee or both' }]);
    const groupName = group === undefined ? current.assignmentGroup : group;
    if (group) {
      const found = await groupModel(db).findById(group).lean<{ members: string[] }>().exec();
      if (!found) throw new InputError(`there is no assignment group '${group}'`, [{ field: 'body.group', message: 'unknown group' }]);
    }
    if (!assignee) return;
    await checkUser(assignee, 'body.assignee');
    if (groupName) {
      const members = (await groupModel(db).findById(groupName).lean<{ members: string[] }>().exec())?.members ?? [];
      if (!members.includes(assignee)) throw new InputError(`${assignee} is not a member of '${groupName}'; assign the group they work in, or add them to it`, [{ field: 'body.assignee', message: 'not in the assignment group' }]);
    }
  }

  async function checkUser(username: string, field: string): Promise<void> {
    const user = await userModel(db).findById(username).lean<{ active: boolean }>().exec();
    if (!user?.active) throw new InputError(`there is no active user '${username}'`, [{ field, message: 'unknown or inactive user' }]);
  }

  async function findTicket(number: string): Promise<Ticket | null> {
    const found = await tickets.findById(number).lean<TicketDocument>().exec();
    return found && toTicket(found);
  }

  async function checkRelated(number: string, kind: 'incident' | 'problem', field: string, req: Request): Promise<void> {
    let related: Ticket | null;
    // Any agent may link to a problem (the known-error database shows them all); a parent must be in scope.
    try {
      related = kind === 'problem' ? await findTicket(number) : await load(number, req);
    } catch {
      related = null;
    }
    if (!related || related.kind !== kind) throw new InputError(`there is no ${kind} ${number} you can see`, [{ field, message: `unknown ${kind}` }]);
    if (['closed', 'cancelled'].includes(related.state)) throw new ConflictError(`${number} is ${related.state}; link to an open ${kind}`);
    if (related.kind === 'incident' && related.parent) throw new ConflictError(`${number} is itself a child of ${related.parent}; make ${related.parent} the parent instead`);
  }

  const settings = defineRoute({
    method: 'get',
    path: '/service-desk/settings',
    operationId: 'getServiceDeskSettings',
    summary: 'The priority matrix and the reopen window from catalog/service-desk.yaml',
    tag: 'tickets',
    permission: 'authenticated',
    responses: { 200: { description: 'The settings', schema: serviceDeskSettings } },
    handler({ res }) {
      res.json(catalog.settings);
    },
  });

  return [list, get, knownErrors, settings, ...actions];
}

function camel(type: string): string {
  return type.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
}
