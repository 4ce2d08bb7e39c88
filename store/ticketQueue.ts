import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Priority } from '../domain/priority';
import { DONE_STATES, FINAL_STATES, isVisible, type TicketScope } from '../domain/ticket/ticket';
import { isTicketNumber, type TicketKind } from '../domain/ticketNumber';
import type { TicketDocument } from './tickets';

/**
 * The ticket queues (my work, my groups, unassigned, breaching soon, recently updated)
 * as a change log plus compacted snapshots. See docs/adr/003-queue-listing.md.
 *
 * Why not one summary document per ticket with indexes? On FerretDB 1.24 / SQLite no
 * index is ever used by a query: only `{_id: <string>}` is turned into SQL, and even that
 * is a table scan (the `_id` index is on `_ferretdb_sjson->"_id"`, the query compares
 * `_ferretdb_sjson->'$._id'`). Every filter, sort, update and delete reads and decodes
 * the whole collection. Only an insert is cheap (the unique `_id` index is checked, not
 * scanned), and a read-modify-write of one document is not atomic.
 *
 * So every write is one insert and every read is a scan of a few small collections:
 *
 *  - `ticket_queue_changes`: one document per ticket version, `_id` = `<number>:<version>`,
 *    inserted by the projection writer (upsertQueueEntry). Insert-only, so concurrent
 *    writers never lose each other's changes and a retried write is a duplicate key.
 *  - `ticket_queue_chunks`: immutable chunks of a snapshot, each a JSON string of up to
 *    CHUNK_SIZE packed summaries (one string decodes far faster than as many documents).
 *  - `ticket_queue_deltas`: the changes a snapshot merged (one JSON string), so a process
 *    that holds the previous snapshot rebuilds the new one instead of fetching its chunks.
 *  - `ticket_queue_snapshots`: one manifest per complete snapshot (its id, chunk count, and
 *    the snapshots it was made from). Inserted after its chunks and delta.
 *
 * The queue state is the last-writer-wins merge (by version) of every present snapshot and
 * every present change. Compaction merges them into a new snapshot, inserts its chunks,
 * delta and manifest, then deletes only what it read: merging is idempotent and
 * commutative, so two compactions racing in different processes are both correct. Readers
 * read the changes before the manifests, so a change deleted by a compaction is always in
 * a manifest the reader sees. Snapshots are immutable, so each process keeps them parsed:
 * a listing reads only the pending changes and the (tiny) manifests, then filters and
 * sorts in memory.
 *
 * Membership: open tickets (the work queues), resolved/fulfilled ones (still in "recently
 * updated"), and final ones (closed, cancelled, rejected) for `finalRetentionMs` after
 * they became final, as tombstones: a late retry of an older version must not bring a
 * closed ticket back. Every query, including on MongoDB, is a plain find: nothing here
 * depends on FerretDB behaviour beyond MongoDB semantics.
 */

