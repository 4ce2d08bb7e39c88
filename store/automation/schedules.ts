import type { Connection } from 'mongoose';
import type { Answers } from '../../domain/catalogItem';
import type { OverlapPolicy, ScheduleSpec } from '../../domain/automation/schedule';
import type { MasterKey } from '../../runtime/masterKey';
import { openSecret, type SealedSecret, sealSecret } from '../vault';

/**
 * Run schedules (`automation_schedules`, by schedule id): what a schedule's runs are
 * (runbook, parameters, targets, owner). The times and the overlap policy live in the
 * Temporal Schedule `automation:<id>` too, which is what fires; `paused` and `note`
 * are kept here as well so listings need not ask Temporal. Secret parameters are sealed
 * to the schedule, opened only when it fires.
 */
export interface ScheduleDocument {
  _id: string;
  runbook: string;
  /** Absent: the latest published version when it fires. */
  version?: number;
  /** Parameters in clear, except secret ones, which are in `sealedParams`. */
  params: Answers;
  sealedParams?: SealedSecret;
  targets?: string[];
  credential?: string;
  spec: ScheduleSpec;
  overlap: OverlapPolicy;
  paused: boolean;
  note: string;
  /** Who made it: its runs are requested by them, with their roles when it fires. */
  owner: string;
  /** Incremented by every change; the ETag. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

const DUPLICATE_KEY = 11000;
const schedules = (db: Connection) => db.collection<ScheduleDocument>('automation_schedules');

/** Stores a new schedule; false when the id is taken. */
export async function insertSchedule(db: Connection, doc: ScheduleDocument): Promise<boolean> {
  try {
    await schedules(db).insertOne(doc);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

export async function findSchedule(db: Connection, id: string): Promise<ScheduleDocument | null> {
  return schedules(db).findOne({ _id: id });
}

/** By id; `after` is the last id of the previous page. */
export async function listSchedules(db: Connection, filter: { runbook?: string; after?: string }, limit: number): Promise<ScheduleDocument[]> {
  const query: Record<string, unknown> = {};
  if (filter.runbook) query.runbook = filter.runbook;
  if (filter.after) query._id = { $gt: filter.after };
  return schedules(db).find(query).sort({ _id: 1 }).limit(limit).toArray();
}

/** Replaces a schedule at `revision` with the next revision; null when it is at another one (or gone). */
export async function replaceSchedule(db: Connection, revision: number, next: ScheduleDocument): Promise<ScheduleDocument | null> {
  const result = await schedules(db).replaceOne({ _id: next._id, revision }, next);
  return result.matchedCount === 1 ? next : null;
}

export async function deleteSchedule(db: Connection, id: string): Promise<boolean> {
  return (await schedules(db).deleteOne({ _id: id })).deletedCount === 1;
}

const owner = (scheduleId: string) => ({ id: scheduleId, kind: 'automation_schedule' });

export function sealScheduleSecrets(key: MasterKey, scheduleId: string, values: Answers): SealedSecret {
  return sealSecret(key, owner(scheduleId), { params: JSON.stringify(values) });
}

export function openScheduleSecrets(key: MasterKey, scheduleId: string, sealed: SealedSecret): Answers {
  return JSON.parse(openSecret(key, owner(scheduleId), sealed).params!) as Answers;
}
