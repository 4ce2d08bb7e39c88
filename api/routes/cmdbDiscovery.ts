import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { DISCOVERY_WORKFLOW_PREFIX, type DiscoveryJob, noCis } from '../../domain/cmdb/discovery/job';
import { expandTargets } from '../../domain/cmdb/discovery/targets';
import type { CredentialKind } from '../../domain/credential';
import { deleteJob, findJob, findRun, listJobs, listRuns, openRun, runOutcomes, saveJob, type StoredJob } from '../../store/cmdb/discovery';
import { findCredential } from '../../store/credentials';
import type { AuditRecorder } from '../audit';
import type { CmdbAccess } from '../cmdb';
import { applySchedule, nextRunOf, removeSchedule } from '../discoverySchedules';
import { type FieldError, InputError, NotFoundError, PreconditionFailedError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { job, jobBody, jobName, run } from '../schemas/discovery';
import { expectedVersion } from '../ticketAccess';

const TAG = 'cmdb-discovery';
const ETAG = { ETag: 'Version tag for If-Match' };
const nameParams = z.strictObject({ name: jobName });
const DEFAULT_PORTS = { ssh: 22, snmp: 161 };
const ACCEPTED_KINDS: Record<'ssh' | 'snmp' | 'sync', CredentialKind[]> = { ssh: ['ssh_key', 'ssh_password'], snmp: ['snmp_community', 'snmp_v3'], sync: ['http_bearer', 'http_basic'] };

interface Deps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  audit: AuditRecorder;
  cmdb: CmdbAccess;
}