export const QUEUE_NAMES = ['mine', 'my_groups', 'unassigned', 'breaching', 'recent', 'open', 'approvals', 'opened'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** created: newest first; updated: most recently updated first; due: soonest SLA due first. */
export const QUEUE_SORTS = ['created', 'updated', 'due'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

const DEFAULT_SORT: Record<QueueName, QueueSort> = {
  mine: 'created',
  my_groups: 'created',
  unassigned: 'created',
  breaching: 'due',
  recent: 'updated',
  open: 'created',
  approvals: 'created',
  opened: 'updated',
};

/**
 * What the queues need of a ticket. `approvers` are who must decide now (the approvals
 * queue); `watchers`, `participants` and `workingGroups` decide visibility (isVisible).
 */
export interface TicketSummary {
  number: string;
  kind: TicketKind;
  title: string;
  state: string;
  priority: Priority;
  assignmentGroup: string | null;
  assignee: string | null;
  openedBy: string;
  createdAt: string;
  updatedAt: string;
  /** The earliest due time of a running SLA clock, or null. */
  slaDueAt: string | null;
  version: number;
  watchers?: string[];
  approvers?: string[];
  participants?: string[];
  workingGroups?: string[];
}

export interface QueueFilters {
  kind?: TicketKind | TicketKind[];
  state?: string | string[];
  priority?: Priority | Priority[];
  group?: string | string[];
  assignee?: string | string[];
  /** Only tickets whose SLA is due before this time (breaching soon). */
  dueBefore?: string;
  /** A ticket number (`INC0000042`, or just `42` for any kind), or words that must all appear in the title. */
  q?: string;
}

export interface ListQueueRequest {
  queue: QueueName;
  /** The caller: `mine` lists what is assigned to them. */
  user?: string;
  /** The caller's groups: `my_groups` lists their open work. */
  groups?: readonly string[];
  /** Visibility (as isVisible): omit, or `all: true`, to see everything. */
  scope?: TicketScope;
  filters?: QueueFilters;
  sort?: QueueSort;
  cursor?: string;
  /** 1 to 200, default 50. */
  limit?: number;
  /** The time of the request (tests); default now. */
  now?: Date;
  /** Start a background compaction when this many changes are pending (default 200; 0: never). */
  compactAfter?: number;
  /** How long final tickets stay in "recent" and "opened" (default 7 days; give compactQueue the same). */
  finalRetentionMs?: number;
}

export interface QueuePage {
  items: TicketSummary[];
  nextCursor: string | null;
  /** When the paging session began: later pages leave out tickets updated after it. */
  asOf: string;
}

export class QueueCursorError extends Error {
  override readonly name = 'QueueCursorError';
}

export const QUEUE_COLLECTIONS = {
  changes: 'ticket_queue_changes',
  chunks: 'ticket_queue_chunks',
  snapshots: 'ticket_queue_snapshots',
  deltas: 'ticket_queue_deltas',
} as const;

const CHUNK_SIZE = 2000;
const DEFAULT_COMPACT_AFTER = 200;
/** Closed tickets stay in "recently updated" and the requester's list for a week, as ServiceNow's "recently resolved" views do. */
const DEFAULT_FINAL_RETENTION_MS = 7 * 24 * 3600_000;
/** Chunks of a snapshot that never got its manifest (a compaction died) are removed after this. */
const ORPHAN_AGE_MS = 10 * 60_000;
const DUPLICATE_KEY = 11000;
const MAX_LIMIT = 200;
/**
 * At most this many changes are merged (and deleted) per compaction: a delete by
 * `_id: {$in: ids}` is not pushed down on FerretDB and tests each stored change against
 * every id, so larger batches cost quadratic time. More pending changes take more rounds.
 */
const MAX_MERGED_CHANGES = 5000;

const OPEN_EXCLUDED = new Set<string>(DONE_STATES);
const FINAL = new Set<string>(FINAL_STATES);

// ---------------------------------------------------------------- stored shapes

/** A summary as stored: positional, so a snapshot chunk is one compact JSON string. */
type Packed = [
  number: string,
  version: number,
  kind: TicketKind,
  title: string,
  state: string,
  priority: Priority,
  assignmentGroup: string | null,
  assignee: string | null,
  openedBy: string,
  createdAt: string,
  updatedAt: string,
  slaDueAt: string | null,
  watchers: string[],
  approvers: string[],
  participants: string[],
  workingGroups: string[],
];

interface ChangeDoc {
  _id: string;
  /** The writer's clock when it recorded the change (diagnostics only). */
  at: string;
  e: string;
}

/** The changes a snapshot merged (packed, as one JSON string), `_id` = the snapshot id. */
interface DeltaDoc {
  _id: string;
  at: string;
  e: string;
}

interface ChunkDoc {
  _id: string;
  snap: string;
  i: number;
  at: string;
  e: string;
}

interface ManifestDoc {
  _id: string;
  at: string;
  /** The snapshots it merged: a process that has them all rebuilds it from its delta. */
  bases: string[];
  changeCount: number;
  /** Whether the changes merged are kept in `ticket_queue_deltas` (not after a large backfill). */
  delta: boolean;
  /** Final tickets updated before this were dropped. */
  finalBefore: string;
  chunks: number;
  entries: number;
}

/** A summary in memory, with what the filters need precomputed. */
interface Entry extends Required<TicketSummary> {
  open: boolean;
  final: boolean;
  titleLower: string;
  packed: Packed;
}

function pack(s: Required<TicketSummary>): Packed {
  return [s.number, s.version, s.kind, s.title, s.state, s.priority, s.assignmentGroup, s.assignee, s.openedBy, s.createdAt, s.updatedAt, s.slaDueAt, s.watchers, s.approvers, s.participants, s.workingGroups];
}

function unpack(p: Packed): Entry {
  const [number, version, kind, title, state, priority, assignmentGroup, assignee, openedBy, createdAt, updatedAt, slaDueAt, watchers, approvers, participants, workingGroups] = p;
  return {
    number,
    version,
    kind,
    title,
    state,
    priority,
    assignmentGroup,
    assignee,
    openedBy,
    createdAt,
    updatedAt,
    slaDueAt,
    watchers,
    approvers,
    participants,
    workingGroups,
    open: !OPEN_EXCLUDED.has(state),
    final: FINAL.has(state),
    titleLower: title.toLowerCase(),
    packed: p,
  };
}

function summaryOfEntry(e: Entry): TicketSummary {
  const { open: _o, final: _f, titleLower: _t, packed: _p, ...summary } = e;
  return summary;
}

function iso(value: string, field: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`${field} must be an ISO date-time, got ${JSON.stringify(value)}`);
  return new Date(time).toISOString();
}

/** Checks a summary and brings its times to one ISO format, so they compare as strings. */
function normalize(s: TicketSummary): Required<TicketSummary> {
  if (!isTicketNumber(s.number)) throw new RangeError(`not a ticket number: ${JSON.stringify(s.number)}`);
  if (!Number.isSafeInteger(s.version) || s.version < 1) throw new RangeError(`version must be a positive integer, got ${s.version}`);
  return {
    number: s.number,
    kind: s.kind,
    title: s.title,
    state: s.state,
    priority: s.priority,
    assignmentGroup: s.assignmentGroup ?? null,
    assignee: s.assignee ?? null,
    openedBy: s.openedBy,
    createdAt: iso(s.createdAt, 'createdAt'),
    updatedAt: iso(s.updatedAt, 'updatedAt'),
    slaDueAt: s.slaDueAt === null || s.slaDueAt === undefined ? null : iso(s.slaDueAt, 'slaDueAt'),
    version: s.version,
    watchers: [...(s.watchers ?? [])],
    approvers: [...(s.approvers ?? [])],
    participants: [...(s.participants ?? [])],
    // As isVisible: without working groups, the assignment group is the one that works on it.
    workingGroups: [...(s.workingGroups ?? (s.assignmentGroup ? [s.assignmentGroup] : []))],
  };
}

/** The queue summary of a stored ticket projection (store/tickets.ts toDocument). */
export function summaryOf(doc: TicketDocument): TicketSummary {
  return {
    number: doc._id,
    kind: doc.kind,
    title: doc.title,
    state: doc.state,
    priority: doc.priority,
    assignmentGroup: doc.assignmentGroup,
    assignee: doc.assignee,
    openedBy: doc.openedBy,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    slaDueAt: doc.slaDueAt,
    version: doc.version,
    watchers: doc.watchers,
    approvers: doc.approvers,
    participants: doc.participants,
    workingGroups: doc.workingGroups,
  };
}

function collections(db: Connection) {
  return {
    changes: db.collection<ChangeDoc>(QUEUE_COLLECTIONS.changes),
    chunks: db.collection<ChunkDoc>(QUEUE_COLLECTIONS.chunks),
    snapshots: db.collection<ManifestDoc>(QUEUE_COLLECTIONS.snapshots),
    deltas: db.collection<DeltaDoc>(QUEUE_COLLECTIONS.deltas),
  };
}

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === DUPLICATE_KEY;

// ---------------------------------------------------------------- writing

/**
 * Records one version of a ticket for the queues. The projection writer calls it after
 * every version it writes (and again when it retries). One insert; never a scan.
 * 'duplicate': this version was already recorded (a retry). An older version recorded
 * after a newer one is harmless: the newer version wins when the queue is read.
 */
export async function upsertQueueEntry(db: Connection, summary: TicketSummary, options: { now?: Date } = {}): Promise<'recorded' | 'duplicate'> {
  const s = normalize(summary);
  const doc: ChangeDoc = { _id: `${s.number}:${s.version}`, at: (options.now ?? new Date()).toISOString(), e: JSON.stringify(pack(s)) };
  try {
    await collections(db).changes.insertOne(doc);
    return 'recorded';
  } catch (error) {
    if (isDuplicateKey(error)) return 'duplicate';
    throw error;
  }
}

// ---------------------------------------------------------------- reading the state

interface QueueCache {
  /** Parsed snapshots by id; immutable, so valid for as long as the manifest exists. */
  snapshots: Map<string, Map<string, Entry>>;
  /** Parsed changes by id, from the last read (so each is parsed once). */
  changes: Map<string, Entry>;
  /** The merge of the current snapshots, for one set of manifest ids. */
  base?: { key: string; entries: Map<string, Entry> };
  /** The last compaction queued in this process (they run one after another). */
  compacting?: Promise<void>;
  lastCompactionError?: unknown;
}

const caches = new WeakMap<Connection, QueueCache>();

function cacheOf(db: Connection): QueueCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { snapshots: new Map(), changes: new Map() };
    caches.set(db, cache);
  }
  return cache;
}

