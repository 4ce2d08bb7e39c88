import type { Connection } from 'mongoose';
import YAML from 'yaml';
import type { z } from 'zod';
import type { DefinitionIssue, RunbookDefinition, ScriptDefinition } from '../../domain/automation/runbook';
import { diffLines, unifiedDiff } from '../../domain/automation/textDiff';
import { checkSelector } from '../../domain/cmdb/selector';
import type { Catalog } from '../../runtime/catalog';
import {
  discardDraft,
  findEntry,
  LibraryError,
  type LibraryDefinition,
  type LibraryEntry,
  type LibraryKind,
  type LibraryVersion,
  listEntries,
  listVersions,
  pinScripts,
  publishDraft,
  publishedVersion,
  saveDraft,
} from '../../store/automation/library';
import type { AuditRecorder } from '../audit';
import { cmdbAccess } from '../cmdb';
import { ConflictError, NotFoundError, PreconditionFailedError, Problem } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { diffQuery, libraryListQuery, libraryParams, librarySchemas, publishBody, versionParams } from '../schemas/automationLibrary';
import { runbookDefinition, scriptDefinition } from '../schemas/runbook';
import { expectedVersion } from '../ticketAccess';

const TAG = 'automation';
const ETAG = { ETag: 'The draft revision, for If-Match' };
const IF_MATCH = { 'If-Match': 'ETag (draft revision) the change is based on (optional)' };

/** What differs between the two kinds: their path, their schema, how a version reads as text, and what else publishing checks. */
interface KindSpec<K extends LibraryKind> {
  kind: K;
  plural: 'runbooks' | 'scripts';
  title: 'Runbook' | 'Script';
  definition: z.ZodType<LibraryDefinition<K>>;
  /** Top-level fields the diff lists on their own. */
  fields: readonly string[];
  compared: 'yaml' | 'body';
  text(definition: LibraryDefinition<K>): string;
  extension(definition: LibraryDefinition<K>): string;
  /** How a draft would be published (runbooks: scripts pinned), for the diff against it. */
  preview(definition: LibraryDefinition<K>): Promise<LibraryDefinition<K>>;
  check?(definition: RunbookDefinition | ScriptDefinition): Promise<DefinitionIssue[]>;
}

// ---------------------------------------------------------------- a runbook as YAML

const RUNBOOK_ORDER = ['name', 'description', 'risk', 'allowedRoles', 'parameters', 'secretParameters', 'targets', 'strategy', 'steps'];
const STEP_ORDER = ['id', 'name', 'type', 'command', 'script', 'args', 'env', 'duration', 'message', 'approvers', 'expression', 'then', 'else', 'timeout', 'onError', 'idempotent', 'retries'];
const ORDER: Record<string, string[]> = {
  '': RUNBOOK_ORDER,
  'steps.*': STEP_ORDER,
  'steps.*.script': ['id', 'version', 'language', 'body'],
  strategy: ['parallelism', 'serial', 'maxFailPercentage', 'hostTimeout'],
  parameters: ['type', 'required', 'x-order', 'properties'],
  'parameters.properties.*': ['type', 'title', 'description'],
  'targets.selector': ['class', 'ids', 'where', 'tags', 'related', 'any', 'not', 'includeRetired'],
};

/**
 * The same keys in the same order for the same content, however it was written: the known
 * keys in the format's order, the others alphabetically, except a form's fields, which
 * keep their declaration order because that is their order on screen.
 */
function inStableOrder(value: unknown, path: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => inStableOrder(item, [...path, '*']));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const where = path.join('.');
  const generic = path.length === 3 && path[0] === 'parameters' && path[1] === 'properties' ? 'parameters.properties.*' : where;
  const known = ORDER[generic] ?? [];
  const keys =
    where === 'parameters.properties'
      ? Object.keys(object)
      : [...known.filter((key) => Object.hasOwn(object, key)), ...Object.keys(object).filter((key) => !known.includes(key)).sort()];
  return Object.fromEntries(keys.map((key) => [key, inStableOrder(object[key], [...path, key])]));
}

