import type { Answers } from '../../domain/catalogItem';
import type { MasterKey } from '../../runtime/masterKey';
import { openSecret, type SealedSecret, sealSecret } from '../vault';

/**
 * A run's secret parameters, sealed with the master key and bound to the run, so they
 * are never stored in clear, never in workflow history, and open only on a worker.
 */
const owner = (runId: string) => ({ id: runId, kind: 'automation_run' });

export function sealRunSecrets(key: MasterKey, runId: string, values: Answers): SealedSecret {
  return sealSecret(key, owner(runId), { params: JSON.stringify(values) });
}

export function openRunSecrets(key: MasterKey, runId: string, sealed: SealedSecret): Answers {
  return JSON.parse(openSecret(key, owner(runId), sealed).params!) as Answers;
}
