import { createHash } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';
import { canonicalEncode } from '../../domain/audit';
import { type DefinitionIssue, type RiskLevel, type RunbookDefinition, type ScriptDefinition, type ScriptLanguage, scriptReferences } from '../../domain/automation/runbook';
import type { ShippedLibrary } from '../../runtime/catalog/runbooks';

/**
 * The automation library: scripts and runbooks, each an entry with at most one editable
 * draft (collection `automation_library`) and a series of published versions
 * (`automation_versions`). A version document is inserted once and never updated or
 * deleted: this module has no code that would, which is what makes published versions
 * immutable. A run pins the version it starts with (`publishedVersion`).
 *
 * Uniqueness comes from the `_id` primary key, the one constraint every MongoDB-wire
 * server enforces atomically (docs/adr/001-ticket-numbers.md): a version is
 * `<kind>:<id>:<version>`, so two concurrent publishes can never both make version 3; the
 * loser re-reads and retries, or finds that nothing changed. Draft revisions are claimed
 * the same way (`automation_draft_claims`), so optimistic concurrency on drafts holds on
 * FerretDB too, where a conditional update is a read followed by a write.
 *
 * Definitions are stored as JSON text (FerretDB stores no nested arrays, and form
 * schemas may hold keys like `x-order`), in the order they were written, so a form's
 * fields keep their declaration order. `hash` is the SHA-256 of their canonical JSON
 * (keys sorted), so the same content always has the same hash.
 */

export type LibraryKind = 'runbook' | 'script';
export const LIBRARY_KINDS: readonly LibraryKind[] = ['runbook', 'script'];

export type LibraryDefinition<K extends LibraryKind> = K extends 'runbook' ? RunbookDefinition : ScriptDefinition;

export interface LibraryVersion<D> {
  kind: LibraryKind;
  id: string;
  version: number;
  definition: D;
  note: string;
  author: string;
  publishedAt: string;
  hash: string;
}

/** The one editable draft of an entry. */
export interface LibraryDraft<D> {
  definition: D;
  hash: string;
  savedBy: string;
  savedAt: string;
  /** The latest published version when the draft was saved; null for a new entry. */
  basedOn: number | null;
}

/** An entry as listed: what it is called and where its versions and draft stand. */
export interface LibraryEntrySummary {
  kind: LibraryKind;
  id: string;
  /** From the latest version; from the draft while nothing is published. */
  name: string;
  description?: string;
  risk?: RiskLevel;
  latestVersion: number | null;
  publishedAt: string | null;
  publishedBy: string | null;
  /** Bumped by every change to the draft (save, discard, publish): the ETag of drafts. */
  revision: number;
  draft: Omit<LibraryDraft<unknown>, 'definition' | 'hash'> | null;
  createdAt: string;
  createdBy: string;
}

export interface LibraryEntry<D> extends Omit<LibraryEntrySummary, 'draft'> {
  latest: LibraryVersion<D> | null;
  draft: LibraryDraft<D> | null;
}

/**
 * What a library call can fail with; the API maps each to a problem+json answer:
 * invalid → 422 (the draft cannot be published, per field), not_found → 404,
 * conflict → 409 (nothing to publish, nothing changed), stale → 412 (If-Match).
 */
