import { validateAttributes } from '../../../domain/cmdb/attributes';
import { type CiRecord, CmdbGraph, relationId, type RelationRecord } from '../../../domain/cmdb/graph';
import type { ResolvedModel } from '../../../domain/cmdb/model';
import { loadCmdbModel } from '../../../runtime/catalog/cmdb';
import { DEFAULT_CATALOG_DIR } from '../../../runtime/catalog';

/** The shipped starter model, and a small graph built on it for the unit tests. */
export const starter = (): ResolvedModel => loadCmdbModel(DEFAULT_CATALOG_DIR).model;

const AT = '2026-11-01T00:00:00.000Z';

export function ci(model: ResolvedModel, id: string, cls: string, attributes: Record<string, unknown>, tags: string[] = []): CiRecord {
  const { attributes: normalized, errors } = validateAttributes(model.classes.get(cls)!, attributes);
  if (errors.length) throw new Error(`fixture CI ${id}: ${JSON.stringify(errors)}`);
  return { id, class: cls, attributes: normalized, tags, sources: {}, version: 1, createdAt: AT, updatedAt: AT };
}

export function rel(type: string, source: string, target: string): RelationRecord {
  return { id: relationId(type, source, target), type, source, target, version: 1, createdAt: AT, updatedAt: AT };
}

/**
 * payments (business system) ← payments-api (application) ← api-svc (service)
 *   ← api-1, api-2 (processes, members) run on web-1, web-2 (VMs) hosted on hv-1 (physical)
 *   in rack r1 in dc1; payments-api depends on pay-db (database instance) on db-1.
 *   web-1 and web-2 connect to sw-1; db-1 connects to sw-1 and sw-2 (redundant uplinks).
 *   zone dc-a covers 10.1.0.0/16, zone dc-a-dmz covers 10.1.9.0/24.
 */
export function paymentsGraph(model: ResolvedModel): CmdbGraph {
  const graph = new CmdbGraph();
  const cis = [
    ci(model, 'bs-pay', 'business_system', { name: 'Payments', code: 'PAY', criticality: 'critical' }),
    ci(model, 'app-api', 'application', { name: 'payments-api', app_code: 'payapi', environment: 'prod' }),
    ci(model, 'svc-api', 'service', { name: 'api-svc' }),
    ci(model, 'p-api-1', 'process', { name: 'api-1', port: 8080 }),
    ci(model, 'p-api-2', 'process', { name: 'api-2', port: 8080 }),
    ci(model, 'db-pay', 'database_instance', { name: 'pay-db', engine: 'postgresql' }),
    ci(model, 'vm-web-1', 'virtual_machine', { name: 'web-1', hostname: 'web-1', primary_ip: '10.1.2.11', cpu_count: 4, environment: 'prod' }, ['pci']),
    ci(model, 'vm-web-2', 'virtual_machine', { name: 'web-2', hostname: 'web-2', primary_ip: '10.1.9.12', cpu_count: 2, environment: 'prod' }),
    ci(model, 'ps-db-1', 'physical_server', { name: 'db-1', hostname: 'db-1', primary_ip: '10.2.0.5', cpu_count: 32, zone: 'dc-b', environment: 'prod' }, ['pci']),
    ci(model, 'ps-hv-1', 'physical_server', { name: 'hv-1', hostname: 'hv-1', primary_ip: '10.1.0.2', cpu_count: 64, lifecycle: 'live' }),
    ci(model, 'ps-old', 'physical_server', { name: 'old-1', hostname: 'old-1', primary_ip: '10.1.0.3', lifecycle: 'retired' }),
    ci(model, 'sw-1', 'network_device', { name: 'sw-1', role: 'switch' }),
    ci(model, 'sw-2', 'network_device', { name: 'sw-2', role: 'switch' }),
    ci(model, 'dc1', 'data_centre', { name: 'DC One', code: 'DC1' }),
    ci(model, 'r1', 'rack', { name: 'R1', data_centre: 'dc1' }),
    ci(model, 'z-a', 'zone', { name: 'dc-a', subnets: ['10.1.0.0/16'] }),
    ci(model, 'z-dmz', 'zone', { name: 'dc-a-dmz', subnets: ['10.1.9.0/24'] }),
  ];
  for (const c of cis) graph.putCi(c);
  const relations = [
    rel('part_of', 'app-api', 'bs-pay'),
    rel('part_of', 'svc-api', 'app-api'),
    rel('member_of', 'p-api-1', 'svc-api'),
    rel('member_of', 'p-api-2', 'svc-api'),
    rel('runs_on', 'p-api-1', 'vm-web-1'),
    rel('runs_on', 'p-api-2', 'vm-web-2'),
    rel('runs_on', 'db-pay', 'ps-db-1'),
    rel('depends_on', 'app-api', 'db-pay'),
    rel('hosted_on', 'vm-web-1', 'ps-hv-1'),
    rel('hosted_on', 'vm-web-2', 'ps-hv-1'),
    rel('connects_to', 'vm-web-1', 'sw-1'),
    rel('connects_to', 'vm-web-2', 'sw-1'),
    rel('connects_to', 'ps-db-1', 'sw-1'),
    rel('connects_to', 'ps-db-1', 'sw-2'),
    rel('contains', 'dc1', 'r1'),
    rel('contains', 'r1', 'ps-hv-1'),
    rel('contains', 'r1', 'ps-db-1'),
  ];
  for (const r of relations) graph.putRelation(r);
  return graph;
}
