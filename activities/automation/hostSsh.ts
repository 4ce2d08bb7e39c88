import type { NodeSSH } from 'node-ssh';
import type { Connection } from 'mongoose';
import { SSH_STEP_TYPES } from '../../domain/automation/runbook';
import type { ResolvedCredential } from '../../domain/credential';
import type { HostDocument } from '../../store/automation/runs';
import { SshAuthFailed, SshHostKeyMismatch, SshNoResponse } from '../clients/ssh';
import { type HostKeyPolicy, learnHostKey, UnknownHostKey } from './hostKeys';
import type { RunContext } from './runContext';
import type { SshPool } from './sshPool';

/**
 * How SSH steps reach a host, whatever they do there (a command, a script, an upload): the
 * run's pooled connection per host, the host key checked against the CI's (or learnt on
 * first use, by policy), and the errors that mean nothing happened on the host.
 */

export const CONNECT_TIMEOUT_MS = 20_000;

export interface HostSshDeps {
  db: Connection;
  pool: SshPool;
  hostKeyPolicy: HostKeyPolicy;
}

/** The credential id an SSH step uses on `host`: the CI's ssh_credential, else the run's; or why there is none. */
export function sshCredentialId(run: Pick<RunContext, 'credential'>, host: HostDocument): { id: string } | { error: string } {
  const id = host.credential ?? run.credential;
  return id ? { id } : { error: `host ${host.name} has no ssh_credential in the CMDB and the run names none: set one on the CI or start the run with a credential` };
}

/** `use` with the run's connection to the host (opened when there is none); `last`: no later step needs it. */
export function withHostSsh<T>(deps: HostSshDeps, runId: string, host: HostDocument & { address: string }, credential: ResolvedCredential, use: (ssh: NodeSSH) => Promise<T>, last = false): Promise<T> {
  return deps.pool.with(
    `${runId}|${host.ciId}`,
    { address: host.address, port: host.port, timeoutMs: CONNECT_TIMEOUT_MS, knownHostKey: host.hostKey ?? undefined },
    credential,
    async (ssh, hostKey) => {
      if (!host.hostKey) await learnHostKey(deps.db, runId, host, hostKey, deps.hostKeyPolicy);
      return use(ssh);
    },
    last,
  );
}

/** The connection could not be made (no answer, refused credential, changed or unknown host key): nothing ran on the host. */
export function isSshUnreachable(error: unknown): error is SshNoResponse | SshAuthFailed | SshHostKeyMismatch | UnknownHostKey {
  return error instanceof SshNoResponse || error instanceof SshAuthFailed || error instanceof SshHostKeyMismatch || error instanceof UnknownHostKey;
}

/** No later step of the run uses SSH on this host, so its connection may close after this one. */
export function lastSshStep(run: Pick<RunContext, 'plans'>, index: number): boolean {
  return !run.plans.slice(index + 1).some((plan) => SSH_STEP_TYPES.has(plan.type));
}
