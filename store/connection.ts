import mongoose, { type Connection } from 'mongoose';

/** One connection per process, shared by the API and the activities. */
export async function connectStore(uri: string, dbName?: string): Promise<Connection> {
  const db = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: true });
  await db.asPromise();
  return db;
}

export async function pingStore(db: Connection): Promise<void> {
  if (!db.db) throw new Error('store connection is not open');
  await db.db.admin().command({ ping: 1 });
}

const UNAVAILABLE = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoTopologyClosedError', 'MongoPoolClearedError', 'PoolClearedError']);

/** Whether an error means the store could not be reached (rather than refused the request). */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth += 1) {
    if (typeof e.name === 'string' && UNAVAILABLE.has(e.name)) return true;
  }
  return false;
}