interface QueueState {
  manifests: ManifestDoc[];
  /** The parsed snapshot of each manifest read. */
  snapshots: Map<string, Map<string, Entry>>;
  /** The pending changes read, by change id. */
  changes: Map<string, Entry>;
  /** Snapshot entries (merged) and pending changes (newest version per ticket). */
  base: Map<string, Entry>;
  overlay: Map<string, Entry>;
}

function newer(a: Entry | undefined, b: Entry): Entry {
  return a && a.version >= b.version ? a : b;
}

/** The snapshot a manifest describes, from its inputs: what compaction writes, and what a reader can rebuild. */
function mergeSnapshot(bases: Array<Map<string, Entry>>, changes: Iterable<Entry>, finalBefore: string): Map<string, Entry> {
  const merged = new Map<string, Entry>();
  for (const base of bases) for (const entry of base.values()) merged.set(entry.number, newer(merged.get(entry.number), entry));
  for (const entry of changes) merged.set(entry.number, newer(merged.get(entry.number), entry));
  for (const [number, entry] of merged) if (entry.final && entry.updatedAt < finalBefore) merged.delete(number);
  return merged;
}

/**
 * Reads the pending changes, then the manifests, then any snapshot this process has not
 * parsed yet: rebuilt from its delta when this process holds its bases (the usual case
 * after a compaction), else fetched from its chunks. A snapshot deleted meanwhile means a
 * newer one exists: read again. Concurrent reads share the cache and may evict from it, so
 * a read keeps its own references to everything it returns.
 */