export function runbookYaml(definition: RunbookDefinition): string {
  return YAML.stringify(inStableOrder(definition), { lineWidth: 0, aliasDuplicateObjects: false });
}

const SCRIPT_EXTENSION: Record<ScriptDefinition['language'], string> = { sh: 'sh', bash: 'bash', python: 'py', powershell: 'ps1' };

// ---------------------------------------------------------------- errors

/** Runs a library call, turning its errors into problem+json answers. */
async function libraryCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof LibraryError)) throw error;
    switch (error.kind) {
      case 'invalid':
        throw new Problem(422, 'Cannot be published', error.message, { errors: error.errors.map((e) => ({ field: `draft.${e.path}`, message: e.message })) });
      case 'not_found':
        throw new NotFoundError(error.message);
      case 'conflict':
        throw new ConflictError(error.message);
      case 'stale':
        throw new PreconditionFailedError(error.message);
    }
  }
}

// ---------------------------------------------------------------- routes

/**
 * The automation library (docs/automation-library.md): scripts and runbooks with drafts,
 * immutable published versions and diffs, under /automation/scripts and
 * /automation/runbooks. `libraryReady` publishes what changed in catalog/runbooks before
 * the first request (api/automationLibraryShipping.ts, shared with the runs and schedules).
 */
export function automationLibraryRoutes({ db, audit, catalog, libraryReady: ready }: { db: Connection; audit: AuditRecorder; catalog: Catalog; libraryReady: () => Promise<void> }): AnyRoute[] {
  const cmdb = cmdbAccess(db, catalog.cmdb);

  const checkTargets = async (definition: RunbookDefinition | ScriptDefinition): Promise<DefinitionIssue[]> =>
    checkSelector((definition as RunbookDefinition).targets.selector, await cmdb.model(), 'targets.selector').map(({ path, message }) => ({ path, message }));

  const runbooks: KindSpec<'runbook'> = {
    kind: 'runbook',
    plural: 'runbooks',
    title: 'Runbook',
    definition: runbookDefinition,
    fields: ['name', 'description', 'risk'],
    compared: 'yaml',
    text: runbookYaml,
    extension: () => 'yaml',
    async preview(definition) {
      const pinned = await pinScripts(db, definition);
      return pinned.issues.length ? definition : pinned.definition;
    },
    check: checkTargets,
  };
  const scripts: KindSpec<'script'> = {
    kind: 'script',
    plural: 'scripts',
    title: 'Script',
    definition: scriptDefinition,
    fields: ['name', 'description', 'language'],
    compared: 'body',
    text: (definition) => definition.body,
    extension: (definition) => SCRIPT_EXTENSION[definition.language],
    preview: async (definition) => definition,
  };
  const deps = { db, audit, ready };
  return [...kindRoutes(runbooks, deps), ...kindRoutes(scripts, deps)];
}

interface Side<K extends LibraryKind> {
  version: number | 'draft';
  hash: string;
  definition: LibraryDefinition<K>;
}

