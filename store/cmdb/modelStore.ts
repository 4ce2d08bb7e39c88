import type { Connection } from 'mongoose';
import { type ClassDefinition, type CmdbModel, type RelationTypeDefinition, resolveModel, type ResolvedModel } from '../../domain/cmdb/model';

/**
 * The CMDB model as stored: one document per class and per relation type, plus a version
 * document every change bumps (read by `_id`, so checking freshness is one cheap lookup).
 * A new store is seeded from catalog/cmdb/model.yaml; what is already stored is kept, so a
 * cmdb admin's edits survive a restart, and classes new in the catalog are added.
 */

/** `definition` is JSON text: FerretDB stores no nested arrays, and identification rules are lists of lists. */
interface DefinitionDoc {
  _id: string;
  definition: string;
  updatedAt: string;
  updatedBy: string;
}

interface MetaDoc {
  _id: 'model';
  version: number;
  sourcePriority: string[];
}

const collections = (db: Connection) => ({
  classes: db.collection<DefinitionDoc>('cmdb_classes'),
  relationTypes: db.collection<DefinitionDoc>('cmdb_relation_types'),
  meta: db.collection<MetaDoc>('cmdb_model'),
});

const cache = new WeakMap<Connection, { version: number; model: ResolvedModel }>();
const DUPLICATE_KEY = 11000;

async function insertMissing(collection: ReturnType<typeof collections>['classes'], definitions: Record<string, unknown>, at: string): Promise<void> {
  const stored = new Set((await collection.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  const missing = Object.entries(definitions).filter(([name]) => !stored.has(name));
  if (missing.length === 0) return;
  try {
    await collection.insertMany(missing.map(([name, definition]) => ({ _id: name, definition: JSON.stringify(definition), updatedAt: at, updatedBy: 'catalog' })), { ordered: false });
  } catch (error) {
    // Another process seeded the same classes at the same moment.
    const errors = (error as { writeErrors?: Array<{ code?: number }> }).writeErrors ?? [error as { code?: number }];
    if (!errors.every((e) => e.code === DUPLICATE_KEY)) throw error;
  }
}

/** Adds the catalog's classes and relation types the store does not have yet. */
export async function seedModel(db: Connection, catalog: CmdbModel): Promise<void> {
  const { classes, relationTypes, meta } = collections(db);
  const at = new Date().toISOString();
  await insertMissing(classes, catalog.classes, at);
  await insertMissing(relationTypes, catalog.relationTypes, at);
  await meta.updateOne({ _id: 'model' }, { $setOnInsert: { sourcePriority: catalog.sourcePriority }, $inc: { version: 1 } }, { upsert: true });
}

/** The stored model, resolved; cached per process until its version changes. */
export async function loadModel(db: Connection): Promise<ResolvedModel> {
  const { classes, relationTypes, meta } = collections(db);
  const current = await meta.findOne({ _id: 'model' });
  if (!current) throw new Error('the CMDB model is not seeded yet (seedModel runs at start)');
  const held = cache.get(db);
  if (held && held.version === current.version) return held.model;
  const [classDocs, typeDocs] = await Promise.all([classes.find({}).toArray(), relationTypes.find({}).toArray()]);
  const model = resolveModel({
    sourcePriority: current.sourcePriority,
    classes: Object.fromEntries(classDocs.map((d) => [d._id, JSON.parse(d.definition) as ClassDefinition])),
    relationTypes: Object.fromEntries(typeDocs.map((d) => [d._id, JSON.parse(d.definition) as RelationTypeDefinition])),
  });
  cache.set(db, { version: current.version, model });
  return model;
}

/** Stores one class or relation type (already checked as part of a whole model) and bumps the model version. */
export async function saveDefinition(db: Connection, kind: 'class' | 'relationType', name: string, definition: ClassDefinition | RelationTypeDefinition, by: string): Promise<void> {
  const { classes, relationTypes, meta } = collections(db);
  const collection = kind === 'class' ? classes : relationTypes;
  await collection.replaceOne({ _id: name }, { definition: JSON.stringify(definition), updatedAt: new Date().toISOString(), updatedBy: by }, { upsert: true });
  await meta.updateOne({ _id: 'model' }, { $inc: { version: 1 } });
}
