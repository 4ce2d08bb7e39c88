import type { Connection } from 'mongoose';
import { attributeChanges, type Attributes, checkAttribute, type AttributeValue } from '../../domain/cmdb/attributes';
import { type CiRecord, type CmdbGraph, type GraphView, relationId, type RelationRecord } from '../../domain/cmdb/graph';
import { IdentificationIndex } from '../../domain/cmdb/identification';
import type { ImportCi, ImportInput } from '../../domain/cmdb/importRows';
import type { ResolvedClass, ResolvedModel } from '../../domain/cmdb/model';
import { reconcile, type ReconcileConflict } from '../../domain/cmdb/reconcile';
import { claimKey, claimMany } from './claims';
import { CmdbError } from './errors';
import { type Actor, historyId, type HistoryEntry } from './history';
import { loadModel } from './modelStore';
import { ciEntry, cmdbGraph, cmdbLog, type CmdbEntry, relationEntry } from './replica';
import { checkCi, checkRelation, newCiId, sourcesFor, uniqueValues } from './writes';

/**
 * Bulk import of CIs and relations (JSON or CSV, from the API, the CLI, a sync job or a
 * benchmark): every row is identified against the stored CIs by its class's identification
 * rules, so a re-import updates instead of duplicating; values are reconciled by source
 * priority; a dry run reports what would be created, updated, left unchanged or rejected,
 * and why, without writing. Writes go in bulk: inserts in batches, and one segment of the
 * graph's log for the lot.
 */

export type { ImportCi, ImportInput, ImportRelation } from '../../domain/cmdb/importRows';

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface ImportRow {
  row: number;
  ref?: string;
  id?: string;
  outcome: RowOutcome;
  errors?: Array<{ field: string; message: string }>;
  conflicts?: ReconcileConflict[];
}

export interface ImportReport {
  dryRun: boolean;
  cis: Record<RowOutcome, number>;
  relations: { created: number; existing: number; rejected: number };
  /** Rows that were rejected, updated or had conflicts (up to `maxRows`); plain creations are only counted, unless `allRows`. */
  rows: ImportRow[];
  relationErrors: Array<{ row: number; errors: Array<{ field: string; message: string }> }>;
  rowsTruncated: boolean;
}

export interface ImportOptions {
  dryRun?: boolean;
  actor: Actor;
  /** The source the values count as for reconciliation (import, sync, ssh, snmp). */
  source?: string;
  maxRows?: number;
  /** List every row in the report, created and unchanged ones too (small imports such as one discovered host). */
  allRows?: boolean;
  /** Told how far the import got (long imports). */
  progress?: (message: string) => void;
}

/** The stored graph plus what this import is about to write, for validation. */
class Overlay implements GraphView {
  readonly cis = new Map<string, CiRecord>();
  readonly relations = new Map<string, RelationRecord>();
  private readonly out = new Map<string, RelationRecord[]>();
  private readonly in = new Map<string, RelationRecord[]>();

  constructor(private readonly graph: CmdbGraph) {}

  ci(id: string) {
    return this.cis.get(id) ?? this.graph.ci(id);
  }

  relation(id: string) {
    return this.relations.get(id) ?? this.graph.relation(id);
  }

  relationsOf(id: string, direction: 'out' | 'in', types?: ReadonlySet<string>) {
    const mine = (direction === 'out' ? this.out : this.in).get(id) ?? [];
    return [...this.graph.relationsOf(id, direction, types), ...mine.filter((r) => !types || types.has(r.type))];
  }

  addRelation(relation: RelationRecord) {
    this.relations.set(relation.id, relation);
    for (const [index, key] of [[this.out, relation.source], [this.in, relation.target]] as const) index.set(key, [...(index.get(key) ?? []), relation]);
  }
}

const BATCH = 1000;

async function insertInBatches<T extends { _id: string }>(db: Connection, collection: string, docs: T[]): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) await db.collection<T>(collection).insertMany(docs.slice(i, i + BATCH) as never[], { ordered: true });
}

/** The row's attributes that are set, checked one by one (identification needs them normalized before the full check). */
function offeredValues(cls: ResolvedClass, attributes: Record<string, unknown>): { values: Record<string, AttributeValue>; errors: Array<{ field: string; message: string }> } {
  const values: Record<string, AttributeValue> = {};
  const errors: Array<{ field: string; message: string }> = [];
  for (const [name, raw] of Object.entries(attributes)) {
    if (raw === undefined || raw === '') continue;
    const spec = cls.attributes[name];
    if (!spec) {
      errors.push({ field: `attributes.${name}`, message: `class '${cls.name}' has no attribute '${name}'` });
      continue;
    }
    const checked = checkAttribute(name, raw, { ...spec, required: false });
    if (checked.errors.length) errors.push(...checked.errors.map((e) => ({ field: `attributes.${e.attribute}`, message: e.message })));
    else values[name] = checked.value;
  }
  return { values, errors };
}