async function readState(db: Connection): Promise<QueueState> {
  const cache = cacheOf(db);
  const { changes, chunks, snapshots, deltas } = collections(db);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const changeDocs = await changes.find({}, { batchSize: 5000 }).toArray();
    const manifests = await snapshots.find({}).toArray();

    const current = new Map<string, Entry>();
    for (const doc of changeDocs) current.set(doc._id, cache.changes.get(doc._id) ?? unpack(JSON.parse(doc.e) as Packed));

    const found = new Map<string, Map<string, Entry>>();
    for (const m of manifests) {
      const parsed = cache.snapshots.get(m._id);
      if (parsed) found.set(m._id, parsed);
    }
    // Rebuild what we can (oldest first, as a later one may build on an earlier one).
    for (const m of manifests.filter((x) => !found.has(x._id)).sort((a, b) => a.at.localeCompare(b.at))) {
      const bases = m.bases.map((id) => found.get(id) ?? cache.snapshots.get(id));
      if (!m.delta || !bases.every((b) => b !== undefined)) continue;
      const delta = await deltas.findOne({ _id: m._id });
      if (!delta) continue;
      const merged = (JSON.parse(delta.e) as Packed[]).map(unpack);
      found.set(m._id, mergeSnapshot(bases as Array<Map<string, Entry>>, merged, m.finalBefore));
    }
    const missing = manifests.filter((m) => !found.has(m._id));
    if (missing.length > 0) {
      const docs = await chunks.find({ snap: { $in: missing.map((m) => m._id) } }).toArray();
      const complete = missing.every((m) => docs.filter((d) => d.snap === m._id).length === m.chunks);
      if (!complete) continue;
      for (const m of missing) {
        const entries = new Map<string, Entry>();
        for (const chunk of docs) if (chunk.snap === m._id) for (const p of JSON.parse(chunk.e) as Packed[]) entries.set(p[0], unpack(p));
        found.set(m._id, entries);
      }
    }

    cache.changes = current;
    for (const [id, parsed] of found) cache.snapshots.set(id, parsed);
    for (const id of cache.snapshots.keys()) if (!found.has(id)) cache.snapshots.delete(id);

    const key = [...found.keys()].sort().join(' ');
    let base = cache.base?.key === key ? cache.base.entries : undefined;
    if (!base) {
      const parts = [...found.values()];
      base = parts.length === 1 ? parts[0]! : mergeSnapshot(parts, [], '');
      cache.base = { key, entries: base };
    }
    const overlay = new Map<string, Entry>();
    for (const entry of current.values()) overlay.set(entry.number, newer(overlay.get(entry.number), entry));
    return { manifests, snapshots: found, changes: current, base, overlay };
  }
  throw new Error('the ticket queue snapshot kept changing while it was read; try again');
}

