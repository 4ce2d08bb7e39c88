import { z } from 'zod';
import { CATALOG_ITEM_ID, CATALOG_ITEM_ID_MAX, FIELD_TYPES, STRING_FORMATS } from '../../domain/catalogItem';

export const catalogItemId = z
  .string()
  .max(CATALOG_ITEM_ID_MAX, `must be at most ${CATALOG_ITEM_ID_MAX} characters`)
  .regex(CATALOG_ITEM_ID, 'must be a catalog item id: lower-case letters, digits and single dashes, like vpn-access')
  .meta({ example: 'vpn-access' });

const answer = z.union([z.string(), z.number(), z.boolean()]);

const formField = z
  .object({
    type: z.enum(FIELD_TYPES),
    title: z.string(),
    description: z.string().optional(),
    enum: z.array(answer).optional(),
    format: z.enum(STRING_FORMATS).optional(),
    minLength: z.number().int().optional(),
    maxLength: z.number().int().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    pattern: z.string().optional().meta({ description: 'Regular expression (Unicode, unanchored)' }),
    default: answer.optional(),
    'x-widget': z.literal('textarea').optional(),
  })
  .meta({ id: 'FormField', description: 'One field of a catalog form (a JSON Schema subset)' });

export const formSchema = z
  .object({
    type: z.literal('object'),
    properties: z.record(z.string(), formField),
    required: z.array(z.string()).optional(),
    'x-order': z.array(z.string()).optional().meta({ description: 'Field order on screen; unlisted fields follow' }),
  })
  .meta({ id: 'FormSchema' });

const approvers = z.union([z.literal('manager'), z.literal('manager_of_manager'), z.object({ users: z.array(z.string()) }), z.object({ group: z.string() })]);

export const catalogItem = z
  .object({
    id: catalogItemId,
    name: z.string(),
    category: z.string(),
    description: z.string(),
    keywords: z.array(z.string()),
    form: formSchema,
    approval: z.object({
      levels: z
        .array(
          z.object({
            name: z.string(),
            approvers: approvers.meta({ description: "The requester's manager (or theirs), named users, or the members of a group" }),
            mode: z
              .union([z.object({ type: z.enum(['any', 'all']) }), z.object({ type: z.literal('percentage'), percent: z.number() }), z.object({ type: z.literal('at_least'), count: z.number().int() })])
              .meta({ description: 'any: one approval decides; all: every approver; percentage / at_least: a quorum' }),
            rejectWhen: z.enum(['any_rejection', 'quorum_impossible']).optional(),
            due: z.string().optional().meta({ description: "How long the level may stay undecided, e.g. '2d'" }),
            onDue: z.enum(['approve', 'reject', 'escalate']).optional(),
            escalateTo: approvers.optional(),
          }),
        )
        .meta({ description: 'Levels decided one after another; empty: no approval needed' }),
    }),
    fulfilment: z.object({ group: z.string(), tasks: z.array(z.object({ title: z.string(), group: z.string() })) }),
    order: z.number().int(),
  })
  .meta({ id: 'CatalogItem' });

export const catalogItemList = z
  .object({
    items: z.array(catalogItem).meta({ description: 'Matching items, best match first (catalog order without a search)' }),
    categories: z.array(z.string()).meta({ description: 'Every category of the catalog, whatever the filter' }),
  })
  .meta({ id: 'CatalogItemList' });

export const listCatalogQuery = z.strictObject({
  q: z.string().trim().max(200, 'must be at most 200 characters').optional().meta({ description: 'Words to search for in name, keywords, category and description' }),
  category: z.string().trim().max(100, 'must be at most 100 characters').optional().meta({ description: 'Only items of this category (case-insensitive)' }),
});
