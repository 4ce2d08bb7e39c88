import type { Connection } from 'mongoose';
import { type CiRecord, CmdbGraph, type RelationRecord } from '../../domain/cmdb/graph';
import { SegmentLog } from '../segmentLog';

/**
 * This process's replica of the CMDB: every CI and relation in an in-memory graph, fed
 * from the shared segment log (store/segmentLog.ts). Reads sync first, so they see what any
 * process wrote before the read began; writes are applied at once in the writing process.
 */

export type CmdbEntry = ({ kind: 'ci' } & CiRecord) | ({ kind: 'rel' } & RelationRecord);

export const cmdbLog = new SegmentLog<CmdbEntry>('cmdb_index', {
  key: (entry) => `${entry.kind}:${entry.id}`,
  version: (entry) => entry.version,
});

/** Start a background compaction once this many changes are pending. */
const COMPACT_AFTER = 500;

const graphs = new WeakMap<Connection, CmdbGraph>();

function graphOf(db: Connection): CmdbGraph {
  let graph = graphs.get(db);
  if (!graph) {
    const created = new CmdbGraph();
    graphs.set(db, created);
    cmdbLog.onApply(db, (entry) => {
      const { kind, ...record } = entry;
      if (kind === 'ci') created.putCi(record as CiRecord);
      else created.putRelation(record as RelationRecord);
    });
    graph = created;
  }
  return graph;
}

/** The graph, up to date with the store. */
export async function cmdbGraph(db: Connection): Promise<CmdbGraph> {
  const graph = graphOf(db);
  await cmdbLog.sync(db);
  if (cmdbLog.pending(db) >= COMPACT_AFTER) cmdbLog.compactInBackground(db);
  return graph;
}

/** Records CI and relation versions in the log (and this process's graph). */
export async function recordEntries(db: Connection, entries: CmdbEntry[]): Promise<void> {
  graphOf(db);
  await cmdbLog.record(db, entries);
}

export const ciEntry = (ci: CiRecord): CmdbEntry => ({ kind: 'ci', ...ci });
export const relationEntry = (relation: RelationRecord): CmdbEntry => ({ kind: 'rel', ...relation });
