import { z } from 'zod';
import { type CiRecord, PRIMARY_IP } from '../../domain/cmdb/graph';
import { checkSelector, select, type Selector } from '../../domain/cmdb/selector';
import { impactOf, traverse } from '../../domain/cmdb/topology';
import type { CmdbAccess } from '../cmdb';
import { presentCi, presentRelation } from '../cmdb';
import { InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { ciId, ciPage, impact, impactBody, queryBody, selector as selectorSchema, targetPreview, topology, topologyQuery } from '../schemas/cmdb';

const TAG = 'cmdb';
const PREVIEW_LIMIT = 500;

const nameOf = (ci: CiRecord) => (typeof ci.attributes.name === 'string' ? ci.attributes.name : '');

function cursorOf(ci: CiRecord): string {
  return Buffer.from(JSON.stringify([nameOf(ci).toLowerCase(), ci.id])).toString('base64url');
}

function afterCursor(cursor: string): (ci: CiRecord) => boolean {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    key = null;
  }
  if (!Array.isArray(key) || key.length !== 2 || !key.every((k) => typeof k === 'string')) {
    throw new InputError('cursor is not one this API returned; use nextCursor from a previous page', [{ field: 'body.cursor', message: 'not a cursor' }]);
  }
  const [name, id] = key as [string, string];
  return (ci) => {
    const n = nameOf(ci).toLowerCase();
    return n > name || (n === name && ci.id > id);
  };
}

/** Selector queries, target previews, topology and impact: all answered from the in-memory graph. */
export function cmdbQueryRoutes({ cmdb }: { cmdb: CmdbAccess }): AnyRoute[] {
  async function run(selector: Record<string, unknown>) {
    const [model, graph] = await Promise.all([cmdb.model(), cmdb.graph()]);
    const issues = checkSelector(selector, model);
    if (issues.length > 0) throw new InputError(`the selector is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues.map((i) => ({ field: `body.${i.path}`, message: i.message })));
    const ids = select(selector as Selector, { graph, model });
    return { graph, cis: [...ids].map((id) => graph.ci(id)!) };
  }

  const query = defineRoute({
    method: 'post',
    path: '/cmdb/query',
    operationId: 'queryCis',
    summary: 'CIs matching a selector (docs/cmdb.md#selectors), by name, a page at a time',
    tag: TAG,
    permission: 'cmdb.read',
    body: queryBody,
    responses: { 200: { description: 'A page of CIs', schema: ciPage } },
    async handler({ body, res }) {
      const { graph, cis } = await run(body.selector);
      const after = body.cursor ? afterCursor(body.cursor) : () => true;
      const sorted = cis.filter(after).sort((a, b) => nameOf(a).toLowerCase().localeCompare(nameOf(b).toLowerCase()) || (a.id < b.id ? -1 : 1));
      const page = sorted.slice(0, body.limit);
      const last = page[page.length - 1];
      res.json({ items: page.map((ci) => presentCi(ci, graph)), total: cis.length, nextCursor: sorted.length > body.limit && last ? cursorOf(last) : null });
    },
  });

  const preview = defineRoute({
    method: 'post',
    path: '/cmdb/targets/preview',
    operationId: 'previewTargets',
    summary: 'Which CIs a runbook or rule selector would pick, and in which zones (their workers) they would run',
    tag: TAG,
    permission: 'cmdb.read',
    body: z.strictObject({ selector: selectorSchema }),
    responses: { 200: { description: 'The targets', schema: targetPreview } },
    async handler({ body, res }) {
      const { graph, cis } = await run(body.selector);
      const byZone: Record<string, number> = {};
      let withoutZone = 0;
      const targets = cis.map((ci) => {
        const zone = graph.zoneOf(ci);
        if (zone === null) withoutZone++;
        else byZone[zone] = (byZone[zone] ?? 0) + 1;
        const address = ci.attributes[PRIMARY_IP];
        return { id: ci.id, name: nameOf(ci) || null, class: ci.class, zone, address: typeof address === 'string' ? address : null };
      });
      targets.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id));
      res.json({ count: targets.length, byZone, withoutZone, targets: targets.slice(0, PREVIEW_LIMIT), truncated: targets.length > PREVIEW_LIMIT });
    },
  });

  const topologyRoute = defineRoute({
    method: 'get',
    path: '/cmdb/cis/:id/topology',
    operationId: 'ciTopology',
    summary: 'The CIs around one: upstream (what relates to it), downstream (what it relates to) or both, to a depth',
    tag: TAG,
    permission: 'cmdb.read',
    params: z.strictObject({ id: ciId }),
    query: topologyQuery,
    responses: { 200: { description: 'Nodes and edges', schema: topology } },
    async handler({ params, query, res }) {
      const [model, graph] = await Promise.all([cmdb.model(), cmdb.graph()]);
      if (!graph.ci(params.id)) throw new NotFoundError(`no CI ${params.id}`);
      const unknown = (query.types ?? []).filter((t) => !model.relationTypes.has(t));
      if (unknown.length) throw new InputError(`unknown relation types: ${unknown.join(', ')}`, [{ field: 'query.types', message: `no relation type ${unknown.join(', ')}` }]);
      const found = traverse(graph, params.id, query);
      res.json({ root: found.root, nodes: found.nodes.map((n) => ({ ci: presentCi(n.ci, graph), depth: n.depth })), edges: found.edges.map(presentRelation), truncated: found.truncated });
    },
  });

  const impactRoute = defineRoute({
    method: 'post',
    path: '/cmdb/impact',
    operationId: 'ciImpact',
    summary: 'What fails or degrades if these CIs fail, with the applications and business systems affected',
    tag: TAG,
    permission: 'cmdb.read',
    body: impactBody,
    responses: { 200: { description: 'The impact', schema: impact } },
    async handler({ body, res }) {
      const [model, graph] = await Promise.all([cmdb.model(), cmdb.graph()]);
      const missing = body.failing.filter((id) => !graph.ci(id));
      if (missing.length) throw new NotFoundError(`no CI ${missing.join(', ')}`);
      const unknown = body.highlight.filter((c) => !model.classes.has(c));
      if (unknown.length) throw new InputError(`unknown classes: ${unknown.join(', ')}`, [{ field: 'body.highlight', message: `no class ${unknown.join(', ')}` }]);
      const result = impactOf(graph, model, body);
      const shown = (entry: (typeof result.impacted)[number]) => ({ ci: presentCi(entry.ci, graph), effect: entry.effect, depth: entry.depth, via: entry.via ? presentRelation(entry.via) : null });
      res.json({
        failing: result.failing,
        impacted: result.impacted.map(shown),
        highlights: Object.fromEntries(Object.entries(result.highlights).map(([cls, list]) => [cls, list.map(shown)])),
        truncated: result.truncated,
      });
    },
  });

  return [query, preview, topologyRoute, impactRoute];
}
