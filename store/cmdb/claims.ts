import type { Connection } from 'mongoose';
import type { CmdbGraph } from '../../domain/cmdb/graph';
import { CmdbError } from './errors';

/**
 * Unique attribute values, enforced across processes by inserting a claim document whose
 * `_id` is the value's key: the store's unique `_id` index decides who wins, on MongoDB and
 * on FerretDB alike. A claim left behind by a writer that died (its CI no longer holds the
 * value) is taken over.
 */

interface ClaimDoc {
  _id: string;
  ci: string;
}

const DUPLICATE_KEY = 11000;
const claims = (db: Connection) => db.collection<ClaimDoc>('cmdb_claims');

export interface UniqueValue {
  /** The class uniqueness is scoped to (where the attribute is defined). */
  scope: string;
  attribute: string;
  value: string | number | boolean;
}

export const claimKey = (u: UniqueValue) => `${u.scope}:${u.attribute}:${typeof u.value}:${String(u.value).toLowerCase()}`;

/** Claims every value for `ci`; on a conflict releases what it claimed and throws, naming the holder. */
export async function claimValues(db: Connection, graph: CmdbGraph, ci: string, values: UniqueValue[]): Promise<void> {
  const claimed: string[] = [];
  try {
    for (const value of values) {
      const key = claimKey(value);
      if (await claimOne(db, graph, ci, key, value)) claimed.push(key);
    }
  } catch (error) {
    await releaseKeys(db, ci, claimed);
    throw error;
  }
}

/** True when newly inserted (false: `ci` already held it). */
async function claimOne(db: Connection, graph: CmdbGraph, ci: string, key: string, value: UniqueValue): Promise<boolean> {
  try {
    await claims(db).insertOne({ _id: key, ci });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
  }
  const holder = await claims(db).findOne({ _id: key });
  if (!holder || holder.ci === ci) return false;
  const holding = graph.ci(holder.ci);
  const stillHeld = holding && String(holding.attributes[value.attribute]).toLowerCase() === String(value.value).toLowerCase();
  if (stillHeld) {
    throw new CmdbError('conflict', `${value.attribute} ${JSON.stringify(value.value)} is already used by CI ${holder.ci} (${String(holding.attributes.name)})`, [
      { field: `attributes.${value.attribute}`, message: `must be unique among ${value.scope} CIs; ${holder.ci} has it` },
    ]);
  }
  await claims(db).replaceOne({ _id: key }, { ci });
  return false;
}

export async function releaseValues(db: Connection, ci: string, values: UniqueValue[]): Promise<void> {
  await releaseKeys(db, ci, values.map(claimKey));
}

async function releaseKeys(db: Connection, ci: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    const holder = await claims(db).findOne({ _id: key });
    if (holder?.ci === ci) await claims(db).deleteOne({ _id: key });
  }
}

/**
 * Claims many values at once (imports): one bulk insert, then the few that collided are
 * settled one by one. Returns the CIs whose value another CI holds, with the error.
 */
export async function claimMany(db: Connection, graph: CmdbGraph, wanted: Array<{ ci: string; value: UniqueValue }>): Promise<Map<string, CmdbError>> {
  const failed = new Map<string, CmdbError>();
  const collided: Array<{ ci: string; value: UniqueValue }> = [];
  for (let i = 0; i < wanted.length; i += 1000) {
    const batch = wanted.slice(i, i + 1000);
    try {
      await claims(db).insertMany(batch.map((w) => ({ _id: claimKey(w.value), ci: w.ci })), { ordered: false });
    } catch (error) {
      const errors = (error as { writeErrors?: Array<{ code?: number; index: number }> }).writeErrors;
      if (!errors || !errors.every((e) => e.code === DUPLICATE_KEY)) throw error;
      for (const e of errors) collided.push(batch[e.index]!);
    }
  }
  for (const { ci, value } of collided) {
    try {
      await claimOne(db, graph, ci, claimKey(value), value);
    } catch (error) {
      if (!(error instanceof CmdbError)) throw error;
      failed.set(ci, error);
    }
  }
  return failed;
}
