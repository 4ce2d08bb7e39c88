import type { Connection } from 'mongoose';
import { nextSequence } from '../counters';
import { RunRequestError, runIdOf } from './newRun';
import { findRun, type RunDocument } from './runs';

/**
 * Runs made at most once per key (`automation_run_claims`): a schedule's firing (the id
 * of the workflow it started), an alert group with a runbook. The run's number is taken
 * under the key first, where the primary key settles a race between two callers; then the
 * run is made under that number. A retried call finds the claim and the run, or makes the
 * run its first attempt did not get to. A request refused for good (RunRequestError)
 * leaves no claim, so a corrected call can make the run later.
 */
interface RunClaim {
  _id: string;
  runId: string;
  at: string;
}

const DUPLICATE_KEY = 11000;
const claims = (db: Connection) => db.collection<RunClaim>('automation_run_claims');
const isDuplicate = (error: unknown) => (error as { code?: number }).code === DUPLICATE_KEY;

export async function claimedRun(db: Connection, key: string, make: (runId: string) => Promise<RunDocument>): Promise<{ run: RunDocument; created: boolean }> {
  const claim = (await claims(db).findOne({ _id: key })) ?? (await takeClaim(db, key));
  const existing = await findRun(db, claim.runId);
  if (existing) return { run: existing, created: false };
  try {
    return { run: await make(claim.runId), created: true };
  } catch (error) {
    const raced = isDuplicate(error) ? await findRun(db, claim.runId) : null;
    if (raced) return { run: raced, created: false };
    if (error instanceof RunRequestError) await claims(db).deleteOne({ _id: key, runId: claim.runId });
    throw error;
  }
}

/** The run a key claimed, if any. */
export async function claimOf(db: Connection, key: string): Promise<string | null> {
  return (await claims(db).findOne({ _id: key }))?.runId ?? null;
}

async function takeClaim(db: Connection, key: string): Promise<RunClaim> {
  const claim = { _id: key, runId: runIdOf(await nextSequence(db, 'automation_run')), at: new Date().toISOString() };
  try {
    await claims(db).insertOne(claim);
    return claim;
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    const other = await claims(db).findOne({ _id: key });
    if (!other) throw error;
    return other;
  }
}
