import type { Config } from '../runtime/config';
import { type EmbeddedStore, startDocumentStore } from '../runtime/embedded';
import { canConnect } from '../runtime/ports';
import { verifyAudit } from '../store/audit';
import { connectStore } from '../store/connection';

const EMBEDDED_HOST = '127.0.0.1';

/**
 * `flowdesk audit verify`: checks the audit chain and names the first broken entry.
 * Exit code 0 when the chain is intact, 1 when it is broken, 2 when it could not be
 * checked. Without MONGODB_URI it uses the embedded FerretDB: the running one (while
 * `npm start` runs), or else it starts it on the data directory just for the check.
 */
export async function auditVerifyCommand(config: Config, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const say = (message: string) => process.stderr.write(`[flowdesk] ${message}\n`);
  let embedded: EmbeddedStore | undefined;
  try {
    let uri = config.MONGODB_URI;
    if (!uri) {
      uri = `mongodb://${EMBEDDED_HOST}:${config.FLOWDESK_MONGO_PORT}/`;
      if (!(await canConnect(EMBEDDED_HOST, config.FLOWDESK_MONGO_PORT))) {
        say(`no document store at ${uri}; starting the embedded one on ${config.dataDir} for the check`);
        embedded = await startDocumentStore({ dataDir: config.dataDir, host: EMBEDDED_HOST, port: config.FLOWDESK_MONGO_PORT, timeoutMs: config.FLOWDESK_STARTUP_TIMEOUT_S * 1000, say });
      }
    }
    const db = await connectStore(uri, config.MONGODB_DATABASE);
    try {
      const result = await verifyAudit(db);
      if (result.ok) {
        print(`audit chain OK: ${result.checked} entries verified${result.head ? ` (last #${result.head.seq}, hash ${result.head.hash})` : ''}`);
        return 0;
      }
      print(`audit chain BROKEN at entry #${result.firstBroken.seq}: ${result.firstBroken.reason} (${result.checked} entries before it verified)`);
      return 1;
    } finally {
      await db.close();
    }
  } catch (error) {
    say(`audit verify could not read the audit trail: ${(error as Error).message}. Set MONGODB_URI, or check FLOWDESK_MONGO_PORT / FLOWDESK_DATA_DIR.`);
    return 2;
  } finally {
    await embedded?.service.stop();
  }
}
