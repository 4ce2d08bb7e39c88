import type { Connection } from 'mongoose';
import { z } from 'zod';
import { type ClassDefinition, type CmdbModel, CmdbModelError, type RelationTypeDefinition, resolveModel } from '../../domain/cmdb/model';
import { classChangeReport } from '../../domain/cmdb/modelChange';
import { saveDefinition } from '../../store/cmdb/modelStore';
import type { AuditRecorder } from '../audit';
import type { CmdbAccess } from '../cmdb';
import { InputError, NotFoundError, Problem } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { classChangeQuery, classDefinitionSchema, className, classReport, relationTypeDefinitionSchema } from '../schemas/cmdb';

const TAG = 'cmdb model';

function resolveOrExplain(candidate: CmdbModel) {
  try {
    return resolveModel(candidate);
  } catch (error) {
    if (!(error instanceof CmdbModelError)) throw error;
    throw new InputError(`the model would be invalid: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, error.issues.map((i) => ({ field: i.path, message: i.message })));
  }
}

/** The CMDB model: read it whole, and change classes and relation types (cmdb admins). */
export function cmdbModelRoutes({ db, audit, cmdb }: { db: Connection; audit: AuditRecorder; cmdb: CmdbAccess }): AnyRoute[] {
  const read = defineRoute({
    method: 'get',
    path: '/cmdb/model',
    operationId: 'getCmdbModel',
    summary: 'The CMDB model: classes (with inherited attributes flattened) and relation types',
    tag: TAG,
    permission: 'cmdb.read',
    responses: { 200: { description: 'The model', schema: z.object({ sourcePriority: z.array(z.string()), classes: z.array(z.record(z.string(), z.unknown())), relationTypes: z.array(z.record(z.string(), z.unknown())) }) } },
    async handler({ res }) {
      const model = await cmdb.model();
      res.json({
        sourcePriority: model.sourcePriority,
        classes: [...model.classes.values()].map((c) => ({ ...c, definition: model.definition.classes[c.name] })),
        relationTypes: [...model.relationTypes.values()],
      });
    },
  });

  const putClass = defineRoute({
    method: 'put',
    path: '/cmdb/classes/:name',
    operationId: 'putCmdbClass',
    summary: 'Create or change a class. Reports how many existing CIs would not fit; refuses (409) when some would, unless force=true; dryRun=true only reports',
    tag: TAG,
    permission: 'cmdb.admin',
    params: z.strictObject({ name: className }),
    query: classChangeQuery,
    body: classDefinitionSchema,
    responses: { 200: { description: 'The report (applied says whether the change was made)', schema: classReport } },
    async handler({ params, query, body, req, res }) {
      const model = await cmdb.model();
      const candidate: CmdbModel = { ...model.definition, classes: { ...model.definition.classes, [params.name]: body as ClassDefinition } };
      const after = resolveOrExplain(candidate);
      const report = classChangeReport(after, params.name, (await cmdb.graph()).allCis());
      if (query.dryRun) {
        res.json({ applied: false, ...report });
        return;
      }
      if (report.violations > 0 && !query.force) {
        throw new Problem(409, 'Conflict', `${report.violations} of ${report.checked} existing CIs would not fit the changed class '${params.name}'; fix them first, or apply with force=true`, { report: { applied: false, ...report } });
      }
      await saveDefinition(db, 'class', params.name, body as ClassDefinition, req.principal!.username);
      await audit(req, { action: 'cmdb.class.put', target: { type: 'cmdb_class', id: params.name }, outcome: 'success', detail: `${report.violations} of ${report.checked} CIs do not fit` });
      res.json({ applied: true, ...report });
    },
  });

  const putRelationType = defineRoute({
    method: 'put',
    path: '/cmdb/relation-types/:name',
    operationId: 'putCmdbRelationType',
    summary: 'Create or change a relation type (existing relations are kept)',
    tag: TAG,
    permission: 'cmdb.admin',
    params: z.strictObject({ name: className }),
    body: relationTypeDefinitionSchema,
    responses: { 200: { description: 'The relation type as stored', schema: z.record(z.string(), z.unknown()) } },
    async handler({ params, body, req, res }) {
      const model = await cmdb.model();
      resolveOrExplain({ ...model.definition, relationTypes: { ...model.definition.relationTypes, [params.name]: body as RelationTypeDefinition } });
      await saveDefinition(db, 'relationType', params.name, body as RelationTypeDefinition, req.principal!.username);
      await audit(req, { action: 'cmdb.relation_type.put', target: { type: 'cmdb_relation_type', id: params.name }, outcome: 'success' });
      res.json({ name: params.name, ...body });
    },
  });

  const getClass = defineRoute({
    method: 'get',
    path: '/cmdb/classes/:name',
    operationId: 'getCmdbClass',
    summary: 'One class, with inherited attributes flattened',
    tag: TAG,
    permission: 'cmdb.read',
    params: z.strictObject({ name: className }),
    responses: { 200: { description: 'The class', schema: z.record(z.string(), z.unknown()) } },
    async handler({ params, res }) {
      const model = await cmdb.model();
      const cls = model.classes.get(params.name);
      if (!cls) throw new NotFoundError(`no class '${params.name}'`);
      res.json({ ...cls, definition: model.definition.classes[params.name], subclasses: [...model.descendants.get(params.name)!].filter((c) => c !== params.name) });
    },
  });

  return [read, getClass, putClass, putRelationType];
}
