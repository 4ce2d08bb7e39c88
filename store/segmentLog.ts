import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';

/**
 * A keyed, versioned data set every process keeps a full replica of in memory, shared
 * through the store as an insert-only change log plus immutable segments. The CMDB uses it
 * so selectors and traversals run in memory over 100,000 CIs on any store.
 *
 * Why this shape: on FerretDB 1.24 / SQLite only `{_id: <string>}` lookups and inserts are
 * cheap; every other filter scans the collection (docs/adr/003-queue-listing.md). So:
 *  - `<prefix>_changes`: one document per entry version, `_id` = `<key>@<version>`. A
 *    retried write is a duplicate key, concurrent writers never lose each other's writes.
 *  - `<prefix>_segments` + `<prefix>_chunks`: immutable segments, each a few large JSON
 *    chunks read by `_id`. A minor compaction turns pending changes into a small segment; a
 *    major one merges all segments into one, naming the segments it replaces (`mergedFrom`)
 *    so a process that already holds them skips reading it.
 *
 * Entries are applied last-writer-wins by version, so applying an entry twice or out of
 * order changes nothing: a replica is the merge of every segment and change it has seen,
 * in any order. Readers read the changes before the segments, so a change a compaction
 * deleted meanwhile is in a segment the reader sees. Nothing is ever dropped (deletions
 * are tombstone entries), so no replica can resurrect what another one removed.
 */

export interface SegmentCodec<E> {
  key(entry: E): string;
  version(entry: E): number;
}

interface ChangeDoc {
  _id: string;
  at: string;
  e: string;
}

interface SegmentDoc {
  _id: string;
  at: string;
  chunks: number;
  entries: number;
  /** Segments whose entries this one contains (a major compaction). */
  mergedFrom: string[];
}

interface ChunkDoc {
  _id: string;
  e: string;
}

const CHUNK_ENTRIES = 2000;
const DUPLICATE_KEY = 11000;
/** A delete by `_id: {$in}` is not pushed down on FerretDB: keep batches bounded. */
const MAX_MERGED_CHANGES = 5000;
const MAX_SEGMENTS = 12;

/** One process's replica of one log on one connection. */
interface Replica<E> {
  entries: Map<string, E>;
  /** Change ids applied (those still in the log at the last sync). */
  changes: Set<string>;
  segments: Set<string>;
  listeners: Array<(entry: E) => void>;
  syncing?: Promise<void>;
  compacting?: Promise<unknown>;
  lastCompactionError?: unknown;
}

export interface CompactionResult {
  segment: string | null;
  changesMerged: number;
  segmentsMerged: number;
}

export class SegmentLog<E> {
  private readonly replicas = new WeakMap<Connection, Replica<E>>();

  constructor(
    readonly prefix: string,
    private readonly codec: SegmentCodec<E>,
  ) {}

  private collections(db: Connection) {
    return {
      changes: db.collection<ChangeDoc>(`${this.prefix}_changes`),
      segments: db.collection<SegmentDoc>(`${this.prefix}_segments`),
      chunks: db.collection<ChunkDoc>(`${this.prefix}_chunks`),
    };
  }

  private replica(db: Connection): Replica<E> {
    let replica = this.replicas.get(db);
    if (!replica) this.replicas.set(db, (replica = { entries: new Map(), changes: new Set(), segments: new Set(), listeners: [] }));
    return replica;
  }

  /** Hears every entry this replica accepts (newer than what it held). */
  onApply(db: Connection, listener: (entry: E) => void): void {
    const replica = this.replica(db);
    replica.listeners.push(listener);
    for (const entry of replica.entries.values()) listener(entry);
  }

  private apply(replica: Replica<E>, entry: E): void {
    const key = this.codec.key(entry);
    const held = replica.entries.get(key);
    if (held && this.codec.version(held) >= this.codec.version(entry)) return;
    replica.entries.set(key, entry);
    for (const listener of replica.listeners) listener(entry);
  }

