import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { attributeChanges, type Attributes, validateAttributes } from '../../domain/cmdb/attributes';
import { type CiRecord, type CmdbGraph, type GraphView, relationId, type RelationRecord } from '../../domain/cmdb/graph';
import { isA, type ResolvedClass, type ResolvedModel, uniquenessScope } from '../../domain/cmdb/model';
import { claimValues, releaseValues, type UniqueValue } from './claims';
import { CmdbError } from './errors';
import { type Actor, appendHistory, historyId, type HistoryOperation } from './history';
import { loadModel } from './modelStore';
import { ciEntry, cmdbGraph, recordEntries, relationEntry } from './replica';

/**
 * Every change to CIs and relations goes through here: validated against the model,
 * unique values claimed, the version claimed by its history entry, the document written by
 * `_id`, and the change recorded for every process's graph. See docs/cmdb.md.
 */

export interface CiInput {
  class: string;
  attributes: Record<string, unknown>;
  tags?: string[];
  /** Given by imports that keep their own ids; generated otherwise. */
  id?: string;
}

export interface WriteContext {
  actor: Actor;
  /** The source the attribute values come from (manual for people, ssh/snmp for discovery…). */
  source: string;
}

const cis = (db: Connection) => db.collection<CiRecord & { _id: string }>('cmdb_cis');
const relations = (db: Connection) => db.collection<RelationRecord & { _id: string }>('cmdb_relations');

const CI_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const TAG = /^[a-z0-9][a-z0-9_.:-]{0,62}$/;

export const newCiId = () => `ci-${randomBytes(6).toString('hex')}`;

function classFor(model: ResolvedModel, name: string): ResolvedClass {
  const cls = model.classes.get(name);
  if (!cls) throw new CmdbError('invalid', `no class '${name}'`, [{ field: 'class', message: `no class '${name}'; see GET /cmdb/classes` }]);
  if (cls.abstract) throw new CmdbError('invalid', `class '${name}' is abstract: choose one of its subclasses`, [{ field: 'class', message: `'${name}' is abstract` }]);
  return cls;
}

