import { createHash } from 'node:crypto';
import { NodeSSH } from 'node-ssh';
import type { ResolvedCredential } from '../../domain/credential';

/**
 * SSH connections (node-ssh over ssh2) from a stored credential, a key or a password.
 * The host key's fingerprint is captured (in the `SHA256:…` form ssh-keygen prints) and,
 * when the caller knows the host's key already, checked: a host whose key changed is
 * refused, never silently trusted.
 */

export interface SshTarget {
  address: string;
  port: number;
  timeoutMs: number;
  /** The fingerprint this host must present; unknown hosts are accepted on first use. */
  knownHostKey?: string;
}

export class SshNoResponse extends Error {
  override readonly name = 'SshNoResponse';
}

export class SshHostKeyMismatch extends Error {
  override readonly name = 'SshHostKeyMismatch';
}

export class SshAuthFailed extends Error {
  override readonly name = 'SshAuthFailed';
}

export const sshFingerprint = (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

export async function openSsh(target: SshTarget, credential: ResolvedCredential): Promise<{ ssh: NodeSSH; hostKey: string }> {
  if (credential.kind !== 'ssh_key' && credential.kind !== 'ssh_password') {
    throw new TypeError(`credential ${credential.name} is ${credential.kind}, not an SSH credential (ssh_key or ssh_password)`);
  }
  let hostKey = '';
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: target.address,
      port: target.port,
      username: credential.username,
      ...(credential.kind === 'ssh_key' ? { privateKey: credential.privateKey, passphrase: credential.passphrase } : { password: credential.password }),
      readyTimeout: target.timeoutMs,
      keepaliveInterval: 10_000,
      hostVerifier: (key: Buffer) => {
        hostKey = sshFingerprint(key);
        return !target.knownHostKey || target.knownHostKey === hostKey;
      },
    });
  } catch (error) {
    ssh.dispose();
    throw classify(error as Error & { level?: string; code?: string }, target, hostKey);
  }
  return { ssh, hostKey };
}

function classify(error: Error & { level?: string; code?: string }, target: SshTarget, hostKey: string): Error {
  if (target.knownHostKey && hostKey && hostKey !== target.knownHostKey) {
    return new SshHostKeyMismatch(`the host key of ${target.address} is ${hostKey}, not the known ${target.knownHostKey}: the host was rebuilt or someone is in the middle; confirm and clear the CI's ssh_host_key to accept the new key`);
  }
  if (error.level === 'client-authentication') return new SshAuthFailed(`${target.address} refused the credential: ${error.message}`);
  if (error.level === 'client-timeout' || ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET'].includes(error.code ?? '')) {
    return new SshNoResponse(`no SSH answer from ${target.address}:${target.port} (${error.code ?? error.message})`);
  }
  return error;
}
