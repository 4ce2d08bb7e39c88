import type { Config } from '../runtime/config';
import { withStore } from '../runtime/storeAccess';
import { verifyAudit } from '../store/audit';

/**
 * `flowdesk audit verify`: checks the audit chain and names the first broken entry.
 * Exit code 0 when the chain is intact, 1 when it is broken, 2 when it could not be
 * checked.
 */
export async function auditVerifyCommand(config: Config, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const say = (message: string) => process.stderr.write(`[flowdesk] ${message}\n`);
  try {
    const result = await withStore(config, say, verifyAudit);
    if (result.ok) {
      print(`audit chain OK: ${result.checked} entries verified${result.head ? ` (last #${result.head.seq}, hash ${result.head.hash})` : ''}`);
      return 0;
    }
    print(`audit chain BROKEN at entry #${result.firstBroken.seq}: ${result.firstBroken.reason} (${result.checked} entries before it verified)`);
    return 1;
  } catch (error) {
    say(`audit verify could not read the audit trail: ${(error as Error).message}. Set MONGODB_URI, or check FLOWDESK_MONGO_PORT / FLOWDESK_DATA_DIR.`);
    return 2;
  }
}