/** Discovery jobs (network sweeps and inventory syncs), their schedules and their runs' reports. */
export function cmdbDiscoveryRoutes({ db, temporal, taskQueue, audit, cmdb }: Deps): AnyRoute[] {
  /** The body as a job, with what zod cannot see checked: target expressions, credentials and their kinds, the mapping against the model. */
  async function definitionOf(name: string, body: z.output<typeof jobBody>): Promise<DiscoveryJob> {
    const errors: FieldError[] = [];
    const definition: DiscoveryJob = { name, description: body.description, kind: body.kind, ...(body.schedule && { schedule: body.schedule }) };
    if (body.network) {
      const { ssh, snmp, ...rest } = body.network;
      definition.network = { ...rest, ...(ssh && { ssh: { credential: ssh.credential, port: ssh.port ?? DEFAULT_PORTS.ssh } }), ...(snmp && { snmp: { credential: snmp.credential, port: snmp.port ?? DEFAULT_PORTS.snmp } }) };
      const expanded = expandTargets(rest.targets, rest.exclude);
      if (!expanded.ok) {
        for (const p of expanded.problems) errors.push({ field: p.index < 0 ? 'body.network.targets' : p.index < rest.targets.length ? `body.network.targets.${p.index}` : `body.network.exclude.${p.index - rest.targets.length}`, message: p.message });
      }
      if (ssh) await checkCredential(ssh.credential, 'ssh', 'body.network.ssh.credential', errors);
      if (snmp) await checkCredential(snmp.credential, 'snmp', 'body.network.snmp.credential', errors);
    }
    if (body.sync) {
      definition.sync = body.sync;
      if (body.sync.credential) await checkCredential(body.sync.credential, 'sync', 'body.sync.credential', errors);
      const model = await cmdb.model();
      const cls = model.classes.get(body.sync.mapping.class);
      if (!cls || cls.abstract) errors.push({ field: 'body.sync.mapping.class', message: cls ? `'${cls.name}' is abstract; name a concrete class` : `no class '${body.sync.mapping.class}'` });
      else if (!body.sync.mapping.classField) {
        for (const attribute of Object.keys(body.sync.mapping.attributes)) {
          if (!cls.attributes[attribute]) errors.push({ field: `body.sync.mapping.attributes.${attribute}`, message: `class '${cls.name}' has no attribute '${attribute}'` });
        }
      }
    }
    if (errors.length) throw new InputError(`the job is not valid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
    return definition;
  }

  async function checkCredential(id: string, use: keyof typeof ACCEPTED_KINDS, field: string, errors: FieldError[]): Promise<void> {
    const found = await findCredential(db, id);
    if (!found) errors.push({ field, message: `no credential ${id}; create it under /credentials first` });
    else if (!ACCEPTED_KINDS[use].includes(found.kind)) errors.push({ field, message: `credential ${found.name} is ${found.kind}; ${use} takes ${ACCEPTED_KINDS[use].join(' or ')}` });
  }

  const present = async (stored: StoredJob) => ({ ...stored, nextRunAt: stored.schedule && !stored.schedule.paused ? await nextRunOf(temporal, stored.name) : null });
  const presentJob = job.extend({ nextRunAt: z.string().nullable() });

  const list = defineRoute({
    method: 'get',
    path: '/cmdb/discovery/jobs',
    operationId: 'listDiscoveryJobs',
    summary: 'Discovery jobs: network sweeps and inventory syncs',
    tag: TAG,
    permission: 'cmdb.read',
    responses: { 200: { description: 'Jobs by name', schema: z.object({ jobs: z.array(presentJob) }) } },
    async handler({ res }) {
      res.json({ jobs: await Promise.all((await listJobs(db)).map(present)) });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/cmdb/discovery/jobs/:name',
    operationId: 'getDiscoveryJob',
    summary: 'A discovery job, with when its schedule runs it next',
    tag: TAG,
    permission: 'cmdb.read',
    params: nameParams,
    responses: { 200: { description: 'The job', schema: presentJob, headers: ETAG } },
    async handler({ params, res }) {
      const stored = await findJob(db, params.name);
      if (!stored) throw new NotFoundError(`no discovery job '${params.name}'`);
      res.setHeader('ETag', `"${stored.version}"`).json(await present(stored));
    },
  });

  const put = defineRoute({
    method: 'put',
    path: '/cmdb/discovery/jobs/:name',
    operationId: 'saveDiscoveryJob',
    summary: 'Create or replace a discovery job and bring its schedule in line; If-Match guards against lost updates',
    tag: TAG,
    permission: 'cmdb.admin',
    params: nameParams,
    body: jobBody,
    headers: { 'If-Match': 'ETag of the version the change is based on (optional)' },
    responses: { 200: { description: 'The saved job', schema: presentJob, headers: ETAG } },
    async handler({ params, body, req, res }) {
      const definition = await definitionOf(params.name, body);
      const saved = await saveJob(db, definition, req.principal!.username, expectedVersion(req));
      if (!saved) throw new PreconditionFailedError(`discovery job '${params.name}' was changed by someone else since you read it; reload it and apply your change again`);
      await applySchedule(temporal, taskQueue, saved);
      await audit(req, { action: 'cmdb.discovery.job.save', target: { type: 'discovery_job', id: saved.name }, outcome: 'success', detail: `version ${saved.version}` });
      res.setHeader('ETag', `"${saved.version}"`).json(await present(saved));
    },
  });

  const remove = defineRoute({
    method: 'delete',
    path: '/cmdb/discovery/jobs/:name',
    operationId: 'deleteDiscoveryJob',
    summary: 'Delete a discovery job and its schedule (its runs and their reports stay)',
    tag: TAG,
    permission: 'cmdb.admin',
    params: nameParams,
    responses: { 204: { description: 'Deleted' } },
    async handler({ params, req, res }) {
      if (!(await deleteJob(db, params.name))) throw new NotFoundError(`no discovery job '${params.name}'`);
      await removeSchedule(temporal, params.name);
      await audit(req, { action: 'cmdb.discovery.job.delete', target: { type: 'discovery_job', id: params.name }, outcome: 'success' });
      res.status(204).end();
    },
  });

  const start = defineRoute({
    method: 'post',
    path: '/cmdb/discovery/jobs/:name/runs',
    operationId: 'runDiscoveryJob',
    summary: 'Run a discovery job now; the run reports as it goes (GET /cmdb/discovery/runs/{id})',
    tag: TAG,
    permission: 'cmdb.admin',
    params: nameParams,
    responses: { 202: { description: 'The run, just started', schema: run } },
    async handler({ params, req, res }) {
      const stored = await findJob(db, params.name);
      if (!stored) throw new NotFoundError(`no discovery job '${params.name}'`);
      const id = `${stored.name}-${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
      const expanded = stored.network ? expandTargets(stored.network.targets, stored.network.exclude) : null;
      const total = expanded?.ok ? expanded.addresses.length : 0;
      const opened = { id, job: stored.name, kind: stored.kind, trigger: 'user' as const, requestedBy: req.principal!.username, startedAt: new Date().toISOString(), counts: { targets: { total, done: 0, discovered: 0, noResponse: 0, failed: 0 }, cis: noCis() } };
      // Recorded before the workflow starts, so the run can be read at once; the workflow's own record of it is then a no-op.
      await openRun(db, opened);
      await temporal.workflow.start('discoveryWorkflow', { taskQueue, workflowId: `${DISCOVERY_WORKFLOW_PREFIX}${id}`, args: [{ job: stored.name, requestedBy: req.principal!.username }] });
      await audit(req, { action: 'cmdb.discovery.run', target: { type: 'discovery_job', id: stored.name }, outcome: 'success', detail: id });
      res.status(202).location(`${req.baseUrl}/cmdb/discovery/runs/${encodeURIComponent(id)}`).json({ ...opened, status: 'running' });
    },
  });

  const runs = defineRoute({
    method: 'get',
    path: '/cmdb/discovery/runs',
    operationId: 'listDiscoveryRuns',
    summary: 'The latest discovery runs, newest first, of one job or all',
    tag: TAG,
    permission: 'cmdb.read',
    query: z.strictObject({ job: jobName.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: { 200: { description: 'Runs with their counts', schema: z.object({ runs: z.array(run) }) } },
    async handler({ query, res }) {
      res.json({ runs: await listRuns(db, query.job, query.limit) });
    },
  });

  const one = defineRoute({
    method: 'get',
    path: '/cmdb/discovery/runs/:id',
    operationId: 'getDiscoveryRun',
    summary: "A discovery run's report: counts of CIs created, updated, unchanged and rejected, and every target's outcome",
    tag: TAG,
    permission: 'cmdb.read',
    params: z.strictObject({ id: z.string().min(1).max(200) }),
    responses: { 200: { description: 'The run', schema: run } },
    async handler({ params, res }) {
      const found = await findRun(db, params.id);
      if (!found) throw new NotFoundError(`no discovery run '${params.id}'`);
      res.json({ ...found, ...(found.kind === 'network' && { targets: await runOutcomes(db, found) }) });
    },
  });

  return [list, get, put, remove, start, runs, one];
}
