import type { Connection } from 'mongoose';
import { loadCmdbModel } from '../../runtime/catalog/cmdb';
import { DEFAULT_CATALOG_DIR } from '../../runtime/catalog';
import { connectStore } from '../../store/connection';
import { CmdbError } from '../../store/cmdb/errors';
import { historyOf, stateAt } from '../../store/cmdb/history';
import { loadModel, seedModel } from '../../store/cmdb/modelStore';
import { cmdbGraph, cmdbLog } from '../../store/cmdb/replica';
import { createCi, createRelation, deleteCi, removeRelation, retireCi, updateCi, type WriteContext } from '../../store/cmdb/writes';
import { isolationName, mongoUri } from '../setup/harness';

// The CMDB store against the real MongoDB-wire server: two connections to one database act
// as two processes, each with its own replica of the graph.

const ctx: WriteContext = { actor: { type: 'user', id: 'alice' }, source: 'manual' };
let a: Connection;
let b: Connection;

beforeAll(async () => {
  const name = isolationName('cmdb');
  a = await connectStore(mongoUri(), name);
  b = await connectStore(mongoUri(), name);
  await seedModel(a, loadCmdbModel(DEFAULT_CATALOG_DIR).definition);
});
afterAll(async () => {
  await cmdbLog.idle(a);
  await a.dropDatabase();
  await Promise.all([a.close(), b.close()]);
});

const failure = async (promise: Promise<unknown>): Promise<CmdbError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CmdbError) return error;
    throw error;
  }
  throw new Error('expected a CmdbError');
};

test('the model is seeded once and read back resolved', async () => {
  await seedModel(b, loadCmdbModel(DEFAULT_CATALOG_DIR).definition);
  const model = await loadModel(b);
  expect(model.classes.get('virtual_machine')!.lineage).toEqual(['ci', 'host', 'virtual_machine']);
});

test('a CI written by one process is seen, with its history, by another', async () => {
  const web = await createCi(a, { class: 'virtual_machine', attributes: { name: 'web-1', hostname: 'web-1', primary_ip: '10.1.2.11', serial_number: 'SN-1' }, tags: ['pci'] }, ctx);
  expect(web).toMatchObject({ version: 1, class: 'virtual_machine', attributes: { lifecycle: 'live', serial_number: 'SN-1' }, sources: { name: 'manual' } });
  const seen = (await cmdbGraph(b)).ci(web.id);
  expect(seen?.attributes.primary_ip).toBe('10.1.2.11');

  const t1 = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  const updated = await updateCi(b, web.id, { attributes: { cpu_count: 8 }, expectedVersion: 1 }, { actor: { type: 'discovery', id: 'run-1' }, source: 'ssh' });
  expect(updated).toMatchObject({ version: 2, sources: { cpu_count: 'ssh', name: 'manual' } });
  expect((await cmdbGraph(a)).ci(web.id)!.attributes.cpu_count).toBe(8);

  const history = await historyOf(a, 'ci', web.id, 2);
  expect(history.map((h) => [h.version, h.operation, h.actor.type])).toEqual([[2, 'update', 'discovery'], [1, 'create', 'user']]);
  expect(history[0]!.changes).toEqual({ cpu_count: { before: null, after: 8 } });
  expect((await stateAt(a, 'ci', web.id, 2, t1))!.state).toMatchObject({ version: 1, attributes: { cpu_count: null } });
  expect(await stateAt(a, 'ci', web.id, 2, '2000-01-01T00:00:00Z')).toBeNull();
});

