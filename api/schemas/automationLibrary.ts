import { z } from 'zod';
import { RISK_LEVELS } from '../../domain/automation/runbook';
import { libraryId } from './runbook';

/**
 * The library API's requests and answers, one set per kind (runbooks, scripts) with the
 * same shapes. Definitions in requests are `runbookDefinition` / `scriptDefinition`
 * (api/schemas/runbook.ts); in answers they are shown as stored.
 */

export const libraryParams = z.strictObject({ id: libraryId });
export const versionParams = z.strictObject({ id: libraryId, version: z.coerce.number().int().min(1).meta({ description: 'A published version number' }) });

export const libraryListQuery = z.strictObject({
  q: z.string().trim().max(200).optional().meta({ description: 'Words in the id or the name (case-insensitive)' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^[a-z0-9-]{1,64}$/, 'not a cursor this API returned').optional().meta({ description: 'nextCursor of the previous page' }),
});

export const publishBody = z
  .strictObject({ note: z.string().trim().min(1, 'say what changed: the note is kept with the version').max(2000, 'must be at most 2,000 characters') })
  .meta({ id: 'PublishRequest', description: 'Publishing a draft: the change note kept with the new version' });

const side = z.union([z.literal('draft'), z.coerce.number().int().min(1)]);
export const diffQuery = z.strictObject({
  from: side.optional().meta({ description: 'A version number, or draft; default: the version before `to` (the latest when `to` is the draft)' }),
  to: side.optional().meta({ description: 'A version number, or draft; default: the draft when there is one, else the latest version' }),
  context: z.coerce.number().int().min(0).max(50).default(3).meta({ description: 'Unchanged lines around each change' }),
});

const when = z.string().meta({ description: 'ISO 8601 time' });

/** The schemas of one kind, named for the OpenAPI document (`RunbookEntry`, `ScriptVersion`, …). */
export function librarySchemas(title: 'Runbook' | 'Script') {
  const definition = z.record(z.string(), z.unknown()).meta({ description: `A ${title}Definition, as in the draft request body` });
  const draftSummary = z.object({ savedBy: z.string(), savedAt: when, basedOn: z.number().int().nullable().meta({ description: 'The latest version when the draft was saved' }) });
  const common = {
    kind: z.enum(['runbook', 'script']),
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    ...(title === 'Runbook' && { risk: z.enum(RISK_LEVELS) }),
    latestVersion: z.number().int().nullable(),
    publishedAt: when.nullable(),
    publishedBy: z.string().nullable(),
    revision: z.number().int().meta({ description: 'The draft revision; the ETag for If-Match on draft changes and publishing' }),
    createdAt: when,
    createdBy: z.string(),
  };
  const versionSummary = z.object({ kind: z.enum(['runbook', 'script']), id: z.string(), version: z.number().int(), note: z.string(), author: z.string(), publishedAt: when, hash: z.string().meta({ description: 'SHA-256 of the definition as canonical JSON' }) });
  const version = versionSummary.extend({ definition }).meta({ id: `${title}Version`, description: `A published ${title.toLowerCase()} version: immutable` });
  const diffLine = z.object({ op: z.enum(['context', 'removed', 'added']), text: z.string(), from: z.number().int().optional(), to: z.number().int().optional(), noNewline: z.literal(true).optional() });
  const sideOf = z.object({ version: z.union([z.number().int(), z.literal('draft')]), hash: z.string() });
  const summary = z.object({ ...common, draft: draftSummary.nullable() }).meta({ id: `${title}EntrySummary`, description: `A ${title.toLowerCase()} in the library, as listed` });
  return {
    summary,
    page: z.object({ items: z.array(summary), nextCursor: z.string().nullable().meta({ description: 'The cursor of the next page; null on the last' }) }),
    entry: z
      .object({ ...common, latest: version.nullable(), draft: draftSummary.extend({ definition, hash: z.string() }).nullable() })
      .meta({ id: `${title}Entry`, description: `A ${title.toLowerCase()}: its latest published version and its draft` }),
    version,
    versions: z.object({ items: z.array(versionSummary) }),
    diff: z
      .object({
        kind: z.enum(['runbook', 'script']),
        id: z.string(),
        from: sideOf.nullable().meta({ description: 'Null when there is no earlier version: the diff is against nothing' }),
        to: sideOf,
        compared: z.enum(['yaml', 'body']).meta({ description: 'What the line diff compares: the runbook rendered as YAML, or the script body' }),
        fields: z.record(z.string(), z.object({ before: z.unknown().optional(), after: z.unknown().optional() })).meta({ description: 'Changed top-level fields at a glance (name, description, risk, language)' }),
        added: z.number().int(),
        removed: z.number().int(),
        exact: z.boolean().meta({ description: 'False when the inputs were too different for the shortest diff and part of it is a plain replacement' }),
        hunks: z.array(z.object({ fromStart: z.number().int(), fromCount: z.number().int(), toStart: z.number().int(), toCount: z.number().int(), lines: z.array(diffLine) })),
        unified: z.string().meta({ description: 'The same diff as unified-diff text' }),
      })
      .meta({ id: `${title}Diff`, description: `What changed between two versions (or a version and the draft) of a ${title.toLowerCase()}` }),
  };
}
