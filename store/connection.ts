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