export async function importCmdb(db: Connection, input: ImportInput, options: ImportOptions): Promise<ImportReport> {
  const source = options.source ?? 'import';
  const maxRows = options.maxRows ?? 1000;
  const [model, graph] = await Promise.all([loadModel(db), cmdbGraph(db)]);
  const overlay = new Overlay(graph);
  const index = new IdentificationIndex(model);
  const holders = new Map<string, string>();
  for (const ci of graph.allCis()) {
    index.add(ci);
    for (const u of uniqueValues(model.classes.get(ci.class)!, ci.attributes)) holders.set(claimKey(u), ci.id);
  }
  const report: ImportReport = { dryRun: options.dryRun === true, cis: { created: 0, updated: 0, unchanged: 0, rejected: 0 }, relations: { created: 0, existing: 0, rejected: 0 }, rows: [], relationErrors: [], rowsTruncated: false };
  const refs = new Map<string, string>();
  const before = new Map<string, Attributes>();
  const outcomeOf = new Map<string, ImportRow>();
  const note = (row: ImportRow) => {
    report.cis[row.outcome]++;
    if (!options.allRows && (row.outcome === 'created' || row.outcome === 'unchanged') && !row.conflicts?.length) return;
    if (report.rows.length < maxRows) report.rows.push(row);
    else report.rowsTruncated = true;
  };
  const now = new Date().toISOString();

  for (const [i, item] of input.cis.entries()) {
    if (i > 0 && i % 20_000 === 0) options.progress?.(`checked ${i} of ${input.cis.length} CIs`);
    const at = { row: i, ref: item.ref };
    const cls = model.classes.get(item.class);
    if (!cls || cls.abstract) {
      note({ ...at, outcome: 'rejected', errors: [{ field: 'class', message: cls ? `'${item.class}' is abstract` : `no class '${item.class}'` }] });
      continue;
    }
    try {
      const row = withReferences(cls, item, refs);
      const record = placeRow(model, overlay, index, cls, row, source, now, before);
      const { values } = offeredValues(cls, row.attributes);
      const taken = uniqueValues(cls, record.attributes).find((u) => (holders.get(claimKey(u)) ?? record.id) !== record.id);
      if (taken) throw new CmdbError('conflict', 'not unique', [{ field: `attributes.${taken.attribute}`, message: `must be unique among ${taken.scope} CIs; ${holders.get(claimKey(taken))} has it` }]);
      for (const u of uniqueValues(cls, record.attributes)) holders.set(claimKey(u), record.id);
      const stored = overlay.ci(record.id);
      const outcome: RowOutcome = !stored ? 'created' : record === stored ? 'unchanged' : 'updated';
      const conflicts = stored ? reconcile(model, cls, stored.attributes, stored.sources, values, source).conflicts : [];
      if (record !== stored) {
        overlay.cis.set(record.id, record);
        index.add(record);
      }
      if (item.ref) refs.set(item.ref, record.id);
      const noted = { ...at, id: record.id, outcome, ...(conflicts.length && { conflicts }) };
      outcomeOf.set(record.id, noted);
      note(noted);
    } catch (error) {
      if (!(error instanceof CmdbError)) throw error;
      note({ ...at, outcome: 'rejected', errors: error.errors.length ? error.errors : [{ field: 'row', message: error.message }] });
    }
  }

  for (const [i, item] of (input.relations ?? []).entries()) {
    const resolved = { type: item.type, source: refs.get(item.source) ?? item.source, target: refs.get(item.target) ?? item.target };
    const id = relationId(resolved.type, resolved.source, resolved.target);
    const held = overlay.relation(id);
    if (held && !held.deleted) {
      report.relations.existing++;
      continue;
    }
    try {
      checkRelation(model, overlay, resolved);
      overlay.addRelation({ id, ...resolved, version: (held?.version ?? 0) + 1, createdAt: now, updatedAt: now });
      report.relations.created++;
    } catch (error) {
      if (!(error instanceof CmdbError)) throw error;
      report.relations.rejected++;
      if (report.relationErrors.length < maxRows) report.relationErrors.push({ row: i, errors: error.errors.length ? error.errors : [{ field: 'row', message: error.message }] });
    }
  }

  if (!options.dryRun) await writeImport(db, model, graph, overlay, before, outcomeOf, report, options);
  return report;
}

/** Reference attributes may name a row of the same import by its ref. */
function withReferences(cls: ResolvedClass, item: ImportCi, refs: Map<string, string>): ImportCi {
  const attributes = { ...item.attributes };
  for (const [name, spec] of Object.entries(cls.attributes)) {
    if (spec.type !== 'reference' || attributes[name] === undefined || attributes[name] === null) continue;
    const resolve = (v: unknown) => (typeof v === 'string' ? (refs.get(v) ?? v) : v);
    attributes[name] = Array.isArray(attributes[name]) ? (attributes[name] as unknown[]).map(resolve) : resolve(attributes[name]);
  }
  return { ...item, attributes };
}

