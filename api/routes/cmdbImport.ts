import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { CmdbGraph } from '../../domain/cmdb/graph';
import { CsvError, toCsv } from '../../domain/cmdb/csv';
import { type ImportInput, rowsFromCsv } from '../../domain/cmdb/importRows';
import type { ResolvedModel } from '../../domain/cmdb/model';
import { importCmdb } from '../../store/cmdb/importer';
import type { AuditRecorder } from '../audit';
import type { CmdbAccess } from '../cmdb';
import { InputError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { className } from '../schemas/cmdb';

const TAG = 'cmdb';

const jsonCi = z.strictObject({ ref: z.string().min(1).max(200).optional(), class: z.string(), attributes: z.record(z.string(), z.unknown()), tags: z.array(z.string()).optional() });
const jsonRelation = z.strictObject({ type: z.string(), source: z.string().min(1), target: z.string().min(1) });
const importBody = z
  .discriminatedUnion('format', [
    z.strictObject({ format: z.literal('json'), cis: z.array(jsonCi).max(20_000), relations: z.array(jsonRelation).max(50_000).default([]) }),
    z.strictObject({
      format: z.literal('csv'),
      cis: z.string().meta({ description: 'CSV: a header with class, optionally ref and tags, and attribute names; lists and tags separated by ;' }),
      relations: z.string().optional().meta({ description: 'CSV: type,source,target (refs of rows or CI ids)' }),
    }),
  ])
  .meta({ id: 'CmdbImport' });

const importReport = z
  .object({
    dryRun: z.boolean(),
    cis: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), rejected: z.number() }),
    relations: z.object({ created: z.number(), existing: z.number(), rejected: z.number() }),
    rows: z.array(z.record(z.string(), z.unknown())),
    relationErrors: z.array(z.record(z.string(), z.unknown())),
    rowsTruncated: z.boolean(),
  })
  .meta({ id: 'CmdbImportReport' });

function fromCsv(model: ResolvedModel, cis: string, relations: string | undefined): ImportInput {
  try {
    return rowsFromCsv(model, cis, relations);
  } catch (error) {
    if (error instanceof CsvError) throw new InputError(`the CSV cannot be read: ${error.message}`, [{ field: 'body.cis', message: error.message }]);
    throw error;
  }
}

function exportRows(graph: CmdbGraph, model: ResolvedModel, cls: string | undefined) {
  const classes = cls ? model.descendants.get(cls)! : undefined;
  return [...graph.allCis()].filter((ci) => !classes || classes.has(ci.class)).sort((a, b) => a.id.localeCompare(b.id));
}

/** Import (JSON or CSV, with a dry run) and export of CIs and relations. */
export function cmdbImportRoutes({ db, audit, cmdb }: { db: Connection; audit: AuditRecorder; cmdb: CmdbAccess }): AnyRoute[] {
  const importRoute = defineRoute({
    method: 'post',
    path: '/cmdb/import',
    operationId: 'importCmdb',
    summary: 'Import CIs and relations; rows are matched to stored CIs by identification rules, so a re-import updates. dryRun=true reports without writing',
    tag: TAG,
    permission: 'cmdb.write',
    query: z.strictObject({ dryRun: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }),
    body: importBody,
    responses: { 200: { description: 'What was (or would be) created, updated, left unchanged and rejected, and why', schema: importReport } },
    async handler({ query, body, req, res }) {
      const model = await cmdb.model();
      const input: ImportInput = body.format === 'csv' ? fromCsv(model, body.cis, body.relations) : body;
      const report = await importCmdb(db, input, { dryRun: query.dryRun, actor: { type: 'import', id: req.principal!.username } });
      if (!query.dryRun) await audit(req, { action: 'cmdb.import', target: { type: 'cmdb', id: 'import' }, outcome: 'success', detail: `CIs ${JSON.stringify(report.cis)}; relations ${JSON.stringify(report.relations)}` });
      res.json(report);
    },
  });

  const exportRoute = defineRoute({
    method: 'get',
    path: '/cmdb/export',
    operationId: 'exportCmdb',
    summary: 'Export CIs (of a class and its subclasses, or all) and their relations as JSON, or CIs or relations as CSV; the output imports back unchanged',
    tag: TAG,
    permission: 'cmdb.read',
    query: z.strictObject({ format: z.enum(['json', 'csv']).default('json'), class: className.optional(), part: z.enum(['cis', 'relations']).default('cis').meta({ description: 'CSV only: which file' }) }),
    responses: { 200: { description: 'The export (application/json or text/csv)', schema: z.unknown() } },
    async handler({ query, res }) {
      const [model, graph] = await Promise.all([cmdb.model(), cmdb.graph()]);
      const cis = exportRows(graph, model, query.class);
      const ids = new Set(cis.map((c) => c.id));
      const relations = [...graph.allRelations()].filter((r) => ids.has(r.source) && ids.has(r.target)).map((r) => ({ type: r.type, source: r.source, target: r.target }));
      if (query.format === 'json') {
        res.setHeader('Content-Disposition', 'attachment; filename="cmdb.json"');
        res.json({ format: 'json', cis: cis.map((c) => ({ ref: c.id, class: c.class, attributes: c.attributes, tags: c.tags })), relations });
        return;
      }
      res.setHeader('Content-Disposition', `attachment; filename="cmdb-${query.part}.csv"`);
      res.type('text/csv');
      if (query.part === 'relations') {
        res.send(toCsv(['type', 'source', 'target'], relations.map((r) => [r.type, r.source, r.target])));
        return;
      }
      const attributes = [...new Set(cis.flatMap((c) => Object.keys(model.classes.get(c.class)?.attributes ?? {})))];
      res.send(toCsv(['ref', 'class', 'tags', ...attributes], cis.map((c) => [c.id, c.class, c.tags, ...attributes.map((a) => c.attributes[a])])));
    },
  });

  return [importRoute, exportRoute];
}
