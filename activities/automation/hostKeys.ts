import type { Connection } from 'mongoose';
import { updateCi } from '../../store/cmdb/writes';
import type { HostDocument } from '../../store/automation/runs';

/**
 * What a worker does with a host whose key the CMDB does not know yet. `accept-new`
 * (OpenSSH's StrictHostKeyChecking=accept-new): trust it on first use and record it on
 * the CI, so every later connection is checked against it. `strict`: refuse; someone
 * must put the key on the CI first (FLOWDESK_SSH_HOST_KEY_POLICY).
 */
export type HostKeyPolicy = 'accept-new' | 'strict';

export class UnknownHostKey extends Error {
  override readonly name = 'UnknownHostKey';
}

export async function learnHostKey(db: Connection, runId: string, host: HostDocument, hostKey: string, policy: HostKeyPolicy): Promise<void> {
  if (policy === 'strict') {
    throw new UnknownHostKey(`${host.name} presented host key ${hostKey}, and the CMDB knows none for it; the host-key policy is strict: confirm the key and set ssh_host_key on CI ${host.ciId}`);
  }
  host.hostKey = hostKey;
  // Recording is best effort: the step goes on with the key it was shown, and the next run records it.
  await updateCi(db, host.ciId, { attributes: { ssh_host_key: hostKey } }, { actor: { type: 'automation', id: runId }, source: 'ssh' }).catch(() => undefined);
}