export class LibraryError extends Error {
  override readonly name = 'LibraryError';
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'conflict' | 'stale',
    message: string,
    /** Per-field problems of the definition: `steps.2.script.id`, … */
    readonly errors: DefinitionIssue[] = [],
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- documents

interface VersionDocument {
  _id: string;
  kind: LibraryKind;
  id: string;
  version: number;
  /** JSON text. */
  definition: string;
  hash: string;
  note: string;
  author: string;
  publishedAt: string;
  /** Published from the catalog: the hash of the file's content (and of its scripts), to see a file change. */
  source?: string;
}

interface DraftDocument {
  definition: string;
  hash: string;
  savedBy: string;
  savedAt: string;
  basedOn: number | null;
}

interface EntryDocument {
  _id: string;
  kind: LibraryKind;
  id: string;
  name: string;
  /** Null rather than absent, so that a version without one clears the listing's copy. */
  description: string | null;
  risk: RiskLevel | null;
  latestVersion: number | null;
  publishedAt: string | null;
  publishedBy: string | null;
  revision: number;
  draft: DraftDocument | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

const versionSchema = new Schema<VersionDocument>(
  {
    _id: String,
    kind: { type: String, required: true },
    id: { type: String, required: true },
    version: { type: Number, required: true },
    definition: { type: String, required: true },
    hash: { type: String, required: true },
    note: { type: String, required: true },
    author: { type: String, required: true },
    publishedAt: { type: String, required: true },
    source: String,
  },
  { collection: 'automation_versions', versionKey: false },
);
// The `_id` already makes (kind, id, version) unique everywhere; the index serves "latest version" reads.
versionSchema.index({ kind: 1, id: 1, version: 1 }, { unique: true });

const draftSchema = new Schema<DraftDocument>(
  { definition: String, hash: String, savedBy: String, savedAt: String, basedOn: { type: Number, default: null } },
  { _id: false },
);
const entrySchema = new Schema<EntryDocument>(
  {
    _id: String,
    kind: { type: String, required: true },
    id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: null },
    risk: { type: String, default: null },
    latestVersion: { type: Number, default: null },
    publishedAt: { type: String, default: null },
    publishedBy: { type: String, default: null },
    revision: { type: Number, required: true },
    draft: { type: draftSchema, default: null },
    createdAt: { type: String, required: true },
    createdBy: { type: String, required: true },
    updatedAt: { type: String, required: true },
  },
  { collection: 'automation_library', versionKey: false },
);
entrySchema.index({ kind: 1, id: 1 });

const claimSchema = new Schema<{ _id: string; at: string }>({ _id: String, at: String }, { collection: 'automation_draft_claims', versionKey: false });

function models(db: Connection) {
  return {
    entries: db.models.AutomationLibraryEntry ?? db.model<EntryDocument>('AutomationLibraryEntry', entrySchema),
    versions: db.models.AutomationVersion ?? db.model<VersionDocument>('AutomationVersion', versionSchema),
    claims: db.models.AutomationDraftClaim ?? db.model('AutomationDraftClaim', claimSchema),
  };
}

const DUPLICATE_KEY = 11000;
/** Publishes racing for the same entry; each lost race costs one read and one insert. */
const MAX_ATTEMPTS = 20;
const isDuplicate = (error: unknown) => (error as { code?: number }).code === DUPLICATE_KEY;

const entryKey = (kind: LibraryKind, id: string) => `${kind}:${id}`;
const versionKey = (kind: LibraryKind, id: string, version: number) => `${kind}:${id}:${version}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The content hash of a definition: SHA-256 of its canonical JSON, whatever order its keys came in. */
export function libraryHash(definition: unknown): string {
  return sha256(canonicalEncode(definition));
}

function toVersion<D>(doc: VersionDocument): LibraryVersion<D> {
  return { kind: doc.kind, id: doc.id, version: doc.version, definition: JSON.parse(doc.definition) as D, note: doc.note, author: doc.author, publishedAt: doc.publishedAt, hash: doc.hash };
}

function toSummary(doc: EntryDocument): LibraryEntrySummary {
  return {
    kind: doc.kind,
    id: doc.id,
    name: doc.name,
    ...(typeof doc.description === 'string' && { description: doc.description }),
    ...(doc.risk && { risk: doc.risk }),
    latestVersion: doc.latestVersion ?? null,
    publishedAt: doc.publishedAt ?? null,
    publishedBy: doc.publishedBy ?? null,
    revision: doc.revision,
    draft: doc.draft ? { savedBy: doc.draft.savedBy, savedAt: doc.draft.savedAt, basedOn: doc.draft.basedOn ?? null } : null,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
  };
}

const KIND_NAMES: Record<LibraryKind, string> = { runbook: 'runbook', script: 'script' };

/** What a definition shows in listings. */
function summaryOf(kind: LibraryKind, definition: RunbookDefinition | ScriptDefinition): Pick<EntryDocument, 'name' | 'description' | 'risk'> {
  return { name: definition.name, description: definition.description ?? null, risk: kind === 'runbook' ? (definition as RunbookDefinition).risk : null };
}

// ---------------------------------------------------------------- published versions

/** A published version; `version` omitted: the latest. Null when there is none. */
export function publishedVersion(db: Connection, kind: 'runbook', id: string, version?: number): Promise<LibraryVersion<RunbookDefinition> | null>;
export function publishedVersion(db: Connection, kind: 'script', id: string, version?: number): Promise<LibraryVersion<ScriptDefinition> | null>;
export function publishedVersion(db: Connection, kind: LibraryKind, id: string, version?: number): Promise<LibraryVersion<RunbookDefinition | ScriptDefinition> | null>;
export async function publishedVersion(db: Connection, kind: LibraryKind, id: string, version?: number): Promise<LibraryVersion<RunbookDefinition | ScriptDefinition> | null> {
  const doc = await versionDocument(db, kind, id, version);
  return doc && toVersion(doc);
}

async function versionDocument(db: Connection, kind: LibraryKind, id: string, version?: number): Promise<VersionDocument | null> {
  const { versions } = models(db);
  if (version !== undefined) return versions.findById(versionKey(kind, id, version)).lean<VersionDocument>().exec();
  return versions.findOne({ kind, id }).sort({ version: -1 }).lean<VersionDocument>().exec();
}

/** Every published version of an entry, newest first, without their definitions. */
export async function listVersions(db: Connection, kind: LibraryKind, id: string): Promise<Array<Omit<LibraryVersion<never>, 'definition'>>> {
  const docs = await models(db).versions.find({ kind, id }, { definition: 0, source: 0 }).sort({ version: -1 }).lean<VersionDocument[]>().exec();
  return docs.map(({ kind: k, id: i, version, note, author, publishedAt, hash }) => ({ kind: k, id: i, version, note, author, publishedAt, hash }));
}

// ---------------------------------------------------------------- entries

export async function findEntry<K extends LibraryKind>(db: Connection, kind: K, id: string): Promise<LibraryEntry<LibraryDefinition<K>> | null> {
  const [doc, latest] = await Promise.all([models(db).entries.findById(entryKey(kind, id)).lean<EntryDocument>().exec(), versionDocument(db, kind, id)]);
  if (!doc) return null;
  const summary = toSummary(doc);
  // The version collection is the truth; the entry's copy of the latest is for listings.
  return {
    ...summary,
    ...(latest && { latestVersion: latest.version, publishedAt: latest.publishedAt, publishedBy: latest.author }),
    latest: latest && toVersion<LibraryDefinition<K>>(latest),
    draft: doc.draft ? { definition: JSON.parse(doc.draft.definition) as LibraryDefinition<K>, hash: doc.draft.hash, savedBy: doc.draft.savedBy, savedAt: doc.draft.savedAt, basedOn: doc.draft.basedOn ?? null } : null,
  };
}

export interface EntryQuery {
  /** Words in the id or the name, case-insensitive. */
  q?: string;
  limit?: number;
  /** The last id of the previous page. */
  after?: string;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Entries of a kind by id, a page at a time; `next` is the cursor of the following page. */
export async function listEntries(db: Connection, kind: LibraryKind, { q, limit = 100, after }: EntryQuery = {}): Promise<{ items: LibraryEntrySummary[]; next: string | null }> {
  const text = q?.trim();
  const pattern = text ? { $regex: escapeRegex(text), $options: 'i' } : undefined;
  const filter = {
    kind,
    ...(after !== undefined && { id: { $gt: after } }),
    ...(pattern && { $or: [{ id: pattern }, { name: pattern }] }),
  };
  const docs = await models(db)
    .entries.find(filter, { 'draft.definition': 0 })
    .sort({ id: 1 })
    .limit(limit + 1)
    .lean<EntryDocument[]>()
    .exec();
  const page = docs.slice(0, limit);
  return { items: page.map(toSummary), next: docs.length > limit ? page[page.length - 1]!.id : null };
}

/** Creates an entry without a draft unless it exists (a concurrent creation is as good). */
async function ensureEntry(db: Connection, kind: LibraryKind, id: string, definition: RunbookDefinition | ScriptDefinition, by: string, at: string): Promise<void> {
  const { entries } = models(db);
  if (await entries.exists({ _id: entryKey(kind, id) })) return;
  const doc: EntryDocument = { _id: entryKey(kind, id), kind, id, ...summaryOf(kind, definition), latestVersion: null, publishedAt: null, publishedBy: null, revision: 0, draft: null, createdAt: at, createdBy: by, updatedAt: at };
  try {
    await entries.create(doc);
  } catch (error) {
    if (!isDuplicate(error)) throw error;
  }
}

/**
 * Moves an entry from `current.revision` to the next one with `set`, or returns false when
 * someone else moved it first. The claim is what makes this atomic on every server.
 */
async function advanceRevision(db: Connection, current: EntryDocument, set: Partial<EntryDocument>, at: string): Promise<boolean> {
  const { entries, claims } = models(db);
  const next = current.revision + 1;
  try {
    await claims.create({ _id: `${current._id}:${next}`, at });
  } catch (error) {
    if (isDuplicate(error)) return false;
    throw error;
  }
  const result = await entries.updateOne({ _id: current._id, revision: current.revision }, { $set: { ...set, revision: next, updatedAt: at } }).exec();
  return result.matchedCount > 0;
}

export interface DraftOptions {
  by: string;
  /** The revision the change is based on (If-Match); omitted: whatever the draft is now. */
  expectedRevision?: number;
  now?: Date;
}

function stale(kind: LibraryKind, id: string, revision: number, expected: number): LibraryError {
  return new LibraryError('stale', `the draft of ${KIND_NAMES[kind]} ${id} is at revision ${revision}, not ${expected}; read it again`);
}

/**
 * Saves the draft of an entry, creating the entry when it is new (that is how a new
 * runbook or script starts). The definition must already be valid (api/schemas/runbook.ts).
 */
export async function saveDraft<K extends LibraryKind>(db: Connection, kind: K, id: string, definition: LibraryDefinition<K>, { by, expectedRevision, now = new Date() }: DraftOptions): Promise<LibraryEntry<LibraryDefinition<K>>> {
  const { entries } = models(db);
  const at = now.toISOString();
  const key = entryKey(kind, id);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let current = await entries.findById(key).lean<EntryDocument>().exec();
    if (!current) {
      if (expectedRevision !== undefined && expectedRevision !== 0) throw new LibraryError('stale', `there is no ${KIND_NAMES[kind]} ${id} yet, so it has no revision ${expectedRevision}`);
      await ensureEntry(db, kind, id, definition, by, at);
      current = await entries.findById(key).lean<EntryDocument>().exec();
      if (!current) continue;
    }
    if (expectedRevision !== undefined && expectedRevision !== current.revision) throw stale(kind, id, current.revision, expectedRevision);
    const latest = await versionDocument(db, kind, id);
    const draft: DraftDocument = { definition: JSON.stringify(definition), hash: libraryHash(definition), savedBy: by, savedAt: at, basedOn: latest?.version ?? null };
    if (await advanceRevision(db, current, { draft, ...(!latest && summaryOf(kind, definition)) }, at)) return (await findEntry(db, kind, id))!;
    if (expectedRevision !== undefined) throw new LibraryError('stale', `the draft of ${KIND_NAMES[kind]} ${id} was changed by someone else meanwhile; read it again`);
  }
  throw new LibraryError('conflict', `the draft of ${KIND_NAMES[kind]} ${id} is being changed by others right now; try again`);
}

/** Throws away the draft; the published versions stay as they are. */
export async function discardDraft(db: Connection, kind: LibraryKind, id: string, { expectedRevision, now = new Date() }: Omit<DraftOptions, 'by'>): Promise<LibraryEntrySummary> {
  const { entries } = models(db);
  const at = now.toISOString();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await entries.findById(entryKey(kind, id)).lean<EntryDocument>().exec();
    if (!current) throw new LibraryError('not_found', `no ${KIND_NAMES[kind]} ${id}`);
    if (expectedRevision !== undefined && expectedRevision !== current.revision) throw stale(kind, id, current.revision, expectedRevision);
    if (!current.draft) throw new LibraryError('not_found', `${KIND_NAMES[kind]} ${id} has no draft`);
    if (await advanceRevision(db, current, { draft: null }, at)) return { ...toSummary(current), revision: current.revision + 1, draft: null };
    if (expectedRevision !== undefined) throw new LibraryError('stale', `the draft of ${KIND_NAMES[kind]} ${id} was changed by someone else meanwhile; read it again`);
  }
  throw new LibraryError('conflict', `the draft of ${KIND_NAMES[kind]} ${id} is being changed by others right now; try again`);
}

// ---------------------------------------------------------------- publishing

/**
 * A runbook with each library script reference pinned: a step naming a script without a
 * version gets the script's latest published version; a named version must exist.
 * `issues` name the steps whose script cannot be pinned.
 */
export async function pinScripts(db: Connection, definition: RunbookDefinition): Promise<{ definition: RunbookDefinition; issues: DefinitionIssue[] }> {
  const issues: DefinitionIssue[] = [];
  const steps = [...definition.steps];
  const latest = new Map<string, number | null>();
  for (const ref of scriptReferences(definition)) {
    const step = steps[ref.step]!;
    const where = `step '${step.id}' (steps.${ref.step})`;
    if (!latest.has(ref.id)) latest.set(ref.id, (await versionDocument(db, 'script', ref.id))?.version ?? null);
    const newest = latest.get(ref.id)!;
    if (newest === null) {
      const drafted = await models(db).entries.exists({ _id: entryKey('script', ref.id) });
      issues.push({
        path: `steps.${ref.step}.script.id`,
        message: drafted ? `${where} uses script '${ref.id}', which has no published version yet; publish it first` : `${where} uses script '${ref.id}', which is not in the library`,
      });
      continue;
    }
    if (ref.version !== undefined) {
      if (ref.version > newest || !(await versionDocument(db, 'script', ref.id, ref.version))) {
        issues.push({ path: `steps.${ref.step}.script.version`, message: `${where} uses version ${ref.version} of script '${ref.id}', which has no such version (its latest is ${newest})` });
      }
      continue;
    }
    steps[ref.step] = { ...step, script: { id: ref.id, version: newest } } as typeof step;
  }
  return { definition: { ...definition, steps }, issues };
}

export interface PublishOptions {
  note: string;
  by: string;
  /** The draft revision the caller looked at (If-Match); omitted: the draft as it is now. */
  expectedRevision?: number;
  /** More checks of the definition about to be published (a runbook's selector against the CMDB model); issues refuse it. */
  check?: (definition: RunbookDefinition | ScriptDefinition) => Promise<DefinitionIssue[]>;
  now?: Date;
}

type Published = { published: VersionDocument } | { unchanged: VersionDocument };

/** Inserts the next version unless the latest has the same content; retries when another publish took the number. */
async function publishDefinition(
  db: Connection,
  kind: LibraryKind,
  id: string,
  draft: RunbookDefinition | ScriptDefinition,
  { note, by, now, source, check }: { note: string; by: string; now: Date; source?: string; check?: PublishOptions['check'] },
): Promise<Published> {
  const { versions, entries } = models(db);
  await versions.init();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const latest = await versionDocument(db, kind, id);
    const pinned = kind === 'runbook' ? await pinScripts(db, draft as RunbookDefinition) : { definition: draft, issues: [] };
    const issues = [...pinned.issues, ...(check && attempt === 0 ? await check(pinned.definition) : [])];
    if (issues.length) throw new LibraryError('invalid', `${KIND_NAMES[kind]} ${id} cannot be published: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    const hash = libraryHash(pinned.definition);
    if (latest?.hash === hash) return { unchanged: latest };
    const version = (latest?.version ?? 0) + 1;
    const doc: VersionDocument = {
      _id: versionKey(kind, id, version),
      kind,
      id,
      version,
      definition: JSON.stringify(pinned.definition),
      hash,
      note,
      author: by,
      publishedAt: now.toISOString(),
      ...(source && { source }),
    };
    try {
      await versions.create(doc);
    } catch (error) {
      if (isDuplicate(error)) continue;
      throw error;
    }
    // The listing's copy of the latest version; a newer publish may already have written its own.
    await entries
      .updateOne(
        { _id: entryKey(kind, id), $or: [{ latestVersion: null }, { latestVersion: { $lt: version } }] },
        { $set: { ...summaryOf(kind, pinned.definition), latestVersion: version, publishedAt: doc.publishedAt, publishedBy: by, updatedAt: doc.publishedAt } },
      )
      .exec();
    return { published: doc };
  }
  throw new LibraryError('conflict', `${KIND_NAMES[kind]} ${id} is being published by others right now; try again`);
}

