import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ATTRIBUTE_TYPES, CARDINALITIES, type CmdbModel, CmdbModelError, PROPAGATIONS, resolveModel, type ResolvedModel } from '../../domain/cmdb/model';

/** Where the shipped CMDB model lives inside a catalog folder. */
export const CMDB_MODEL_FILE = path.join('cmdb', 'model.yaml');

export class CmdbCatalogError extends Error {
  override readonly name = 'CmdbCatalogError';
}

const name = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _, starting with a letter');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The shape of one attribute definition (domain/cmdb/model.ts checks the rest). */
export const attributeDefinitionSchema = z.strictObject({
  type: z.enum(ATTRIBUTE_TYPES),
  list: z.boolean().optional(),
  label: z.string().min(1).optional(),
  description: z.string().optional(),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  default: z.union([scalar, z.array(scalar)]).optional(),
  pattern: z.string().min(1).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  values: z.array(z.string().min(1)).min(1).optional(),
  class: name.optional(),
  sourcePriority: z.array(z.string().min(1)).min(1).optional(),
});

export const classDefinitionSchema = z.strictObject({
  label: z.string().min(1),
  description: z.string().optional(),
  parent: name.optional(),
  abstract: z.boolean().optional(),
  attributes: z.record(z.string(), attributeDefinitionSchema).optional(),
  identification: z.array(z.array(z.string().min(1))).optional(),
});

export const relationTypeDefinitionSchema = z.strictObject({
  label: z.string().min(1),
  inverseLabel: z.string().min(1),
  description: z.string().optional(),
  sources: z.array(name).min(1),
  targets: z.array(name).min(1),
  cardinality: z.enum(CARDINALITIES),
  propagates: z.enum(PROPAGATIONS),
  redundant: z.boolean().optional(),
});

export const cmdbModelSchema = z.strictObject({
  sourcePriority: z.array(z.string().min(1)).min(1),
  classes: z.record(z.string(), classDefinitionSchema),
  relationTypes: z.record(z.string(), relationTypeDefinitionSchema),
});

/**
 * Reads and checks `<dir>/cmdb/model.yaml`: the model a new store starts with. A mistake
 * throws, naming the file and the field.
 */
export function loadCmdbModel(dir: string): { definition: CmdbModel; model: ResolvedModel } {
  const filePath = path.join(dir, CMDB_MODEL_FILE);
  const shown = path.relative(process.cwd(), filePath) || filePath;
  if (!fs.existsSync(filePath)) throw new CmdbCatalogError(`${shown} is missing: the CMDB needs a model (see docs/cmdb.md)`);
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new CmdbCatalogError(`${shown}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = cmdbModelSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.map(String).join('.') || '(file)'}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`);
    throw new CmdbCatalogError(`${shown} is invalid:\n${lines.join('\n')}`);
  }
  const definition = parsed.data as CmdbModel;
  try {
    return { definition, model: resolveModel(definition) };
  } catch (error) {
    if (error instanceof CmdbModelError) throw new CmdbCatalogError(`${shown} is invalid:\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    throw error;
  }
}
