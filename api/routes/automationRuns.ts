import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { FINISHED, runWorkflowId, zoneTaskQueue } from '../../domain/automation/run';
import { MASK } from '../../domain/automation/output';
import { HIGH_RISK_APPROVERS, HIGH_RISK_GATE } from '../../domain/automation/risk';
import { isFinal } from '../../domain/ticket/ticket';
import type { RunPolicy } from '../../domain/automation/runPolicy';
import type { MasterKeySource } from '../../runtime/masterKey';
import { createRun, RunRequestError } from '../../store/automation/newRun';
import { findHost, findRun, hostCounts, hostsBetween, hostsWith, listRuns, logsAfter, type HostDocument, type RunDocument } from '../../store/automation/runs';
import { approveUpdate } from '../../workflows/run';
import { decideUpdate } from '../../workflows/runChunk';
import type { AuditRecorder } from '../audit';
import { ConflictError, ForbiddenError, InputError, NotFoundError } from '../problem';
import { ticketReader } from '../ticketAccess';
import { type AnyRoute, defineRoute } from '../route';
import { approvalBody, decisionBody, hostParams, listRunsQuery, logLine, logQuery, newRunBody, run, runHost, runHostsQuery, runId, runList } from '../schemas/automationRun';
import { rootMessage } from '../../domain/failure';

const TAG = 'automation';
const params = z.strictObject({ id: runId });
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;

export interface AutomationRunDeps {
  db: Connection;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  audit: AuditRecorder;
  masterKey: MasterKeySource;
  /** Resolves once the shipped library is published (the first request of a process does it). */
  libraryReady: () => Promise<void>;
  /** Risk levels and target scopes per role. */
  runPolicy: RunPolicy;
}

