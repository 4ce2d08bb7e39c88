import type { Connection } from 'mongoose';
import type { AttributeValue } from '../../domain/cmdb/attributes';
import type { CiRecord, RelationRecord } from '../../domain/cmdb/graph';
import { CmdbError } from './errors';

/** Who or what made a change: a person, a discovery run, an import, a sync job. */
export interface Actor {
  type: 'user' | 'discovery' | 'import' | 'sync' | 'automation' | 'system';
  /** A user name, a discovery or automation run id, an import id… */
  id: string;
}

export type HistoryOperation = 'create' | 'update' | 'retire' | 'delete' | 'remove';

export interface HistoryEntry {
  /** `<ci|rel>:<id>@<version>`: inserting it is what claims the version, so two writers cannot both write version n. */
  _id: string;
  entity: 'ci' | 'rel';
  entityId: string;
  version: number;
  at: string;
  actor: Actor;
  operation: HistoryOperation;
  /** Attribute-level before/after (CIs), or the fields that changed (relations). */
  changes: Record<string, { before: AttributeValue; after: AttributeValue }>;
  /** The whole record after the change: "what did it look like on date X" is one lookup. */
  state: CiRecord | RelationRecord;
}

const DUPLICATE_KEY = 11000;
const history = (db: Connection) => db.collection<HistoryEntry>('cmdb_history');
export const historyId = (entity: 'ci' | 'rel', id: string, version: number) => `${entity}:${id}@${version}`;

/**
 * Claims version `entry.version` of the entity by inserting its history entry. Someone else
 * holding it means the caller's view is stale: a CmdbError 'stale'.
 */
export async function appendHistory(db: Connection, entry: HistoryEntry): Promise<void> {
  try {
    await history(db).insertOne(entry);
  } catch (error) {
    if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    throw new CmdbError('stale', `${entry.entity === 'ci' ? 'CI' : 'relation'} ${entry.entityId} was changed by someone else (version ${entry.version} exists); reload it and try again`);
  }
}

export async function historyEntry(db: Connection, entity: 'ci' | 'rel', id: string, version: number): Promise<HistoryEntry | null> {
  return history(db).findOne({ _id: historyId(entity, id, version) });
}

/**
 * Every version of an entity, newest first. Each is read by `_id` (versions 1…latest), so
 * this costs one indexed lookup per version on any store instead of a scan of all history.
 */
export async function historyOf(db: Connection, entity: 'ci' | 'rel', id: string, latest: number, limit = 200): Promise<HistoryEntry[]> {
  const versions = Array.from({ length: Math.min(latest, limit) }, (_, i) => latest - i);
  const found = await Promise.all(versions.map((v) => historyEntry(db, entity, id, v)));
  return found.filter((e): e is HistoryEntry => e !== null);
}

/** The entity as it was at `at` (null: it did not exist yet), by binary search over its versions. */
export async function stateAt(db: Connection, entity: 'ci' | 'rel', id: string, latest: number, at: string): Promise<HistoryEntry | null> {
  let lo = 1;
  let hi = latest;
  let found: HistoryEntry | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = await historyEntry(db, entity, id, mid);
    if (entry && entry.at <= at) {
      found = entry;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