/** Every entry of the state, the newest version of each ticket once. */
function* entriesOf(state: QueueState): Generator<Entry> {
  for (const [number, entry] of state.base) {
    const pending = state.overlay.get(number);
    yield pending && pending.version > entry.version ? pending : entry;
  }
  for (const [number, pending] of state.overlay) if (!state.base.has(number)) yield pending;
}

// ---------------------------------------------------------------- listing

interface Cursor {
  q: QueueName;
  s: QueueSort;
  /** The sort key and number of the last item shown. */
  k: string;
  n: string;
  /** When the paging session began. */
  t: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string, queue: QueueName, sort: QueueSort): Cursor {
  let parsed: Partial<Cursor>;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString()) as Partial<Cursor>;
  } catch {
    throw new QueueCursorError('cursor is not one this API returned; use nextCursor from a previous page');
  }
  if (typeof parsed.k !== 'string' || typeof parsed.n !== 'string' || typeof parsed.t !== 'string' || Number.isNaN(Date.parse(parsed.t))) {
    throw new QueueCursorError('cursor is not one this API returned; use nextCursor from a previous page');
  }
  if (parsed.q !== queue || parsed.s !== sort) throw new QueueCursorError(`this cursor pages the '${parsed.q}' queue sorted by '${parsed.s}', not '${queue}' by '${sort}'`);
  return parsed as Cursor;
}

const keyOf: Record<QueueSort, (e: Entry) => string | null> = {
  created: (e) => e.createdAt,
  updated: (e) => e.updatedAt,
  due: (e) => e.slaDueAt,
};
const DESCENDING: Record<QueueSort, boolean> = { created: true, updated: true, due: false };

/** Page order: negative when (ka, na) comes before (kb, nb). The number breaks ties, so the order is total. */
function comparer(sort: QueueSort) {
  const sign = DESCENDING[sort] ? -1 : 1;
  return (ka: string, na: string, kb: string, nb: string) => (ka < kb ? -sign : ka > kb ? sign : na < nb ? -sign : na > nb ? sign : 0);
}

const list = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** The number a search names: `INC0000042` exactly, or `42` in any kind. */
function numberQuery(q: string): ((e: Entry) => boolean) | null {
  const upper = q.trim().toUpperCase();
  if (isTicketNumber(upper)) return (e) => e.number === upper;
  if (/^\d{1,15}$/.test(upper)) {
    const seq = Number(upper);
    return (e) => Number(e.number.slice(3)) === seq;
  }
  return null;
}

function required(user: string | undefined, queue: QueueName): string {
  if (!user) throw new RangeError(`the '${queue}' queue needs the user`);
  return user;
}

