import type { Connection } from 'mongoose';
import { z } from 'zod';
import { historyOf, stateAt } from '../../store/cmdb/history';
import { createCi, createRelation, deleteCi, removeRelation, retireCi, updateCi } from '../../store/cmdb/writes';
import type { AuditRecorder } from '../audit';
import { type CmdbAccess, cmdbCall, presentCi, presentRelation, userContext } from '../cmdb';
import { ForbiddenError, InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { ci, ciChangeBody, ciId, historyEntry, newCiBody, newRelationBody, relation } from '../schemas/cmdb';
import { expectedVersion } from '../ticketAccess';

const idParams = z.strictObject({ id: ciId });
const TAG = 'cmdb';

/** Configuration items and relations: create, read (now or as of a date), change, retire, delete, history. */
export function cmdbCiRoutes({ db, audit, cmdb }: { db: Connection; audit: AuditRecorder; cmdb: CmdbAccess }): AnyRoute[] {
  const create = defineRoute({
    method: 'post',
    path: '/cmdb/cis',
    operationId: 'createCi',
    summary: 'Create a configuration item, validated against its class',
    tag: TAG,
    permission: 'cmdb.write',
    body: newCiBody,
    responses: { 201: { description: 'The new CI', schema: ci, headers: { ETag: 'Version tag for If-Match' } } },
    async handler({ body, req, res }) {
      await cmdb.model();
      const record = await cmdbCall(() => createCi(db, body, userContext(req.principal!)));
      await audit(req, { action: 'cmdb.ci.create', target: { type: 'ci', id: record.id }, outcome: 'success' });
      res.status(201).setHeader('ETag', `"${record.version}"`);
      res.json(presentCi(record, await cmdb.graph()));
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/cmdb/cis/:id',
    operationId: 'getCi',
    summary: 'One CI; with `at`, the CI as it was at that time',
    tag: TAG,
    permission: 'cmdb.read',
    params: idParams,
    query: z.strictObject({ at: z.iso.datetime({ offset: true }).optional().meta({ description: 'ISO date-time: what the CI looked like then' }) }),
    responses: { 200: { description: 'The CI', schema: ci, headers: { ETag: 'Version tag for If-Match' } } },
    async handler({ params, query, res }) {
      const graph = await cmdb.graph();
      const held = graph.held(params.id);
      if (!held) throw new NotFoundError(`no CI ${params.id}`);
      if (query.at) {
        const past = await stateAt(db, 'ci', params.id, held.version, new Date(query.at).toISOString());
        if (!past || past.operation === 'delete') throw new NotFoundError(`CI ${params.id} did not exist at ${query.at}`);
        res.json(presentCi(past.state as typeof held, graph));
        return;
      }
      if (held.deleted) throw new NotFoundError(`CI ${params.id} was deleted; its history remains at /cmdb/cis/${params.id}/history`);
      res.setHeader('ETag', `"${held.version}"`);
      res.json(presentCi(held, graph));
    },
  });

  const update = defineRoute({
    method: 'patch',
    path: '/cmdb/cis/:id',
    operationId: 'updateCi',
    summary: 'Change attributes (others keep their values; null clears one) or tags; If-Match guards against lost updates',
    tag: TAG,
    permission: 'cmdb.write',
    params: idParams,
    body: ciChangeBody,
    headers: { 'If-Match': 'ETag of the version the change is based on (optional)' },
    responses: { 200: { description: 'The changed CI', schema: ci, headers: { ETag: 'Version tag for If-Match' } } },
    async handler({ params, body, req, res }) {
      await cmdb.model();
      const before = (await cmdb.graph()).ci(params.id);
      const record = await cmdbCall(() => updateCi(db, params.id, { ...body, expectedVersion: expectedVersion(req) }, userContext(req.principal!)));
      if (before && record.version !== before.version) await audit(req, { action: 'cmdb.ci.update', target: { type: 'ci', id: record.id }, outcome: 'success' });
      res.setHeader('ETag', `"${record.version}"`);
      res.json(presentCi(record, await cmdb.graph()));
    },
  });

  const remove = defineRoute({
    method: 'delete',
    path: '/cmdb/cis/:id',
    operationId: 'deleteCi',
    summary: 'Retire a CI (kept, with its history and relations); `hard=true` deletes it and its relations (cmdb.admin, audited)',
    tag: TAG,
    permission: 'cmdb.write',
    params: idParams,
    query: z.strictObject({ hard: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }),
    headers: { 'If-Match': 'ETag of the version being removed (optional)' },
    responses: { 200: { description: 'The retired CI (soft delete)', schema: ci }, 204: { description: 'Deleted (hard)' } },
    async handler({ params, query, req, res }) {
      await cmdb.model();
      const ctx = userContext(req.principal!);
      if (query.hard) {
        if (!req.principal!.permissions.has('cmdb.admin')) {
          await audit(req, { action: 'cmdb.ci.delete', target: { type: 'ci', id: params.id }, outcome: 'denied', detail: 'needs cmdb.admin' });
          throw new ForbiddenError("deleting a CI for good needs the permission 'cmdb.admin'; retire it instead (without hard=true)");
        }
        const deleted = await cmdbCall(() => deleteCi(db, params.id, ctx, expectedVersion(req)));
        await audit(req, { action: 'cmdb.ci.delete', target: { type: 'ci', id: params.id }, outcome: 'success', detail: `${deleted.class} ${String(deleted.attributes.name)} deleted with its relations` });
        res.status(204).end();
        return;
      }
      const retired = await cmdbCall(() => retireCi(db, params.id, ctx, expectedVersion(req)));
      await audit(req, { action: 'cmdb.ci.retire', target: { type: 'ci', id: params.id }, outcome: 'success' });
      res.json(presentCi(retired, await cmdb.graph()));
    },
  });

  const history = defineRoute({
    method: 'get',
    path: '/cmdb/cis/:id/history',
    operationId: 'ciHistory',
    summary: 'Every version of a CI, newest first: who or what changed it, when, attribute by attribute',
    tag: TAG,
    permission: 'cmdb.read',
    params: idParams,
    responses: { 200: { description: 'History', schema: z.object({ items: z.array(historyEntry) }) } },
    async handler({ params, res }) {
      const held = (await cmdb.graph()).held(params.id);
      if (!held) throw new NotFoundError(`no CI ${params.id}`);
      const entries = await historyOf(db, 'ci', params.id, held.version);
      res.json({ items: entries.map(({ version, at, actor, operation, changes, state }) => ({ version, at, actor, operation, changes, state })) });
    },
  });

  const relationsOf = defineRoute({
    method: 'get',
    path: '/cmdb/cis/:id/relations',
    operationId: 'ciRelations',
    summary: "A CI's relations, both ways, with the CI at the other end",
    tag: TAG,
    permission: 'cmdb.read',
    params: idParams,
    responses: {
      200: { description: 'Relations', schema: z.object({ outgoing: z.array(z.object({ relation, other: ci })), incoming: z.array(z.object({ relation, other: ci })) }) },
    },
    async handler({ params, res }) {
      const graph = await cmdb.graph();
      if (!graph.ci(params.id)) throw new NotFoundError(`no CI ${params.id}`);
      const side = (direction: 'out' | 'in') =>
        graph.relationsOf(params.id, direction).flatMap((r) => {
          const other = graph.ci(direction === 'out' ? r.target : r.source);
          return other ? [{ relation: presentRelation(r), other: presentCi(other, graph) }] : [];
        });
      res.json({ outgoing: side('out'), incoming: side('in') });
    },
  });

  const relate = defineRoute({
    method: 'post',
    path: '/cmdb/relations',
    operationId: 'createRelation',
    summary: 'Relate two CIs; checked against the relation type (allowed classes, cardinality). Creating an existing relation returns it (200)',
    tag: TAG,
    permission: 'cmdb.write',
    body: newRelationBody,
    responses: { 201: { description: 'Created', schema: relation }, 200: { description: 'It already existed', schema: relation } },
    async handler({ body, req, res }) {
      await cmdb.model();
      const { relation: record, created } = await cmdbCall(() => createRelation(db, body, userContext(req.principal!)));
      if (created) await audit(req, { action: 'cmdb.relation.create', target: { type: 'relation', id: record.id }, outcome: 'success' });
      res.status(created ? 201 : 200).json(presentRelation(record));
    },
  });

  const unrelate = defineRoute({
    method: 'delete',
    path: '/cmdb/relations/:id',
    operationId: 'removeRelation',
    summary: 'Remove a relation (its history stays)',
    tag: TAG,
    permission: 'cmdb.write',
    params: z.strictObject({ id: z.string().min(5).max(300) }),
    responses: { 204: { description: 'Removed' } },
    async handler({ params, req, res }) {
      if (!/^[a-z][a-z0-9_]*:[^:]+:[^:]+$/.test(params.id)) throw new InputError(`not a relation id: ${params.id}`, [{ field: 'params.id', message: 'a relation id is <type>:<source>:<target>' }]);
      await cmdbCall(() => removeRelation(db, params.id, userContext(req.principal!)));
      await audit(req, { action: 'cmdb.relation.remove', target: { type: 'relation', id: params.id }, outcome: 'success' });
      res.status(204).end();
    },
  });

  return [create, get, update, remove, history, relationsOf, relate, unrelate];
}
