import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';

/**
 * Store errors that say "not now" rather than "no": the server is out of reach for a moment,
 * or (FerretDB on SQLite, the embedded store) another writer held the database past SQLite's
 * busy timeout. Another try of the same operation may well succeed.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (error instanceof mongo.MongoNetworkError || error instanceof mongo.MongoServerSelectionError) return true;
  if (!(error instanceof mongo.MongoError)) return false;
  return error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError') || /SQLITE_BUSY|database is locked/.test(error.message);
}

/** Backoff between tries: 0.25 s doubling to 4 s, about a minute over all tries. */
const DELAYS_MS = [250, 500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000];

/**
 * `work` (an idempotent store operation) tried again while it fails transiently, about a
 * minute at most; other errors, and the last transient one, are thrown. Stops early when
 * `signal` aborts.
 */
export async function retryTransient<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientStoreError(error) || attempt >= DELAYS_MS.length || signal?.aborted) throw error;
      await sleep(DELAYS_MS[attempt]!, undefined, { signal }).catch(() => undefined);
    }
  }
}