function predicate(request: ListQueueRequest, sort: QueueSort): (e: Entry) => boolean {
  const { queue, user, groups = [], scope, filters = {} } = request;
  const tests: Array<(e: Entry) => boolean> = [];
  // Open, resolved/fulfilled, and final ones for as long as they are retained.
  const finalBefore = new Date((request.now ?? new Date()).getTime() - (request.finalRetentionMs ?? DEFAULT_FINAL_RETENTION_MS)).toISOString();
  const retained = (e: Entry) => !e.final || e.updatedAt >= finalBefore;
  switch (queue) {
    case 'mine': {
      const assignee = required(user, queue);
      tests.push((e) => e.open && e.assignee === assignee);
      break;
    }
    case 'my_groups': {
      const mineGroups = new Set(groups);
      tests.push((e) => e.open && e.assignmentGroup !== null && mineGroups.has(e.assignmentGroup));
      break;
    }
    case 'unassigned':
      tests.push((e) => e.open && e.assignee === null);
      break;
    case 'breaching':
      tests.push((e) => e.open && e.slaDueAt !== null);
      break;
    case 'open':
      tests.push((e) => e.open);
      break;
    case 'approvals': {
      const approver = required(user, queue);
      tests.push((e) => e.open && e.approvers.includes(approver));
      break;
    }
    case 'opened': {
      const requester = required(user, queue);
      tests.push((e) => e.openedBy === requester && retained(e));
      break;
    }
    case 'recent':
      tests.push(retained);
      break;
  }
  if (sort === 'due') tests.push((e) => e.slaDueAt !== null);
  const inSet = <T>(values: T[] | undefined, get: (e: Entry) => T) => {
    if (!values) return;
    const set = new Set(values);
    tests.push((e) => set.has(get(e)));
  };
  inSet(list(filters.kind), (e) => e.kind);
  inSet(list(filters.state), (e) => e.state);
  inSet(list(filters.priority), (e) => e.priority);
  inSet(list(filters.group), (e) => e.assignmentGroup as string);
  inSet(list(filters.assignee), (e) => e.assignee as string);
  if (filters.dueBefore !== undefined) {
    const before = iso(filters.dueBefore, 'dueBefore');
    tests.push((e) => e.slaDueAt !== null && e.slaDueAt < before);
  }
  if (filters.q !== undefined && filters.q.trim() !== '') {
    const byNumber = numberQuery(filters.q);
    const words = filters.q.toLowerCase().split(/\s+/).filter(Boolean);
    tests.push((e) => (byNumber !== null && byNumber(e)) || words.every((w) => e.titleLower.includes(w)));
  }
  if (scope && !scope.all) tests.push((e) => isVisible(e, scope));
  return (e) => tests.every((test) => test(e));
}

/**
 * One page of a queue. Paging is by key (the sort key, then the number), and a cursor
 * remembers when its session began: later pages leave out tickets updated after that
 * (they moved; a fresh first page shows them), so a ticket is never listed twice and every
 * ticket that did not change while paging is listed exactly once.
 */
export async function listQueue(db: Connection, request: ListQueueRequest): Promise<QueuePage> {
  const sort = request.sort ?? DEFAULT_SORT[request.queue];
  if (!QUEUE_NAMES.includes(request.queue)) throw new RangeError(`unknown queue ${JSON.stringify(request.queue)}`);
  if (!QUEUE_SORTS.includes(sort)) throw new RangeError(`unknown sort ${JSON.stringify(sort)}`);
  const limit = request.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`limit must be 1 to ${MAX_LIMIT}, got ${limit}`);
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor, request.queue, sort);
  const asOf = cursor?.t ?? (request.now ?? new Date()).toISOString();

  const matches = predicate(request, sort);
  const compare = comparer(sort);
  const key = keyOf[sort];
  const state = await readState(db);

  // The first limit + 1 in page order after the cursor, kept sorted (top-k by insertion).
  const page: Array<{ k: string; e: Entry }> = [];
  for (const e of entriesOf(state)) {
    const k = key(e);
    if (k === null || !matches(e)) continue;
    if (cursor && (e.updatedAt > cursor.t || compare(k, e.number, cursor.k, cursor.n) <= 0)) continue;
    if (page.length > limit) {
      const last = page[limit]!;
      if (compare(k, e.number, last.k, last.e.number) >= 0) continue;
      page.pop();
    }
    let lo = 0;
    let hi = page.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(page[mid]!.k, page[mid]!.e.number, k, e.number) < 0) lo = mid + 1;
      else hi = mid;
    }
    page.splice(lo, 0, { k, e });
  }

  const compactAfter = request.compactAfter ?? DEFAULT_COMPACT_AFTER;
  if (compactAfter > 0 && state.changes.size >= compactAfter) startCompaction(db);

  const shown = page.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map(({ e }) => summaryOfEntry(e)),
    nextCursor: page.length > limit && last ? encodeCursor({ q: request.queue, s: sort, k: last.k, n: last.e.number, t: asOf }) : null,
    asOf,
  };
}