test('bad input, stale versions and duplicates are refused with what to fix', async () => {
  const invalid = await failure(createCi(a, { class: 'physical_server', attributes: { cpu_count: 0, rack: 'ci-nope' } }, ctx));
  expect(invalid.kind).toBe('invalid');
  expect(invalid.errors).toEqual(expect.arrayContaining([{ field: 'attributes.name', message: 'is required' }, { field: 'attributes.cpu_count', message: 'the value must be at least 1' }, { field: 'attributes.rack', message: 'no CI ci-nope' }]));
  expect((await failure(createCi(a, { class: 'host', attributes: { name: 'x' } }, ctx))).message).toMatch(/abstract/);

  const dup = await failure(createCi(b, { class: 'physical_server', attributes: { name: 'other', serial_number: 'sn-1' } }, ctx));
  expect(dup.kind).toBe('conflict');
  expect(dup.errors[0]!.field).toBe('attributes.serial_number');

  const server = await createCi(a, { class: 'physical_server', attributes: { name: 'db-1', serial_number: 'SN-2' } }, ctx);
  expect((await failure(updateCi(b, server.id, { attributes: { name: 'db-one' }, expectedVersion: 7 }, ctx))).kind).toBe('stale');
  // Releasing: after the serial changes, the old one is free again.
  await updateCi(a, server.id, { attributes: { serial_number: 'SN-3' } }, ctx);
  await createCi(b, { class: 'physical_server', attributes: { name: 'db-2', serial_number: 'SN-2' } }, ctx);
});

test('relations: allowed ends, cardinality, idempotent create, removal, hard delete', async () => {
  const graph = await cmdbGraph(a);
  const [vm] = [...graph.allCis()].filter((c) => c.attributes.name === 'web-1');
  const host1 = await createCi(a, { class: 'physical_server', attributes: { name: 'hv-1' } }, ctx);
  const host2 = await createCi(a, { class: 'physical_server', attributes: { name: 'hv-2' } }, ctx);
  const first = await createRelation(a, { type: 'hosted_on', source: vm!.id, target: host1.id }, ctx);
  expect(first.created).toBe(true);
  expect((await createRelation(b, { type: 'hosted_on', source: vm!.id, target: host1.id }, ctx)).created).toBe(false);
  expect((await failure(createRelation(b, { type: 'hosted_on', source: vm!.id, target: host2.id }, ctx))).message).toMatch(/allows one \(many_to_one\)/);
  expect((await failure(createRelation(b, { type: 'hosted_on', source: host1.id, target: host2.id }, ctx))).errors[0]!.message).toMatch(/cannot be the source/);
  expect((await failure(createRelation(b, { type: 'flies_to', source: host1.id, target: host2.id }, ctx))).kind).toBe('invalid');

  await removeRelation(b, first.relation.id, ctx);
  expect((await cmdbGraph(a)).relationsOf(vm!.id, 'out')).toEqual([]);
  await createRelation(a, { type: 'hosted_on', source: vm!.id, target: host2.id }, ctx);

  const retired = await retireCi(b, host1.id, ctx);
  expect(retired.attributes.lifecycle).toBe('retired');
  await deleteCi(a, host2.id, ctx);
  const after = await cmdbGraph(b);
  expect(after.ci(host2.id)).toBeUndefined();
  expect(after.relationsOf(vm!.id, 'out')).toEqual([]);
  expect((await historyOf(b, 'ci', host2.id, 2)).map((h) => h.operation)).toEqual(['delete', 'create']);
});

test('compaction keeps every replica whole, cold or warm', async () => {
  const before = [...(await cmdbGraph(a)).allCis()].map((c) => `${c.id}@${c.version}`).sort();
  const minor = await cmdbLog.compact(a);
  expect(minor.changesMerged).toBeGreaterThan(0);
  await createCi(b, { class: 'zone', attributes: { name: 'dc-a', subnets: ['10.1.0.0/16'] } }, ctx);
  await cmdbLog.compact(b, { major: true });
  const cold = await connectStore(mongoUri(), a.name);
  try {
    const fresh = [...(await cmdbGraph(cold)).allCis()].map((c) => `${c.id}@${c.version}`).sort();
    const warm = [...(await cmdbGraph(a)).allCis()].map((c) => `${c.id}@${c.version}`).sort();
    expect(fresh).toEqual(warm);
    expect(fresh.length).toBe(before.length + 1);
    expect(cmdbLog.stats(cold)).toMatchObject({ pendingChanges: 0, segments: 1 });
  } finally {
    await cold.close();
  }
});
