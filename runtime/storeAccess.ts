import type { Connection } from 'mongoose';
import { connectStore } from '../store/connection';
import type { Config } from './config';
import { type EmbeddedStore, startDocumentStore } from './embedded';
import { canConnect } from './ports';
import type { Say } from './tools';

const EMBEDDED_HOST = '127.0.0.1';

/**
 * Runs `use` with a store connection for a one-off command (user add, audit verify):
 * MONGODB_URI if set, else the embedded FerretDB that `npm start` runs, else the
 * embedded one started on the data directory just for this command.
 */
export async function withStore<T>(config: Config, say: Say, use: (db: Connection) => Promise<T>): Promise<T> {
  let embedded: EmbeddedStore | undefined;
  try {
    let uri = config.MONGODB_URI;
    if (!uri) {
      uri = `mongodb://${EMBEDDED_HOST}:${config.FLOWDESK_MONGO_PORT}/`;
      if (!(await canConnect(EMBEDDED_HOST, config.FLOWDESK_MONGO_PORT))) {
        say(`no document store at ${uri}; starting the embedded one on ${config.dataDir} for this command`);
        embedded = await startDocumentStore({ dataDir: config.dataDir, host: EMBEDDED_HOST, port: config.FLOWDESK_MONGO_PORT, timeoutMs: config.FLOWDESK_STARTUP_TIMEOUT_S * 1000, say });
      }
    }
    const db = await connectStore(uri, config.MONGODB_DATABASE);
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  } finally {
    await embedded?.service.stop();
  }
}
