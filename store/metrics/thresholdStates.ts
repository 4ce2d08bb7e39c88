import type { Connection } from 'mongoose';
import type { ThresholdState } from '../../domain/collection/threshold';

/**
 * Where each threshold rule stands per CI and instance (`threshold_states`, by
 * `[rule, ci, instance]`), so a hold time or a firing alert survives a restart of every
 * process. Only states off `ok` are stored: a healthy CI costs no document.
 */

export interface StateKey {
  rule: string;
  ci: string;
  instance: string;
}

type StateDocument = StateKey & ThresholdState & { _id: string };

const states = (db: Connection) => db.collection<StateDocument>('threshold_states');

export const stateId = (key: StateKey) => JSON.stringify([key.rule, key.ci, key.instance]);

export async function ensureThresholdStateIndexes(db: Connection): Promise<void> {
  await states(db).createIndex({ ci: 1 });
}

/** The CI's states by stateId. */
export async function statesOf(db: Connection, ci: string): Promise<Map<string, ThresholdState>> {
  const found = new Map<string, ThresholdState>();
  for (const { _id, rule: _r, ci: _c, instance: _i, ...state } of await states(db).find({ ci }).toArray()) found.set(_id, state);
  return found;
}

export async function saveState(db: Connection, key: StateKey, state: ThresholdState): Promise<void> {
  const _id = stateId(key);
  if (state.phase === 'ok') await states(db).deleteOne({ _id });
  else await states(db).replaceOne({ _id }, { ...key, ...state }, { upsert: true });
}

/** Every state off ok (the API's view of what is pending or firing). */
export async function activeStates(db: Connection, limit: number): Promise<Array<StateKey & ThresholdState>> {
  return (await states(db).find({}).limit(limit).toArray()).map(({ _id: _unused, ...rest }) => rest);
}