  /**
   * Records entry versions: one insert each, applied to this process's replica at once so
   * its own reads see them. A version already recorded is skipped.
   */
  async record(db: Connection, entries: E[]): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date().toISOString();
    const docs = entries.map((entry) => ({ _id: `${this.codec.key(entry)}@${this.codec.version(entry)}`, at, e: JSON.stringify(entry) }));
    try {
      await this.collections(db).changes.insertMany(docs, { ordered: false });
    } catch (error) {
      const errors = (error as { writeErrors?: Array<{ code?: number }> }).writeErrors ?? [error as { code?: number }];
      if (!errors.every((e) => e.code === DUPLICATE_KEY)) throw error;
    }
    const replica = this.replica(db);
    for (const entry of entries) this.apply(replica, entry);
  }

  /** Brings this process's replica up to date with the store. Concurrent calls share one read. */
  sync(db: Connection): Promise<void> {
    const replica = this.replica(db);
    if (!replica.syncing) {
      replica.syncing = this.read(db, replica).finally(() => {
        replica.syncing = undefined;
      });
    }
    return replica.syncing;
  }

  private async read(db: Connection, replica: Replica<E>): Promise<void> {
    const { changes, segments } = this.collections(db);
    const changeDocs = await changes.find({}, { batchSize: 5000 }).toArray();
    const manifests = await segments.find({}).toArray();
    for (const doc of changeDocs) if (!replica.changes.has(doc._id)) this.apply(replica, JSON.parse(doc.e) as E);
    replica.changes = new Set(changeDocs.map((d) => d._id));
    for (const manifest of manifests.sort((a, b) => a.at.localeCompare(b.at))) {
      if (replica.segments.has(manifest._id)) continue;
      const known = manifest.mergedFrom.length > 0 && manifest.mergedFrom.every((id) => replica.segments.has(id));
      if (!known) {
        const entries = await this.readSegment(db, manifest);
        // Deleted by a major compaction meanwhile: its entries are in the merged segment, read next time.
        if (!entries) continue;
        for (const entry of entries) this.apply(replica, entry);
      }
      replica.segments.add(manifest._id);
    }
    const live = new Set(manifests.map((m) => m._id));
    for (const id of replica.segments) if (!live.has(id)) replica.segments.delete(id);
  }

  private async readSegment(db: Connection, manifest: SegmentDoc): Promise<E[] | null> {
    const { chunks } = this.collections(db);
    const docs = await Promise.all(Array.from({ length: manifest.chunks }, (_, i) => chunks.findOne({ _id: `${manifest._id}:${i}` })));
    if (docs.some((d) => d === null)) return null;
    return docs.flatMap((d) => JSON.parse(d!.e) as E[]);
  }

  /** Pending changes at the last sync: callers start a compaction when they pile up. */
  pending(db: Connection): number {
    return this.replica(db).changes.size;
  }

  /**
   * Turns the pending changes into a segment (minor), and merges all segments into one when
   * there are too many (major). `extra` entries (a bulk load) go into a segment of their own
   * without passing through the change log. Within a process compactions run one at a time;
   * across processes they may race safely.
   */
  compact(db: Connection, options: { extra?: E[]; major?: boolean } = {}): Promise<CompactionResult> {
    const replica = this.replica(db);
    const run = (replica.compacting ?? Promise.resolve()).catch(() => undefined).then(() => this.compactNow(db, replica, options));
    replica.compacting = run;
    return run.finally(() => {
      if (replica.compacting === run) replica.compacting = undefined;
    });
  }

  /** Starts a compaction in the background unless one is running; a failure is kept for diagnostics and retried next time. */
  compactInBackground(db: Connection): void {
    const replica = this.replica(db);
    if (replica.compacting) return;
    this.compact(db).then(
      () => (replica.lastCompactionError = undefined),
      (error: unknown) => (replica.lastCompactionError = error),
    );
  }

  /** Waits for this process's compactions (tests and shutdown). */
  async idle(db: Connection): Promise<void> {
    const replica = this.replica(db);
    while (replica.compacting) await replica.compacting.catch(() => undefined);
  }

  private async compactNow(db: Connection, replica: Replica<E>, options: { extra?: E[]; major?: boolean }): Promise<CompactionResult> {
    await this.sync(db);
    const { changes, segments, chunks } = this.collections(db);
    const result: CompactionResult = { segment: null, changesMerged: 0, segmentsMerged: 0 };
    const extra = options.extra ?? [];
    for (const entry of extra) this.apply(replica, entry);
    const taken = [...replica.changes].slice(0, MAX_MERGED_CHANGES);
    if (taken.length > 0 || extra.length > 0) {
      const docs = taken.length > 0 ? await changes.find({ _id: { $in: taken } }).toArray() : [];
      const entries = [...docs.map((d) => JSON.parse(d.e) as E), ...extra];
      result.segment = await this.writeSegment(db, entries, []);
      replica.segments.add(result.segment);
      if (docs.length > 0) await changes.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      for (const d of docs) replica.changes.delete(d._id);
      result.changesMerged = docs.length;
    }
    const held = [...replica.segments];
    if (held.length > MAX_SEGMENTS || (options.major && held.length > 1)) {
      result.segment = await this.writeSegment(db, [...replica.entries.values()], held);
      replica.segments.add(result.segment);
      await segments.deleteMany({ _id: { $in: held } });
      for (const id of held) replica.segments.delete(id);
      result.segmentsMerged = held.length;
      await this.removeChunksOf(chunks, held);
    }
    return result;
  }

  private async writeSegment(db: Connection, entries: E[], mergedFrom: string[]): Promise<string> {
    const { segments, chunks } = this.collections(db);
    const id = `${new Date().toISOString()}-${randomBytes(4).toString('hex')}`;
    const count = Math.max(1, Math.ceil(entries.length / CHUNK_ENTRIES));
    for (let i = 0; i < count; i += 4) {
      const batch = Array.from({ length: Math.min(4, count - i) }, (_, j) => ({ _id: `${id}:${i + j}`, e: JSON.stringify(entries.slice((i + j) * CHUNK_ENTRIES, (i + j + 1) * CHUNK_ENTRIES)) }));
      await chunks.insertMany(batch, { ordered: true });
    }
    // The manifest last: a segment is visible only once every chunk is stored.
    await segments.insertOne({ _id: id, at: new Date().toISOString(), chunks: count, entries: entries.length, mergedFrom });
    return id;
  }

  /** The chunks of removed segments, by `_id` (we know how many each had only from the manifest, so probe). */
  private async removeChunksOf(chunks: ReturnType<SegmentLog<E>['collections']>['chunks'], ids: string[]): Promise<void> {
    for (const id of ids) {
      for (let i = 0; ; i++) {
        const { deletedCount } = await chunks.deleteOne({ _id: `${id}:${i}` });
        if (deletedCount === 0) break;
      }
    }
  }

  /** Sizes, for benchmarks and diagnostics. */
  stats(db: Connection) {
    const replica = this.replica(db);
    return { entries: replica.entries.size, pendingChanges: replica.changes.size, segments: replica.segments.size, lastCompactionError: replica.lastCompactionError };
  }
}