/** The row as a CI record: a new one, the stored one updated by reconciliation, or the stored one unchanged. */
function placeRow(model: ResolvedModel, overlay: Overlay, index: IdentificationIndex, cls: ResolvedClass, item: ImportCi, source: string, now: string, before: Map<string, Attributes>): CiRecord {
  const { values, errors } = offeredValues(cls, item.attributes);
  if (errors.length) throw new CmdbError('invalid', 'invalid attributes', errors);
  const tags = [...new Set(item.tags ?? [])];
  const existingId = index.find(cls, values);
  const existing = existingId ? overlay.ci(existingId) : undefined;
  if (!existing) {
    const attributes = checkCi(model, overlay, cls, item.attributes, tags);
    return { id: newCiId(), class: cls.name, attributes, tags, sources: sourcesFor(values, source), version: 0, createdAt: now, updatedAt: now };
  }
  const existingClass = model.classes.get(existing.class)!;
  const { changes } = reconcile(model, existingClass, existing.attributes, existing.sources, values, source);
  const mergedTags = [...new Set([...existing.tags, ...tags])];
  if (Object.keys(changes).length === 0 && mergedTags.length === existing.tags.length) return existing;
  const attributes = checkCi(model, overlay, existingClass, { ...existing.attributes, ...changes }, mergedTags);
  if (!before.has(existing.id)) before.set(existing.id, existing.attributes);
  const stored = overlay.cis.get(existing.id);
  // A second row for a CI this import already creates or changes: fold it into that record.
  const version = stored ? stored.version : existing.version + 1;
  return { ...existing, attributes, tags: mergedTags, sources: { ...existing.sources, ...sourcesFor(changes, source) }, version, updatedAt: now };
}

async function writeImport(db: Connection, model: ResolvedModel, graph: CmdbGraph, overlay: Overlay, before: Map<string, Attributes>, outcomeOf: Map<string, ImportRow>, report: ImportReport, options: ImportOptions): Promise<void> {
  const records = [...overlay.cis.values()].map((r) => (r.version === 0 ? { ...r, version: 1 } : r));
  const wanted = records.flatMap((r) => uniqueValues(model.classes.get(r.class)!, r.attributes).map((value) => ({ ci: r.id, value })));
  const refused = await claimMany(db, graph, wanted);
  const accepted = records.filter((r) => !refused.has(r.id));
  for (const [id, error] of refused) {
    const row = outcomeOf.get(id);
    if (!row) continue;
    report.cis[row.outcome]--;
    report.cis.rejected++;
    const listed = report.rows.indexOf(row);
    const rejected: ImportRow = { ...row, outcome: 'rejected', errors: error.errors };
    if (listed >= 0) report.rows[listed] = rejected;
    else report.rows.push(rejected);
  }
  const created = accepted.filter((r) => r.version === 1);
  const updated = accepted.filter((r) => r.version > 1);
  options.progress?.(`writing ${created.length} new and ${updated.length} changed CIs`);
  const ciHistory: HistoryEntry[] = accepted.map((r) => ({
    _id: historyId('ci', r.id, r.version),
    entity: 'ci',
    entityId: r.id,
    version: r.version,
    at: r.updatedAt,
    actor: options.actor,
    operation: r.version === 1 ? 'create' : 'update',
    changes: attributeChanges(before.get(r.id) ?? {}, r.attributes),
    state: r,
  }));
  await insertInBatches(db, 'cmdb_history', ciHistory);
  await insertInBatches(db, 'cmdb_cis', created.map((r) => ({ _id: r.id, ...r })));
  for (const r of updated) await db.collection<CiRecord & { _id: string }>('cmdb_cis').replaceOne({ _id: r.id }, r, { upsert: true });

  const relations = [...overlay.relations.values()].filter((r) => !refused.has(r.source) && !refused.has(r.target));
  options.progress?.(`writing ${relations.length} relations`);
  const relHistory: HistoryEntry[] = relations.map((r) => ({ _id: historyId('rel', r.id, r.version), entity: 'rel', entityId: r.id, version: r.version, at: r.updatedAt, actor: options.actor, operation: 'create', changes: {}, state: r }));
  await insertInBatches(db, 'cmdb_history', relHistory);
  await insertInBatches(db, 'cmdb_relations', relations.filter((r) => r.version === 1).map((r) => ({ _id: r.id, ...r })));
  for (const r of relations.filter((x) => x.version > 1)) await db.collection<RelationRecord & { _id: string }>('cmdb_relations').replaceOne({ _id: r.id }, r, { upsert: true });

  const entries: CmdbEntry[] = [...accepted.map(ciEntry), ...relations.map(relationEntry)];
  // Large imports skip the change log: one segment for the lot is far cheaper for every reader.
  if (entries.length > 2000) await cmdbLog.compact(db, { extra: entries });
  else await cmdbLog.record(db, entries);
}