/** How many open tickets each of `users` has assigned, for load-aware assignment. */
export async function openAssignedCounts(db: Connection, users: readonly string[]): Promise<Array<{ user: string; open: number }>> {
  const counts = new Map(users.map((user) => [user, 0]));
  for (const e of entriesOf(await readState(db))) {
    const count = e.open && e.assignee !== null ? counts.get(e.assignee) : undefined;
    if (count !== undefined) counts.set(e.assignee!, count + 1);
  }
  return users.map((user) => ({ user, open: counts.get(user)! }));
}

// ---------------------------------------------------------------- compaction

export interface CompactionResult {
  /** The new snapshot, or null when there was nothing to compact. */
  snapshot: string | null;
  entries: number;
  changesMerged: number;
  snapshotsMerged: number;
  orphanChunksRemoved: number;
}

export interface CompactionOptions {
  now?: Date;
  /** How long final (closed, cancelled, rejected) tickets stay, as tombstones and in "recent". */
  finalRetentionMs?: number;
}

/**
 * Merges the pending changes (up to MAX_MERGED_CHANGES) and the present snapshots into one
 * new snapshot, then deletes what it merged. Safe to run anywhere, any time, concurrently
 * with other processes; within a process compactions run one after another. listQueue
 * starts one in the background when changes pile up; a periodic call (e.g. every minute
 * from the worker) keeps the change log short even when nobody lists queues.
 */
export function compactQueue(db: Connection, options: CompactionOptions = {}): Promise<CompactionResult> {
  return exclusive(db, () => compact(db, options, []));
}

/**
 * Loads the queues from existing ticket projections (when the queues are introduced on a
 * store that already has tickets, or to repair them): a compaction that also merges
 * `summaries`, without writing them to the change log. Newer versions already recorded win.
 */
export function backfillQueue(db: Connection, summaries: TicketSummary[], options: CompactionOptions = {}): Promise<CompactionResult> {
  const extra = summaries.map((s) => unpack(pack(normalize(s))));
  return exclusive(db, () => compact(db, options, extra));
}

function exclusive<T>(db: Connection, run: () => Promise<T>): Promise<T> {
  const cache = cacheOf(db);
  const result = (cache.compacting ?? Promise.resolve()).then(run);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  cache.compacting = tail;
  void tail.then(() => {
    if (cache.compacting === tail) cache.compacting = undefined;
  });
  return result;
}

/** Waits until no compaction of this process is queued or running (tests and shutdown). */
export async function queueCompaction(db: Connection): Promise<void> {
  const cache = cacheOf(db);
  while (cache.compacting) await cache.compacting;
}

function startCompaction(db: Connection): void {
  const cache = cacheOf(db);
  if (cache.compacting) return;
  compactQueue(db).then(
    () => {
      cache.lastCompactionError = undefined;
    },
    (error: unknown) => {
      // A failed compaction loses nothing (its inputs are deleted only after its snapshot is
      // complete); the next list call tries again. Kept for diagnostics.
      cache.lastCompactionError = error;
    },
  );
}