/** Runs of runbooks: start, follow (hosts, logs, live stream), approve, decide, cancel. */
export function automationRunRoutes({ db, temporal, namespace, taskQueue, audit, masterKey, libraryReady, runPolicy }: AutomationRunDeps): AnyRoute[] {
  const readTicket = ticketReader(db, audit);

  async function held(id: string): Promise<RunDocument> {
    const found = await findRun(db, id);
    if (!found) throw new NotFoundError(`no run ${id}`);
    return found;
  }

  /** Zones with hosts to do whose queue no worker polls: the run cannot move there until one starts. */
  async function zonesWithoutWorkers(doc: RunDocument): Promise<string[]> {
    const zones = Object.keys(doc.targets.byZone);
    const polled = await Promise.all(
      zones.map(async (zone) => {
        const found = await temporal.workflowService.describeTaskQueue({ namespace, taskQueue: { name: zoneTaskQueue(zone) }, taskQueueType: 2 }).catch(() => null);
        return (found?.pollers?.length ?? 0) > 0;
      }),
    );
    return zones.filter((_, i) => !polled[i]);
  }

  async function present(doc: RunDocument, detail: boolean) {
    const shown = { ...doc.params, ...Object.fromEntries((doc.definition.secretParameters ?? []).map((name) => [name, MASK])) };
    const base = {
      id: doc._id,
      runbook: doc.runbook,
      status: doc.status,
      params: shown,
      requestedBy: doc.requestedBy,
      trigger: doc.trigger,
      targets: doc.targets,
      approvals: doc.approvals ?? [],
      createdAt: doc.createdAt,
      ...(doc.startedAt && { startedAt: doc.startedAt }),
      ...(doc.finishedAt && { finishedAt: doc.finishedAt }),
      ...(doc.summary && { summary: doc.summary }),
      ...(doc.risk && { risk: doc.risk }),
    };
    const waiting = doc.waiting ? [doc.waiting] : [];
    if (!detail) return { ...base, ...(waiting.length && { waiting }) };
    const hosts = await hostCounts(db, doc._id);
    if (!FINISHED.has(doc.status) && hosts.pending > 0) {
      const idle = await zonesWithoutWorkers(doc);
      for (const zone of idle) waiting.push({ reason: 'worker' as const, detail: `no worker polls ${zoneTaskQueue(zone)}: start one in that zone with \`flowdesk worker --zone ${zone}\``, since: doc.startedAt ?? doc.createdAt });
      if (!idle.length && hosts.running > 0) waiting.push({ reason: 'slot' as const, detail: `${hosts.pending} hosts wait for their batch or a free slot (parallelism ${doc.definition.strategy?.parallelism ?? 10})`, since: doc.startedAt ?? doc.createdAt });
    }
    return { ...base, hosts, ...(waiting.length && { waiting }) };
  }

  const presentHost = (h: HostDocument, outputs: boolean) => ({
    seq: h.seq,
    ciId: h.ciId,
    name: h.name,
    address: h.address,
    zone: h.zone,
    status: h.status,
    steps: outputs ? h.steps : Object.fromEntries(Object.entries(h.steps ?? {}).map(([id, { stdout: _o, stderr: _e, output: _p, ...rest }]) => [id, rest])),
    ...(h.decision && { decision: { step: h.decision.step, reason: h.decision.reason, since: h.decision.since } }),
    ...(h.startedAt && { startedAt: h.startedAt }),
    ...(h.finishedAt && { finishedAt: h.finishedAt }),
  });

  const start = defineRoute({
    method: 'post',
    path: '/automation/runs',
    operationId: 'startRun',
    summary: "Run a published runbook version on its selector's targets (or on some of them: targets), for a ticket if one is named; the runbook's allowedRoles must include one of yours",
    tag: TAG,
    permission: 'automation.run',
    body: newRunBody,
    responses: { 201: { description: 'The run, queued', schema: run, headers: { Location: 'URL of the run' } } },
    async handler({ body, req, res }) {
      await libraryReady();
      const principal = req.principal!;
      if (body.ticket) {
        // A ticket the caller cannot see answers 404, as a missing one does.
        const ticket = await readTicket(body.ticket, req);
        if (isFinal(ticket)) throw new ConflictError(`${ticket.number} is ${ticket.state} and takes no more evidence; runs can be started for open tickets`);
      }
      let doc: RunDocument;
      try {
        doc = await createRun(db, await masterKey(), {
          runbook: body.runbook,
          version: body.version,
          params: body.params,
          credential: body.credential,
          targets: body.targets,
          requestedBy: principal.username,
          roles: principal.roles,
          trigger: body.ticket ? { type: 'ticket', ref: body.ticket } : { type: 'manual' },
          policy: runPolicy,
        });
      } catch (error) {
        if (!(error instanceof RunRequestError)) throw error;
        if (error.kind === 'forbidden') {
          await audit(req, { action: 'automation.run.start', target: { type: 'runbook', id: body.runbook }, outcome: 'denied', detail: error.message });
          throw new ForbiddenError(error.message);
        }
        if (error.kind === 'not_found') throw new NotFoundError(error.message);
        throw new InputError(error.message, error.errors);
      }
      await temporal.workflow.start('runWorkflow', { workflowId: runWorkflowId(doc._id), taskQueue, args: [{ runId: doc._id }] });
      await audit(req, { action: 'automation.run.start', target: { type: 'run', id: doc._id }, outcome: 'success', detail: `${doc.runbook.id} v${doc.runbook.version}` });
      res.status(201).location(`${req.baseUrl}/automation/runs/${doc._id}`).json(await present(doc, false));
    },
  });

  const list = defineRoute({
    method: 'get',
    path: '/automation/runs',
    operationId: 'listRuns',
    summary: 'Runs, newest first, filtered by runbook, status or who started them',
    tag: TAG,
    permission: 'automation.read',
    query: listRunsQuery,
    responses: { 200: { description: 'A page of runs', schema: runList } },
    async handler({ query, res }) {
      const docs = await listRuns(db, { runbook: query.runbook, status: query.status, requestedBy: query.requestedBy, before: query.cursor }, query.limit + 1);
      const page = docs.slice(0, query.limit);
      res.json({ items: await Promise.all(page.map((d) => present(d, false))), nextCursor: docs.length > query.limit ? page[page.length - 1]!.createdAt : null });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/automation/runs/:id',
    operationId: 'getRun',
    summary: 'One run: status, hosts per status, and why it waits when it does',
    tag: TAG,
    permission: 'automation.read',
    params,
    responses: { 200: { description: 'The run', schema: run } },
    async handler({ params: p, res }) {
      res.json(await present(await held(p.id), true));
    },
  });

  const hosts = defineRoute({
    method: 'get',
    path: '/automation/runs/:id/hosts',
    operationId: 'listRunHosts',
    summary: "The run's resolved targets in order, with each step's status and exit code",
    tag: TAG,
    permission: 'automation.read',
    params,
    query: runHostsQuery,
    responses: { 200: { description: 'Hosts', schema: z.object({ items: z.array(runHost) }) } },
    async handler({ params: p, query, res }) {
      const run = await held(p.id);
      const docs = query.status ? await hostsWith(db, p.id, query.status, query.limit) : await hostsBetween(db, p.id, query.from, Math.min(query.from + query.limit, run.targets.total));
      res.json({ items: docs.map((h) => presentHost(h, false)) });
    },
  });

  const host = defineRoute({
    method: 'get',
    path: '/automation/runs/:id/hosts/:seq',
    operationId: 'getRunHost',
    summary: "One target of a run with every step's output (each stream capped at 64 KiB, secrets masked)",
    tag: TAG,
    permission: 'automation.read',
    params: hostParams,
    responses: { 200: { description: 'The host', schema: runHost } },
    async handler({ params: p, res }) {
      const found = await findHost(db, p.id, p.seq);
      if (!found) throw new NotFoundError(`run ${p.id} has no target #${p.seq}`);
      res.json(presentHost(found, true));
    },
  });

  const presentLine = (l: Awaited<ReturnType<typeof logsAfter>>[number]) => ({ id: l._id.toHexString(), seq: l.seq, step: l.step, stream: l.stream, text: l.text, at: l.at });

  const logs = defineRoute({
    method: 'get',
    path: '/automation/runs/:id/logs',
    operationId: 'runLogs',
    summary: 'Live log lines of a run (or of one host), oldest first, after a given line',
    tag: TAG,
    permission: 'automation.read',
    params,
    query: logQuery,
    responses: { 200: { description: 'Log lines', schema: z.object({ items: z.array(logLine) }) } },
    async handler({ params: p, query, res }) {
      await held(p.id);
      res.json({ items: (await logsAfter(db, p.id, query.after, query.limit, query.seq)).map(presentLine) });
    },
  });

  const stream = defineRoute({
    method: 'get',
    path: '/automation/runs/:id/stream',
    operationId: 'streamRun',
    summary: 'Server-sent events while a run executes: `log` for each log line, `run` when its status or counts change, `end` when it finished',
    tag: TAG,
    permission: 'automation.read',
    params,
    query: z.strictObject({ seq: z.coerce.number().int().min(0).optional() }),
    responses: { 200: { description: 'An event stream (text/event-stream)' } },
    async handler({ params: p, query, req, res }) {
      await held(p.id);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let after: string | undefined = req.get('last-event-id') ?? undefined;
      let last = '';
      let closed = false;
      req.on('close', () => (closed = true));
      const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
      try {
        while (!closed) {
          const lines = await logsAfter(db, p.id, after, 500, query.seq).catch(() => []);
          for (const line of lines) {
            after = line._id.toHexString();
            res.write(`id: ${after}\nevent: log\ndata: ${JSON.stringify(presentLine(line))}\n\n`);
          }
          const doc = await findRun(db, p.id);
          if (doc) {
            const counts = await hostCounts(db, p.id);
            const state = JSON.stringify({ status: doc.status, hosts: counts, waiting: doc.waiting ?? null, summary: doc.summary ?? null });
            if (state !== last) res.write(`event: run\ndata: ${(last = state)}\n\n`);
            if (FINISHED.has(doc.status) && lines.length === 0) {
              res.write(`event: end\ndata: ${JSON.stringify({ status: doc.status })}\n\n`);
              break;
            }
          }
          if (lines.length < 500) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } finally {
        clearInterval(heartbeat);
        res.end();
      }
    },
  });

  const cancel = defineRoute({
    method: 'post',
    path: '/automation/runs/:id/cancel',
    operationId: 'cancelRun',
    summary: 'Cancel a run: its running commands are killed on the hosts, hosts not reached are not run',
    tag: TAG,
    permission: 'automation.run',
    params,
    responses: { 202: { description: 'Cancellation requested', schema: run } },
    async handler({ params: p, req, res }) {
      const doc = await held(p.id);
      if (FINISHED.has(doc.status)) throw new ConflictError(`run ${p.id} already ended (${doc.status})`);
      await temporal.workflow.getHandle(runWorkflowId(p.id)).cancel();
      await audit(req, { action: 'automation.run.cancel', target: { type: 'run', id: p.id }, outcome: 'success' });
      res.status(202).json(await present(doc, false));
    },
  });

  const approve = defineRoute({
    method: 'post',
    path: '/automation/runs/:id/approvals',
    operationId: 'approveRun',
    summary: "Approve or reject the approval step a run waits at; a second person, holding one of the step's approver roles",
    tag: TAG,
    permission: 'automation.approve',
    params,
    body: approvalBody,
    responses: { 200: { description: 'The run after the decision', schema: run } },
    async handler({ params: p, body, req, res }) {
      const doc = await held(p.id);
      const approvers = approversOf(doc, body.step);
      const principal = req.principal!;
      if (!principal.roles.includes('admin') && !approvers.some((r) => principal.roles.includes(r))) {
        await audit(req, { action: 'automation.run.approve', target: { type: 'run', id: p.id }, outcome: 'denied', detail: `step ${body.step} needs ${approvers.join(' or ')}` });
        throw new ForbiddenError(`step ${body.step} is approved by ${approvers.join(' or ')}; your roles are ${principal.roles.join(', ')}`);
      }
      try {
        await temporal.workflow.getHandle(runWorkflowId(p.id)).executeUpdate(approveUpdate, { args: [{ step: body.step, decision: body.decision, by: principal.username, ...(body.comment && { comment: body.comment }) }] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new ConflictError(rootMessage(error));
        throw error;
      }
      await audit(req, { action: `automation.run.${body.decision === 'approved' ? 'approve' : 'reject'}`, target: { type: 'run', id: p.id }, outcome: 'success', detail: `step ${body.step}${body.comment ? `: ${body.comment}` : ''}` });
      res.json(await present(await held(p.id), false));
    },
  });

  const decide = defineRoute({
    method: 'post',
    path: '/automation/runs/:id/hosts/:seq/decision',
    operationId: 'decideRunHost',
    summary: 'For a host whose step outcome is unknown (the worker died mid-command): retry the step, skip it, or abort the host',
    tag: TAG,
    permission: 'automation.run',
    params: hostParams,
    body: decisionBody,
    responses: { 200: { description: 'The host after the decision', schema: runHost } },
    async handler({ params: p, body, req, res }) {
      const found = await findHost(db, p.id, p.seq);
      if (!found) throw new NotFoundError(`run ${p.id} has no target #${p.seq}`);
      if (found.status !== 'awaiting_decision' || !found.decision) throw new ConflictError(`target #${p.seq} (${found.name}) is ${found.status}, not waiting for a decision`);
      try {
        await temporal.workflow.getHandle(found.decision.chunk).executeUpdate(decideUpdate, { args: [{ seq: p.seq, decision: body.decision, by: req.principal!.username }] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new ConflictError(rootMessage(error));
        throw error;
      }
      await audit(req, {
        action: 'automation.run.decide',
        target: { type: 'run', id: p.id },
        outcome: 'success',
        detail: `${body.decision} step ${found.decision.step} on ${found.name} (#${p.seq})${body.comment ? `: ${body.comment}` : ''}`,
      });
      res.json(presentHost((await findHost(db, p.id, p.seq))!, false));
    },
  });

  return [start, list, get, hosts, host, logs, stream, cancel, approve, decide];
}

/** Who may decide an approval the run has: an approval step's approvers, or those of its high-risk commands. */
function approversOf(doc: RunDocument, gate: string): string[] {
  if (gate === HIGH_RISK_GATE) {
    if (doc.risk?.decision !== 'approval') throw new InputError(`run ${doc._id} has no high-risk commands to approve`, [{ field: 'body.step', message: 'the high-risk check asked for no approval in this run' }]);
    return HIGH_RISK_APPROVERS;
  }
  const step = doc.definition.steps.find((s) => s.id === gate);
  if (!step || step.type !== 'approval') throw new InputError(`run ${doc._id} has no approval step ${gate}`, [{ field: 'body.step', message: `not an approval step of this run (nor ${HIGH_RISK_GATE})` }]);
  return step.approvers ?? ['automation_admin'];
}