/**
 * Publishes the draft as the next version, with a change note, and clears the draft.
 * Refused: no draft (409), the same content as the latest version (409), a stale
 * `expectedRevision` (412), unpinnable scripts or a failing `check` (422).
 */
export async function publishDraft<K extends LibraryKind>(db: Connection, kind: K, id: string, { note, by, expectedRevision, check, now = new Date() }: PublishOptions): Promise<LibraryVersion<LibraryDefinition<K>>> {
  const { entries } = models(db);
  const current = await entries.findById(entryKey(kind, id)).lean<EntryDocument>().exec();
  if (!current) throw new LibraryError('not_found', `no ${KIND_NAMES[kind]} ${id}`);
  if (expectedRevision !== undefined && expectedRevision !== current.revision) throw stale(kind, id, current.revision, expectedRevision);
  if (!current.draft) {
    const latest = current.latestVersion ?? (await versionDocument(db, kind, id))?.version;
    throw new LibraryError('conflict', `${KIND_NAMES[kind]} ${id} has no draft to publish${latest ? `: nothing changed since version ${latest}` : ''}; save a draft first`);
  }
  const draft = JSON.parse(current.draft.definition) as LibraryDefinition<K>;
  const result = await publishDefinition(db, kind, id, draft, { note, by, now, check });
  if ('unchanged' in result) throw new LibraryError('conflict', `nothing changed since version ${result.unchanged.version}: the draft is the same as it`);
  // Clears the draft it published; a draft saved meanwhile is newer work and stays.
  await advanceRevision(db, current, { draft: null }, now.toISOString());
  return toVersion(result.published);
}

