import { impactOf, traverse } from '../../../domain/cmdb/topology';
import { paymentsGraph, rel, starter } from './fixture';

const model = starter();
const graph = paymentsGraph(model);

describe('topology and impact', () => {
  test('downstream walks source to target, upstream the other way, with depth and type filters', () => {
    const down = traverse(graph, 'app-api', { direction: 'downstream', depth: 2 });
    expect(down.nodes.map((n) => `${n.ci.id}@${n.depth}`).sort()).toEqual(['app-api@0', 'bs-pay@1', 'db-pay@1', 'ps-db-1@2'].sort());
    const up = traverse(graph, 'ps-hv-1', { direction: 'upstream', depth: 3, types: ['hosted_on', 'runs_on', 'contains'] });
    expect(up.nodes.map((n) => n.ci.id).sort()).toEqual(['dc1', 'p-api-1', 'p-api-2', 'ps-hv-1', 'r1', 'vm-web-1', 'vm-web-2']);
    expect(up.edges.every((e) => ['hosted_on', 'runs_on', 'contains'].includes(e.type))).toBe(true);
    expect(traverse(graph, 'ps-hv-1', { direction: 'both', depth: 6, limit: 3 }).truncated).toBe(true);
  });

  test('a failing hypervisor takes down both web VMs, the service and up to the business system', () => {
    const impact = impactOf(graph, model, { failing: ['ps-hv-1'], depth: 6, highlight: ['application', 'business_system'] });
    const effects = Object.fromEntries(impact.impacted.map((i) => [i.ci.id, i.effect]));
    expect(effects).toEqual({ 'ps-hv-1': 'down', 'vm-web-1': 'down', 'vm-web-2': 'down', 'p-api-1': 'down', 'p-api-2': 'down', 'svc-api': 'down', 'app-api': 'down', 'bs-pay': 'down' });
    expect(impact.highlights.application!.map((i) => i.ci.id)).toEqual(['app-api']);
    expect(impact.highlights.business_system!.map((i) => [i.ci.id, i.depth])).toEqual([['bs-pay', 5]]);
    expect(impact.impacted.find((i) => i.ci.id === 'svc-api')!.via!.type).toBe('member_of');
  });

  test('one of two members failing only degrades the service and what depends on it', () => {
    const impact = impactOf(graph, model, { failing: ['vm-web-1'], depth: 6 });
    const effects = Object.fromEntries(impact.impacted.map((i) => [i.ci.id, i.effect]));
    expect(effects).toEqual({ 'vm-web-1': 'down', 'p-api-1': 'down', 'svc-api': 'degraded', 'app-api': 'degraded', 'bs-pay': 'degraded' });
  });

  test('redundant uplinks: one switch degrades the database host, both take it down', () => {
    const one = impactOf(graph, model, { failing: ['sw-2'], depth: 6 });
    expect(Object.fromEntries(one.impacted.map((i) => [i.ci.id, i.effect]))).toMatchObject({ 'ps-db-1': 'degraded', 'db-pay': 'degraded', 'app-api': 'degraded' });
    const both = impactOf(graph, model, { failing: ['sw-1', 'sw-2'], depth: 6 });
    expect(Object.fromEntries(both.impacted.map((i) => [i.ci.id, i.effect]))).toMatchObject({ 'ps-db-1': 'down', 'db-pay': 'down', 'app-api': 'down', 'bs-pay': 'down', 'vm-web-1': 'down' });
  });

  test('depth bounds the walk; a removed relation stops carrying the failure', () => {
    expect(impactOf(graph, model, { failing: ['ps-hv-1'], depth: 1 }).impacted.map((i) => i.ci.id).sort()).toEqual(['ps-hv-1', 'vm-web-1', 'vm-web-2']);
    const g = paymentsGraph(model);
    g.putRelation({ ...rel('depends_on', 'app-api', 'db-pay'), version: 2, deleted: true });
    expect(impactOf(g, model, { failing: ['db-pay'], depth: 6 }).impacted.map((i) => i.ci.id)).toEqual(['db-pay']);
  });
});