async function compact(db: Connection, options: CompactionOptions, extra: Entry[]): Promise<CompactionResult> {
  const now = options.now ?? new Date();
  const finalBefore = new Date(now.getTime() - (options.finalRetentionMs ?? DEFAULT_FINAL_RETENTION_MS)).toISOString();
  const cache = cacheOf(db);
  const { changes, chunks, snapshots, deltas } = collections(db);
  const state = await readState(db);
  const bases = [...state.snapshots.keys()];
  const taken = [...state.changes].slice(0, MAX_MERGED_CHANGES);
  const changeIds = taken.map(([id]) => id);
  const changeEntries = taken.map(([, entry]) => entry);
  const nothingExpires = ![...state.base.values()].some((e) => e.final && e.updatedAt < finalBefore);
  if (changeIds.length === 0 && extra.length === 0 && bases.length <= 1 && nothingExpires) {
    return { snapshot: null, entries: state.base.size, changesMerged: 0, snapshotsMerged: 0, orphanChunksRemoved: 0 };
  }

  const inputs = [...changeEntries, ...extra];
  const merged = mergeSnapshot([...state.snapshots.values()], inputs, finalBefore);
  const id = `${now.toISOString()}-${randomBytes(4).toString('hex')}`;
  const sorted = [...merged.values()].sort((a, b) => (a.number < b.number ? -1 : 1));
  const chunkDocs: ChunkDoc[] = [];
  for (let i = 0; i * CHUNK_SIZE < sorted.length || i === 0; i++) {
    chunkDocs.push({ _id: `${id}:${i}`, snap: id, i, at: now.toISOString(), e: JSON.stringify(sorted.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE).map((e) => e.packed)) });
  }
  for (let i = 0; i < chunkDocs.length; i += 4) await chunks.insertMany(chunkDocs.slice(i, i + 4), { ordered: true });
  // A backfill's inputs are as big as the snapshot: readers fetch its chunks instead.
  const delta = inputs.length <= MAX_MERGED_CHANGES;
  if (delta) await deltas.insertOne({ _id: id, at: now.toISOString(), e: JSON.stringify(inputs.map((e) => e.packed)) });
  await snapshots.insertOne({
    _id: id,
    at: now.toISOString(),
    bases,
    changeCount: changeIds.length,
    delta,
    finalBefore,
    chunks: chunkDocs.length,
    entries: merged.size,
  });
  cache.snapshots.set(id, merged);

  // Only now is everything merged safe to delete: manifests first (a reader holding one
  // finds its chunks gone and reads again), then their chunks and deltas, then the changes.
  if (bases.length > 0) {
    await snapshots.deleteMany({ _id: { $in: bases } });
    await chunks.deleteMany({ snap: { $in: bases } });
    await deltas.deleteMany({ _id: { $in: bases } });
  }
  if (changeIds.length > 0) await changes.deleteMany({ _id: { $in: changeIds } });
  return { snapshot: id, entries: merged.size, changesMerged: changeIds.length, snapshotsMerged: bases.length, orphanChunksRemoved: await removeOrphans(db, now) };
}

/** Chunks and deltas whose manifest was never written (a compaction died half way), once they are old enough. */
async function removeOrphans(db: Connection, now: Date): Promise<number> {
  const { chunks, snapshots, deltas } = collections(db);
  const cutoff = new Date(now.getTime() - ORPHAN_AGE_MS).toISOString();
  const live = new Set((await snapshots.find({}, { projection: { _id: 1 } }).toArray()).map((m) => m._id));
  const heads = await chunks.find({ i: 0 }, { projection: { snap: 1, at: 1 } }).toArray();
  const orphans = [...new Set(heads.filter((c) => !live.has(c.snap) && c.at < cutoff).map((c) => c.snap))];
  const orphanDeltas = (await deltas.find({}, { projection: { at: 1 } }).toArray()).filter((d) => !live.has(d._id) && d.at < cutoff).map((d) => d._id);
  if (orphanDeltas.length > 0) await deltas.deleteMany({ _id: { $in: orphanDeltas } });
  if (orphans.length === 0) return 0;
  const { deletedCount } = await chunks.deleteMany({ snap: { $in: orphans } });
  return deletedCount;
}

/** Sizes, for benchmarks and diagnostics. */
export async function queueStats(db: Connection) {
  const { changes, chunks, snapshots } = collections(db);
  const [pendingChanges, chunkCount, manifestCount] = await Promise.all([changes.countDocuments({}), chunks.countDocuments({}), snapshots.countDocuments({})]);
  return { pendingChanges, chunks: chunkCount, snapshots: manifestCount, lastCompactionError: cacheOf(db).lastCompactionError };
}