/** Attribute values checked against the class, the graph (references) and tags; throws 'invalid' with every problem. */
export function checkCi(model: ResolvedModel, graph: GraphView, cls: ResolvedClass, input: Record<string, unknown>, tags: string[]): Attributes {
  const { attributes, errors } = validateAttributes(cls, input);
  const problems = errors.map((e) => ({ field: `attributes.${e.attribute}`, message: e.message }));
  for (const [name, spec] of Object.entries(cls.attributes)) {
    if (spec.type !== 'reference') continue;
    const values = ([] as unknown[]).concat(attributes[name] ?? []);
    for (const value of values) {
      const target = graph.ci(String(value));
      if (!target) problems.push({ field: `attributes.${name}`, message: `no CI ${String(value)}` });
      else if (!isA(model, target.class, spec.class!)) problems.push({ field: `attributes.${name}`, message: `CI ${String(value)} is a ${target.class}, not a ${spec.class}` });
    }
  }
  for (const [i, tag] of tags.entries()) if (!TAG.test(tag)) problems.push({ field: `tags[${i}]`, message: 'a tag is lower-case letters, digits and _ . : - (at most 63)' });
  if (problems.length > 0) throw new CmdbError('invalid', `the CI does not fit class '${cls.name}': ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return attributes;
}

export function uniqueValues(cls: ResolvedClass, attributes: Attributes): UniqueValue[] {
  const values: UniqueValue[] = [];
  for (const [name, spec] of Object.entries(cls.attributes)) {
    const value = attributes[name];
    if (spec.unique && value !== null && !Array.isArray(value)) values.push({ scope: uniquenessScope(cls, name), attribute: name, value });
  }
  return values;
}

export const sourcesFor = (attributes: Record<string, unknown>, source: string) => Object.fromEntries(Object.keys(attributes).map((name) => [name, source]));

async function commitCi(db: Connection, record: CiRecord, before: Attributes, operation: HistoryOperation, ctx: WriteContext): Promise<void> {
  await appendHistory(db, { _id: historyId('ci', record.id, record.version), entity: 'ci', entityId: record.id, version: record.version, at: record.updatedAt, actor: ctx.actor, operation, changes: attributeChanges(before, record.attributes), state: record });
  if (operation === 'delete') await cis(db).deleteOne({ _id: record.id });
  else if (record.version === 1) await cis(db).insertOne({ _id: record.id, ...record });
  else await cis(db).replaceOne({ _id: record.id }, record, { upsert: true });
  await recordEntries(db, [ciEntry(record)]);
}

export async function createCi(db: Connection, input: CiInput, ctx: WriteContext): Promise<CiRecord> {
  const [model, graph] = await Promise.all([loadModel(db), cmdbGraph(db)]);
  const cls = classFor(model, input.class);
  const tags = [...new Set(input.tags ?? [])];
  const attributes = checkCi(model, graph, cls, input.attributes, tags);
  const id = input.id ?? newCiId();
  if (!CI_ID.test(id)) throw new CmdbError('invalid', `not a CI id: ${JSON.stringify(id)}`, [{ field: 'id', message: 'letters, digits and _ . : - (at most 100)' }]);
  if (graph.held(id)) throw new CmdbError('conflict', `CI ${id} already exists`);
  await claimValues(db, graph, id, uniqueValues(cls, attributes));
  const now = new Date().toISOString();
  const record: CiRecord = { id, class: cls.name, attributes, tags, sources: sourcesFor(input.attributes, ctx.source), version: 1, createdAt: now, updatedAt: now };
  await commitCi(db, record, {}, 'create', ctx);
  return record;
}

export interface CiChange {
  /** Attributes to set (others keep their values); null clears one. */
  attributes?: Record<string, unknown>;
  tags?: string[];
  /** Optimistic concurrency: the version the caller saw (If-Match). */
  expectedVersion?: number;
}

async function current(db: Connection, id: string, expectedVersion?: number): Promise<{ model: ResolvedModel; graph: CmdbGraph; ci: CiRecord }> {
  const [model, graph] = await Promise.all([loadModel(db), cmdbGraph(db)]);
  const ci = graph.ci(id);
  if (!ci) throw new CmdbError('not_found', `no CI ${id}`);
  if (expectedVersion !== undefined && expectedVersion !== ci.version) throw new CmdbError('stale', `CI ${id} is at version ${ci.version}, not ${expectedVersion}: reload it and try again`);
  return { model, graph, ci };
}

export async function updateCi(db: Connection, id: string, change: CiChange, ctx: WriteContext, operation: HistoryOperation = 'update'): Promise<CiRecord> {
  const { model, graph, ci } = await current(db, id, change.expectedVersion);
  const cls = model.classes.get(ci.class)!;
  const merged = { ...ci.attributes, ...(change.attributes ?? {}) };
  const tags = change.tags ? [...new Set(change.tags)] : ci.tags;
  const attributes = checkCi(model, graph, cls, merged, tags);
  const changed = attributeChanges(ci.attributes, attributes);
  if (Object.keys(changed).length === 0 && JSON.stringify(tags) === JSON.stringify(ci.tags)) return ci;
  const before = uniqueValues(cls, ci.attributes);
  const after = uniqueValues(cls, attributes);
  await claimValues(db, graph, id, after);
  const record: CiRecord = { ...ci, attributes, tags, sources: { ...ci.sources, ...sourcesFor(changed, ctx.source) }, version: ci.version + 1, updatedAt: new Date().toISOString() };
  await commitCi(db, record, ci.attributes, operation, ctx);
  const kept = new Set(after.map((u) => `${u.attribute}=${String(u.value)}`));
  await releaseValues(db, id, before.filter((u) => !kept.has(`${u.attribute}=${String(u.value)}`)));
  return record;
}

/** Soft delete: lifecycle retired, history and relations kept. */
export function retireCi(db: Connection, id: string, ctx: WriteContext, expectedVersion?: number): Promise<CiRecord> {
  return updateCi(db, id, { attributes: { lifecycle: 'retired' }, expectedVersion }, ctx, 'retire');
}

/** Hard delete (admins): the CI and its relations go; their history stays. */
export async function deleteCi(db: Connection, id: string, ctx: WriteContext, expectedVersion?: number): Promise<CiRecord> {
  const { model, graph, ci } = await current(db, id, expectedVersion);
  for (const relation of [...graph.relationsOf(id, 'out'), ...graph.relationsOf(id, 'in')]) await removeRelation(db, relation.id, ctx);
  const record: CiRecord = { ...ci, version: ci.version + 1, updatedAt: new Date().toISOString(), deleted: true };
  await commitCi(db, record, ci.attributes, 'delete', ctx);
  await releaseValues(db, id, uniqueValues(model.classes.get(ci.class)!, ci.attributes));
  return record;
}

// ---------------------------------------------------------------- relations

export interface RelationInput {
  type: string;
  source: string;
  target: string;
}

/** Checks a new relation against its type: known type, both ends exist and are allowed classes, cardinality. */
export function checkRelation(model: ResolvedModel, graph: GraphView, input: RelationInput): void {
  const type = model.relationTypes.get(input.type);
  if (!type) throw new CmdbError('invalid', `no relation type '${input.type}'`, [{ field: 'type', message: `one of ${[...model.relationTypes.keys()].join(', ')}` }]);
  const problems: Array<{ field: string; message: string }> = [];
  for (const [end, allowed] of [['source', type.sources], ['target', type.targets]] as const) {
    const ci = graph.ci(input[end]);
    if (!ci) problems.push({ field: end, message: `no CI ${input[end]}` });
    else if (!allowed.some((cls) => isA(model, ci.class, cls))) problems.push({ field: end, message: `a ${ci.class} cannot be the ${end} of ${input.type} (allowed: ${allowed.join(', ')})` });
  }
  if (input.source === input.target) problems.push({ field: 'target', message: 'a CI cannot relate to itself' });
  if (problems.length > 0) throw new CmdbError('invalid', `the relation does not fit type '${input.type}': ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  const types = new Set([input.type]);
  const onePerSource = type.cardinality === 'many_to_one' || type.cardinality === 'one_to_one';
  const onePerTarget = type.cardinality === 'one_to_many' || type.cardinality === 'one_to_one';
  const other = (rs: RelationRecord[]) => rs.find((r) => r.id !== relationId(input.type, input.source, input.target));
  const bySource = onePerSource ? other(graph.relationsOf(input.source, 'out', types)) : undefined;
  if (bySource) throw new CmdbError('conflict', `${input.source} already ${type.label} ${bySource.target}, and ${input.type} allows one (${type.cardinality}); remove that relation first`);
  const byTarget = onePerTarget ? other(graph.relationsOf(input.target, 'in', types)) : undefined;
  if (byTarget) throw new CmdbError('conflict', `${input.target} is already the target of ${input.type} from ${byTarget.source}, and ${input.type} allows one (${type.cardinality})`);
}

async function commitRelation(db: Connection, record: RelationRecord, operation: HistoryOperation, ctx: WriteContext): Promise<void> {
  await appendHistory(db, { _id: historyId('rel', record.id, record.version), entity: 'rel', entityId: record.id, version: record.version, at: record.updatedAt, actor: ctx.actor, operation, changes: {}, state: record });
  await relations(db).replaceOne({ _id: record.id }, record, { upsert: true });
  await recordEntries(db, [relationEntry(record)]);
}

/** Creates a relation; creating one that exists returns it unchanged (idempotent). */
export async function createRelation(db: Connection, input: RelationInput, ctx: WriteContext): Promise<{ relation: RelationRecord; created: boolean }> {
  const [model, graph] = await Promise.all([loadModel(db), cmdbGraph(db)]);
  const id = relationId(input.type, input.source, input.target);
  const held = graph.relation(id);
  if (held && !held.deleted) return { relation: held, created: false };
  checkRelation(model, graph, input);
  const now = new Date().toISOString();
  const record: RelationRecord = { id, type: input.type, source: input.source, target: input.target, version: (held?.version ?? 0) + 1, createdAt: now, updatedAt: now };
  await commitRelation(db, record, 'create', ctx);
  return { relation: record, created: true };
}

export async function removeRelation(db: Connection, id: string, ctx: WriteContext): Promise<RelationRecord> {
  const graph = await cmdbGraph(db);
  const held = graph.relation(id);
  if (!held || held.deleted) throw new CmdbError('not_found', `no relation ${id}`);
  const record: RelationRecord = { ...held, version: held.version + 1, updatedAt: new Date().toISOString(), deleted: true };
  await commitRelation(db, record, 'remove', ctx);
  return record;
}
