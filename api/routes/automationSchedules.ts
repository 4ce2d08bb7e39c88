import type { Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { MASK } from '../../domain/automation/output';
import { runScheduleId } from '../../domain/automation/schedule';
import type { Answers } from '../../domain/catalogItem';
import type { RunPolicy } from '../../domain/automation/runPolicy';
import type { MasterKeySource } from '../../runtime/masterKey';
import { planRun, RunRequestError } from '../../store/automation/newRun';
import { listRuns, type RunDocument } from '../../store/automation/runs';
import { deleteSchedule, findSchedule, insertSchedule, listSchedules, openScheduleSecrets, replaceSchedule, type ScheduleDocument, sealScheduleSecrets } from '../../store/automation/schedules';
import type { AuditRecorder } from '../audit';
import { ConflictError, ForbiddenError, InputError, NotFoundError, PreconditionFailedError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { createTemporalSchedule, deleteTemporalSchedule, describeTemporalSchedule, NEXT_RUNS, overlapOf, recentFirings, updateTemporalSchedule } from '../runSchedules';
import { listSchedulesQuery, newScheduleBody, pauseBody, schedule, scheduleBody, scheduleId, scheduleList, triggerBody } from '../schemas/automationSchedule';
import { expectedVersion } from '../ticketAccess';

const TAG = 'automation';
const ETAG = { ETag: 'Revision tag for If-Match' };
const params = z.strictObject({ id: scheduleId });
const RECENT_RUNS = 10;
const INVALID_ARGUMENT = 3;

export interface AutomationScheduleDeps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  audit: AuditRecorder;
  masterKey: MasterKeySource;
  /** Resolves once the shipped library is published. */
  libraryReady: () => Promise<void>;
  /** Risk levels and target scopes per role. */
  runPolicy: RunPolicy;
}

type Definition = z.output<typeof scheduleBody>;

/**
 * Run schedules (docs/automation-triggers.md#schedules): a runbook with its parameters and
 * targets, run by a Temporal Schedule on cron or calendar times, as its owner.
 */
export function automationScheduleRoutes({ db, temporal, taskQueue, audit, masterKey, libraryReady, runPolicy }: AutomationScheduleDeps): AnyRoute[] {
  async function held(id: string): Promise<ScheduleDocument> {
    const found = await findSchedule(db, id);
    if (!found) throw new NotFoundError(`no run schedule ${id}`);
    return found;
  }

  /**
   * The definition checked as a run would be now, with the caller's roles (whoever sets
   * what a schedule runs must be allowed to run it); the parameters as the form keeps
   * them, secret ones apart. A secret sent back masked keeps its stored value.
   */
  async function checked(id: string, body: Definition, req: Request, previous?: ScheduleDocument) {
    await libraryReady();
    const principal = req.principal!;
    const kept = previous?.sealedParams ? openScheduleSecrets(await masterKey(), id, previous.sealedParams) : {};
    const given = Object.fromEntries(Object.entries(body.params).map(([name, value]) => [name, value === MASK && name in kept ? kept[name] : value]));
    try {
      const plan = await planRun(db, { runbook: body.runbook, version: body.version, params: given, targets: body.targets, credential: body.credential, requestedBy: principal.username, roles: principal.roles, trigger: { type: 'schedule', ref: id }, policy: runPolicy });
      return { params: plan.params, secretParams: plan.secretParams };
    } catch (error) {
      if (!(error instanceof RunRequestError)) throw error;
      if (error.kind === 'forbidden') {
        await audit(req, { action: previous ? 'automation.schedule.update' : 'automation.schedule.create', target: { type: 'run_schedule', id }, outcome: 'denied', detail: error.message });
        throw new ForbiddenError(error.message);
      }
      if (error.kind === 'not_found') throw new InputError(error.message, [{ field: body.version === undefined ? 'body.runbook' : 'body.version', message: error.message }]);
      throw new InputError(error.message, error.errors);
    }
  }

  async function documentOf(id: string, body: Definition, req: Request, base: Pick<ScheduleDocument, 'owner' | 'createdAt' | 'revision'>, previous?: ScheduleDocument): Promise<ScheduleDocument> {
    const { params: clear, secretParams } = await checked(id, body, req, previous);
    const now = new Date().toISOString();
    return {
      _id: id,
      runbook: body.runbook,
      ...(body.version !== undefined && { version: body.version }),
      params: clear,
      ...(Object.keys(secretParams).length && { sealedParams: sealScheduleSecrets(await masterKey(), id, secretParams as Answers) }),
      ...(body.targets && { targets: body.targets }),
      ...(body.credential && { credential: body.credential }),
      spec: body.spec,
      overlap: body.overlap,
      paused: body.paused,
      note: body.note,
      owner: base.owner,
      revision: base.revision,
      createdAt: base.createdAt,
      updatedAt: now,
      updatedBy: req.principal!.username,
    };
  }

  /** Temporal checks the times too; what it refuses is the caller's mistake in `spec`. */
  async function onTemporal(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      // gRPC INVALID_ARGUMENT, on the error or the cause the SDK wraps it in.
      const codes = [error, (error as { cause?: unknown }).cause].map((e) => (e as { code?: number } | undefined)?.code);
      if (!codes.includes(INVALID_ARGUMENT)) throw error;
      throw new InputError(`Temporal refused the schedule's times: ${(error as Error).message}`, [{ field: 'body.spec', message: (error as Error).message }]);
    }
  }

  async function present(doc: ScheduleDocument, detail: boolean) {
    const secret = Object.keys(doc.sealedParams ? openScheduleSecrets(await masterKey(), doc._id, doc.sealedParams) : {});
    const description = await describeTemporalSchedule(temporal, doc._id);
    const base = {
      id: doc._id,
      runbook: doc.runbook,
      ...(doc.version !== undefined && { version: doc.version }),
      params: { ...doc.params, ...Object.fromEntries(secret.map((name) => [name, MASK])) },
      ...(doc.targets && { targets: doc.targets }),
      ...(doc.credential && { credential: doc.credential }),
      spec: doc.spec,
      overlap: doc.overlap,
      paused: description?.state.paused ?? doc.paused,
      note: description?.state.note ?? doc.note,
      owner: doc.owner,
      revision: doc.revision,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
      updatedBy: doc.updatedBy,
      nextRuns: description && !description.state.paused ? description.info.nextActionTimes.slice(0, NEXT_RUNS).map((t) => t.toISOString()) : [],
      ...(!description && { missing: true }),
    };
    if (!detail) return base;
    const runs = await listRuns(db, { trigger: { type: 'schedule', ref: doc._id } }, RECENT_RUNS);
    return {
      ...base,
      recentActions: description ? await recentFirings(temporal, description) : [],
      recentRuns: runs.map(presentRun),
    };
  }

  const list = defineRoute({
    method: 'get',
    path: '/automation/schedules',
    operationId: 'listRunSchedules',
    summary: 'Run schedules by id, each with its next firing times',
    tag: TAG,
    permission: 'automation.read',
    query: listSchedulesQuery,
    responses: { 200: { description: 'A page of schedules', schema: scheduleList } },
    async handler({ query, res }) {
      const docs = await listSchedules(db, { runbook: query.runbook, after: query.cursor }, query.limit + 1);
      const page = docs.slice(0, query.limit);
      res.json({ items: await Promise.all(page.map((d) => present(d, false))), nextCursor: docs.length > query.limit ? page[page.length - 1]!._id : null });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/automation/schedules/:id',
    operationId: 'getRunSchedule',
    summary: 'A run schedule: its next 5 firing times, its latest firings (with the run each made, or why it made none) and its latest runs',
    tag: TAG,
    permission: 'automation.read',
    params,
    responses: { 200: { description: 'The schedule', schema: schedule, headers: ETAG } },
    async handler({ params: p, res }) {
      const doc = await held(p.id);
      res.setHeader('ETag', `"${doc.revision}"`).json(await present(doc, true));
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/automation/schedules',
    operationId: 'createRunSchedule',
    summary: 'Schedule a runbook: checked as a run with your roles now, then run as you, with the roles you hold, each time it fires',
    tag: TAG,
    permission: 'automation.schedule',
    body: newScheduleBody,
    responses: { 201: { description: 'The schedule', schema: schedule, headers: { ...ETAG, Location: 'URL of the schedule' } } },
    async handler({ body: { id, ...body }, req, res }) {
      const now = new Date().toISOString();
      const doc = await documentOf(id, body, req, { owner: req.principal!.username, createdAt: now, revision: 1 });
      if (!(await insertSchedule(db, doc))) throw new ConflictError(`a run schedule ${id} exists already`);
      try {
        await onTemporal(() => createTemporalSchedule(temporal, taskQueue, doc));
      } catch (error) {
        await deleteSchedule(db, id);
        throw error;
      }
      await audit(req, { action: 'automation.schedule.create', target: { type: 'run_schedule', id }, outcome: 'success', detail: `${doc.runbook}${doc.version ? ` v${doc.version}` : ''}, ${describeSpec(doc)}` });
      res.status(201).location(`${req.baseUrl}/automation/schedules/${id}`).setHeader('ETag', `"${doc.revision}"`).json(await present(doc, false));
    },
  });

  const update = defineRoute({
    method: 'put',
    path: '/automation/schedules/:id',
    operationId: 'updateRunSchedule',
    summary: 'Replace what a schedule runs and when; checked with your roles; If-Match guards against lost updates; its owner stays',
    tag: TAG,
    permission: 'automation.schedule',
    params,
    body: scheduleBody,
    headers: { 'If-Match': 'ETag of the revision the change is based on (optional)' },
    responses: { 200: { description: 'The schedule', schema: schedule, headers: ETAG } },
    async handler({ params: p, body, req, res }) {
      const previous = await held(p.id);
      const expected = expectedVersion(req);
      if (expected !== undefined && expected !== previous.revision) throw stale(p.id);
      const next = await documentOf(p.id, body, req, { owner: previous.owner, createdAt: previous.createdAt, revision: previous.revision + 1 }, previous);
      if (!(await replaceSchedule(db, previous.revision, next))) throw stale(p.id);
      try {
        await onTemporal(() => updateTemporalSchedule(temporal, taskQueue, next));
      } catch (error) {
        await replaceSchedule(db, next.revision, previous);
        throw error;
      }
      await audit(req, { action: 'automation.schedule.update', target: { type: 'run_schedule', id: p.id }, outcome: 'success', detail: `revision ${next.revision}: ${next.runbook}, ${describeSpec(next)}` });
      res.setHeader('ETag', `"${next.revision}"`).json(await present(next, false));
    },
  });

  const pausing = (paused: boolean) =>
    defineRoute({
      method: 'post',
      path: `/automation/schedules/:id/${paused ? 'pause' : 'resume'}`,
      operationId: paused ? 'pauseRunSchedule' : 'resumeRunSchedule',
      summary: paused ? 'Pause a schedule (with a note saying why); runs already going go on' : 'Resume a paused schedule (with a note)',
      tag: TAG,
      permission: 'automation.schedule',
      params,
      body: pauseBody,
      responses: { 200: { description: 'The schedule', schema: schedule, headers: ETAG } },
      async handler({ params: p, body, req, res }) {
        const previous = await held(p.id);
        const note = body?.note ?? `${paused ? 'paused' : 'resumed'} by ${req.principal!.username}`;
        const next = { ...previous, paused, note, revision: previous.revision + 1, updatedAt: new Date().toISOString(), updatedBy: req.principal!.username };
        if (!(await replaceSchedule(db, previous.revision, next))) throw stale(p.id);
        const handle = temporal.schedule.getHandle(runScheduleId(p.id));
        await (paused ? handle.pause(note) : handle.unpause(note)).catch(async (error: unknown) => {
          await replaceSchedule(db, next.revision, previous);
          throw error;
        });
        await audit(req, { action: `automation.schedule.${paused ? 'pause' : 'resume'}`, target: { type: 'run_schedule', id: p.id }, outcome: 'success', detail: note });
        res.setHeader('ETag', `"${next.revision}"`).json(await present(next, false));
      },
    });

  const remove = defineRoute({
    method: 'delete',
    path: '/automation/schedules/:id',
    operationId: 'deleteRunSchedule',
    summary: 'Delete a schedule and its Temporal Schedule; runs it made stay',
    tag: TAG,
    permission: 'automation.schedule',
    params,
    responses: { 204: { description: 'Deleted' } },
    async handler({ params: p, req, res }) {
      await held(p.id);
      await deleteTemporalSchedule(temporal, p.id);
      await deleteSchedule(db, p.id);
      await audit(req, { action: 'automation.schedule.delete', target: { type: 'run_schedule', id: p.id }, outcome: 'success' });
      res.status(204).end();
    },
  });

  const trigger = defineRoute({
    method: 'post',
    path: '/automation/schedules/:id/trigger',
    operationId: 'triggerRunSchedule',
    summary: "Fire a schedule now (paused or not), under its overlap policy unless another is given; the run appears in the schedule's recent runs",
    tag: TAG,
    permission: 'automation.schedule',
    params,
    body: triggerBody,
    responses: { 202: { description: 'The firing was asked for', schema: z.object({ schedule: z.string(), overlap: z.string() }) } },
    async handler({ params: p, body, req, res }) {
      const doc = await held(p.id);
      const overlap = body?.overlap ?? doc.overlap;
      await temporal.schedule.getHandle(runScheduleId(p.id)).trigger(overlapOf(overlap));
      await audit(req, { action: 'automation.schedule.trigger', target: { type: 'run_schedule', id: p.id }, outcome: 'success', detail: `overlap ${overlap}` });
      res.status(202).json({ schedule: p.id, overlap });
    },
  });

  return [list, get, create, update, pausing(true), pausing(false), remove, trigger];
}

/** A run as the runs API lists it, secret parameters masked. */
function presentRun(r: RunDocument) {
  const params = { ...r.params, ...Object.fromEntries((r.definition.secretParameters ?? []).map((name) => [name, MASK])) };
  return {
    id: r._id,
    runbook: r.runbook,
    status: r.status,
    params,
    requestedBy: r.requestedBy,
    trigger: r.trigger,
    targets: r.targets,
    approvals: r.approvals ?? [],
    createdAt: r.createdAt,
    ...(r.startedAt && { startedAt: r.startedAt }),
    ...(r.finishedAt && { finishedAt: r.finishedAt }),
    ...(r.summary && { summary: r.summary }),
  };
}

function stale(id: string): PreconditionFailedError {
  return new PreconditionFailedError(`run schedule ${id} was changed by someone else since you read it; reload it and apply your change again`);
}

function describeSpec(doc: ScheduleDocument): string {
  const parts = [...(doc.spec.cron ?? []).map((c) => `cron '${c}'`), ...(doc.spec.calendars?.length ? [`${doc.spec.calendars.length} calendar(s)`] : [])];
  return `${parts.join(', ')}${doc.spec.timezone ? ` in ${doc.spec.timezone}` : ''}, overlap ${doc.overlap}${doc.paused ? ', paused' : ''}`;
}