function kindRoutes<K extends LibraryKind>(spec: KindSpec<K>, { db, audit, ready }: { db: Connection; audit: AuditRecorder; ready: () => Promise<void> }): AnyRoute[] {
  const { kind, plural, title } = spec;
  const base = `/automation/${plural}`;
  const schemas = librarySchemas(title);
  const what = kind;

  async function held(id: string): Promise<LibraryEntry<LibraryDefinition<K>>> {
    await ready();
    const found = await findEntry(db, kind, id);
    if (!found) throw new NotFoundError(`no ${what} ${id}`);
    return found;
  }

  const list = defineRoute({
    method: 'get',
    path: base,
    operationId: `list${title}s`,
    summary: `${title}s in the library by id, with their latest version and whether they have a draft`,
    tag: TAG,
    permission: 'automation.read',
    query: libraryListQuery,
    responses: { 200: { description: `A page of ${what}s`, schema: schemas.page } },
    async handler({ query, res }) {
      await ready();
      const { items, next } = await listEntries(db, kind, { q: query.q, limit: query.limit, after: query.cursor });
      res.json({ items, nextCursor: next });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: `${base}/:id`,
    operationId: `get${title}`,
    summary: `One ${what}: its latest published version and its draft`,
    tag: TAG,
    permission: 'automation.read',
    params: libraryParams,
    responses: { 200: { description: `The ${what}`, schema: schemas.entry, headers: ETAG } },
    async handler({ params, res }) {
      const entry = await held(params.id);
      res.setHeader('ETag', `"${entry.revision}"`).json(entry);
    },
  });

  const saveDraftRoute = defineRoute({
    method: 'put',
    path: `${base}/:id/draft`,
    operationId: `save${title}Draft`,
    summary: `Save the draft of a ${what}, creating the ${what} when the id is new. If-Match guards against lost updates`,
    tag: TAG,
    permission: 'automation.author',
    params: libraryParams,
    body: spec.definition,
    headers: IF_MATCH,
    responses: {
      200: { description: `The ${what} with its saved draft`, schema: schemas.entry, headers: ETAG },
      201: { description: `A new ${what}, with its first draft`, schema: schemas.entry, headers: { Location: `URL of the ${what}`, ...ETAG } },
    },
    async handler({ params, body, req, res }) {
      await ready();
      const before = await findEntry(db, kind, params.id);
      const entry = await libraryCall(() => saveDraft(db, kind, params.id, body, { by: req.principal!.username, expectedRevision: expectedVersion(req) }));
      await audit(req, {
        action: `automation.${kind}.draft.save`,
        target: { type: kind, id: params.id },
        diff: { revision: { before: before?.revision, after: entry.revision }, draft: { before: before?.draft?.hash, after: entry.draft!.hash } },
        outcome: 'success',
        ...(!before && { detail: `new ${what}` }),
      });
      if (!before) res.status(201).location(`${req.baseUrl}${base}/${params.id}`);
      res.setHeader('ETag', `"${entry.revision}"`).json(entry);
    },
  });

  const discard = defineRoute({
    method: 'delete',
    path: `${base}/:id/draft`,
    operationId: `discard${title}Draft`,
    summary: `Throw away the draft of a ${what}; its published versions stay`,
    tag: TAG,
    permission: 'automation.author',
    params: libraryParams,
    headers: IF_MATCH,
    responses: { 204: { description: 'Discarded', headers: ETAG } },
    async handler({ params, req, res }) {
      await ready();
      const before = await findEntry(db, kind, params.id);
      const after = await libraryCall(() => discardDraft(db, kind, params.id, { expectedRevision: expectedVersion(req) }));
      await audit(req, { action: `automation.${kind}.draft.discard`, target: { type: kind, id: params.id }, diff: { revision: { before: before?.revision, after: after.revision }, draft: { before: before?.draft?.hash } }, outcome: 'success' });
      res.status(204).setHeader('ETag', `"${after.revision}"`).end();
    },
  });

  const publish = defineRoute({
    method: 'post',
    path: `${base}/:id/publish`,
    operationId: `publish${title}`,
    summary:
      kind === 'runbook'
        ? 'Publish the draft as the next version: its script references are pinned and its target selector is checked against the CMDB model (422 naming each problem)'
        : 'Publish the draft as the next version',
    tag: TAG,
    permission: 'automation.author',
    params: libraryParams,
    body: publishBody,
    headers: IF_MATCH,
    responses: { 201: { description: 'The new version; the draft is cleared', schema: schemas.version, headers: { Location: 'URL of the version', ...ETAG } } },
    async handler({ params, body, req, res }) {
      await ready();
      const before = await findEntry(db, kind, params.id);
      const version = await libraryCall(() => publishDraft(db, kind, params.id, { note: body.note, by: req.principal!.username, expectedRevision: expectedVersion(req), check: spec.check }));
      await audit(req, {
        action: `automation.${kind}.publish`,
        target: { type: kind, id: params.id },
        diff: { version: { before: before?.latest?.version, after: version.version }, hash: { before: before?.latest?.hash, after: version.hash } },
        outcome: 'success',
        detail: body.note,
      });
      const after = await findEntry(db, kind, params.id);
      res
        .status(201)
        .location(`${req.baseUrl}${base}/${params.id}/versions/${version.version}`)
        .setHeader('ETag', `"${after?.revision ?? 0}"`)
        .json(version);
    },
  });

  const versions = defineRoute({
    method: 'get',
    path: `${base}/:id/versions`,
    operationId: `list${title}Versions`,
    summary: `The published versions of a ${what}, newest first, with author, time and change note`,
    tag: TAG,
    permission: 'automation.read',
    params: libraryParams,
    responses: { 200: { description: 'Versions', schema: schemas.versions } },
    async handler({ params, res }) {
      await held(params.id);
      res.json({ items: await listVersions(db, kind, params.id) });
    },
  });

  const version = defineRoute({
    method: 'get',
    path: `${base}/:id/versions/:version`,
    operationId: `get${title}Version`,
    summary: `One published version of a ${what}; it never changes`,
    tag: TAG,
    permission: 'automation.read',
    params: versionParams,
    responses: { 200: { description: 'The version', schema: schemas.version } },
    async handler({ params, res }) {
      await ready();
      const found = await publishedVersion(db, kind, params.id, params.version);
      if (!found) throw new NotFoundError(`${what} ${params.id} has no version ${params.version}`);
      res.setHeader('Cache-Control', 'private, max-age=31536000, immutable').json(found);
    },
  });

  const diff = defineRoute({
    method: 'get',
    path: `${base}/:id/diff`,
    operationId: `diff${title}`,
    summary: kind === 'runbook' ? 'Line diff between two versions, or a version and the draft, of the runbook rendered as YAML' : 'Line diff between two versions, or a version and the draft, of the script body',
    tag: TAG,
    permission: 'automation.read',
    params: libraryParams,
    query: diffQuery,
    responses: { 200: { description: 'The diff', schema: schemas.diff } },
    async handler({ params, query, res }) {
      const entry = await held(params.id);
      const to = query.to ?? (entry.draft ? 'draft' : entry.latestVersion);
      if (to === null) throw new NotFoundError(`${what} ${params.id} has neither a draft nor a version`);
      const from = query.from ?? (to === 'draft' ? entry.latestVersion : to > 1 ? to - 1 : null);
      const sides = await Promise.all([from, to].map((side) => sideOf(entry, side)));
      const [a, b] = sides as [Side<K> | null, Side<K>];
      const changed = Object.fromEntries(
        spec.fields.flatMap((field) => {
          const before = a ? (a.definition as unknown as Record<string, unknown>)[field] : undefined;
          const after = (b.definition as unknown as Record<string, unknown>)[field];
          return JSON.stringify(before) === JSON.stringify(after) ? [] : [[field, { before, after }]];
        }),
      );
      const lines = diffLines(a ? spec.text(a.definition) : '', spec.text(b.definition), { context: query.context });
      const label = (s: Side<K> | null) => (s ? `${params.id}@${s.version}.${spec.extension(s.definition)}` : '/dev/null');
      res.json({
        kind,
        id: params.id,
        from: a ? { version: a.version, hash: a.hash } : null,
        to: { version: b.version, hash: b.hash },
        compared: spec.compared,
        fields: changed,
        ...lines,
        unified: unifiedDiff(lines, label(a), label(b)),
      });
    },
  });

  async function sideOf(entry: LibraryEntry<LibraryDefinition<K>>, side: number | 'draft' | null): Promise<Side<K> | null> {
    if (side === null) return null;
    if (side === 'draft') {
      if (!entry.draft) throw new NotFoundError(`${what} ${entry.id} has no draft`);
      return { version: 'draft', hash: entry.draft.hash, definition: await spec.preview(entry.draft.definition) };
    }
    const found = side === entry.latest?.version ? entry.latest : ((await publishedVersion(db, kind as LibraryKind, entry.id, side)) as LibraryVersion<LibraryDefinition<K>> | null);
    if (!found) throw new NotFoundError(`${what} ${entry.id} has no version ${side}`);
    return { version: found.version, hash: found.hash, definition: found.definition };
  }

  return [list, get, saveDraftRoute, discard, publish, versions, version, diff];
}