// ---------------------------------------------------------------- the shipped library

const EXTENSION: Record<ScriptLanguage, string> = { sh: '.sh', bash: '.bash', python: '.py', powershell: '.ps1' };

/**
 * Publishes the catalog's scripts, then its runbooks (whose script references pin to the
 * scripts just published), each as a new version authored by `catalog` when its file
 * changed since the catalog last published it. A version someone published through the
 * API is not overwritten at every start: the file wins only when the file changes. Safe to
 * run from several processes at once: the version `_id` lets one insert win, and the
 * others find the content already there. Returns `<kind>/<id>@<version>` for each publish.
 */
export async function syncShippedLibrary(db: Connection, shipped: ShippedLibrary, now = new Date()): Promise<{ published: string[] }> {
  const published: string[] = [];
  const scriptSource = new Map<string, string>();
  const sync = async (kind: LibraryKind, id: string, definition: RunbookDefinition | ScriptDefinition, source: string, file: string) => {
    const { versions } = models(db);
    const last = await versions.findOne({ kind, id, source: { $exists: true } }, { source: 1 }).sort({ version: -1 }).lean<VersionDocument>().exec();
    if (last?.source === source) return;
    await ensureEntry(db, kind, id, definition, 'catalog', now.toISOString());
    const result = await publishDefinition(db, kind, id, definition, { note: `from catalog/runbooks/${file}`, by: 'catalog', now, source });
    if ('published' in result) published.push(`${kind}/${id}@${result.published.version}`);
  };
  for (const { id, definition } of shipped.scripts) {
    const source = libraryHash(definition);
    scriptSource.set(id, source);
    await sync('script', id, definition, source, `scripts/${id}${EXTENSION[definition.language]}`);
  }
  for (const { id, definition } of shipped.runbooks) {
    // A shipped runbook follows its shipped scripts: a changed script file republishes it, pinned to the new script.
    const scripts = Object.fromEntries(scriptReferences(definition).map((ref) => [ref.id, scriptSource.get(ref.id) ?? null]));
    await sync('runbook', id, definition, libraryHash({ definition, scripts }), `${id}.yaml`);
  }
  return { published };
}
