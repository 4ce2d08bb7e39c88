import { z } from 'zod';
import { classDefinitionSchema, relationTypeDefinitionSchema } from '../../runtime/catalog/cmdb';

export const ciId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'not a CI id').meta({ description: 'CI id, e.g. ci-3f2a9c1b7e40' });
export const className = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a class name is lower-case letters, digits and _').meta({ description: 'CI class, e.g. virtual_machine' });

const value = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);
const attributes = z.record(z.string(), value);
const tags = z.array(z.string()).max(50);

export const ci = z
  .object({
    id: z.string(),
    class: z.string(),
    attributes,
    tags: z.array(z.string()),
    sources: z.record(z.string(), z.string()).meta({ description: 'Which source last set each attribute' }),
    zone: z.string().nullable().meta({ description: 'The effective zone: the CI\u2019s own, else from the subnet rules of the zones' }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ConfigurationItem' });

export const newCiBody = z.strictObject({ class: className, attributes: z.record(z.string(), z.unknown()), tags: tags.optional(), id: ciId.optional() }).meta({ id: 'NewConfigurationItem' });
export const ciChangeBody = z.strictObject({ attributes: z.record(z.string(), z.unknown()).optional(), tags: tags.optional() }).meta({ id: 'ConfigurationItemChange' });

export const relation = z
  .object({ id: z.string(), type: z.string(), source: z.string(), target: z.string(), version: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Relation' });
export const newRelationBody = z.strictObject({ type: className, source: ciId, target: ciId }).meta({ id: 'NewRelation' });

export const historyEntry = z
  .object({
    version: z.number().int(),
    at: z.string(),
    actor: z.object({ type: z.string(), id: z.string() }),
    operation: z.string(),
    changes: z.record(z.string(), z.object({ before: value, after: value })),
    state: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CmdbHistoryEntry' });

/** A selector: see docs/cmdb.md#selectors (checked against the model by the handler). */
export const selector = z.record(z.string(), z.unknown()).meta({ id: 'CiSelector', description: 'CI selector (docs/cmdb.md#selectors): class, where, tags, related, any, not, ids, includeRetired' });

export const queryBody = z
  .strictObject({
    selector,
    limit: z.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page' }),
  })
  .meta({ id: 'CmdbQuery' });

export const ciPage = z.object({ items: z.array(ci), total: z.number().int(), nextCursor: z.string().nullable() }).meta({ id: 'CiPage' });

export const targetPreview = z
  .object({
    count: z.number().int(),
    byZone: z.record(z.string(), z.number().int()).meta({ description: 'Targets per zone ("" for none): each zone runs on its own workers' }),
    withoutZone: z.number().int(),
    targets: z.array(z.object({ id: z.string(), name: z.string().nullable(), class: z.string(), zone: z.string().nullable(), address: z.string().nullable() })),
    truncated: z.boolean(),
  })
  .meta({ id: 'TargetPreview' });

export const topologyQuery = z.strictObject({
  direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
  depth: z.coerce.number().int().min(1).max(10).default(2),
  types: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((t) => t.trim()).filter(Boolean) : undefined))
    .meta({ description: 'Comma-separated relation types' }),
});

export const topology = z
  .object({ root: z.string(), nodes: z.array(z.object({ ci, depth: z.number().int() })), edges: z.array(relation), truncated: z.boolean() })
  .meta({ id: 'Topology' });

export const impactBody = z
  .strictObject({
    failing: z.array(ciId).min(1).max(100),
    depth: z.number().int().min(1).max(10).default(6),
    highlight: z.array(className).default(['application', 'business_system']),
  })
  .meta({ id: 'ImpactRequest' });

const impacted = z.object({ ci, effect: z.enum(['down', 'degraded']), depth: z.number().int(), via: relation.nullable() });
export const impact = z
  .object({ failing: z.array(z.string()), impacted: z.array(impacted), highlights: z.record(z.string(), z.array(impacted)), truncated: z.boolean() })
  .meta({ id: 'Impact' });

export const classChangeQuery = z.strictObject({
  dryRun: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').meta({ description: 'Only report what the change would do' }),
  force: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').meta({ description: 'Apply even though existing CIs would violate the new class' }),
});

export const classReport = z
  .object({
    applied: z.boolean(),
    checked: z.number().int().meta({ description: 'CIs of the class and its subclasses checked' }),
    violations: z.number().int().meta({ description: 'How many of them would not fit the changed class' }),
    examples: z.array(z.object({ id: z.string(), name: z.string().nullable(), errors: z.array(z.object({ field: z.string(), message: z.string() })) })),
  })
  .meta({ id: 'ClassChangeReport' });

export { classDefinitionSchema, relationTypeDefinitionSchema };
