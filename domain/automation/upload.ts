/**
 * The pure half of the `ssh.upload` step: the remote path, mode and owner checked, the
 * temporary name beside the target, and what the host says of the file already there.
 * docs/automation-steps.md#sshupload.
 */

export const DEFAULT_UPLOAD_MODE = '0644';
export const MODE = /^0?[0-7]{3}$/;
/** `user` or `user:group`, POSIX portable names (a trailing $ for machine accounts). */
export const OWNER = /^[A-Za-z_][A-Za-z0-9._-]{0,31}\$?(?::[A-Za-z_][A-Za-z0-9._-]{0,31}\$?)?$/;
export const MAX_PATH = 4096;
/** Uploaded content at most (UTF-8 bytes): a runbook carries it in its definition. */
export const MAX_UPLOAD_BYTES = 256 * 1024;

export class UploadError extends Error {
  override readonly name = 'UploadError';
}

/** An absolute, normalised path: no `.` or `..` segments, no empty name, no control characters. */
export function checkRemotePath(path: string): string {
  if (!path.startsWith('/')) throw new UploadError(`the path must be absolute (start with /); got '${path}'`);
  if (path.length > MAX_PATH) throw new UploadError(`the path is longer than ${MAX_PATH} characters`);
  if ([...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new UploadError('the path contains a control character (a line break, a tab, NUL…)');
  if (path.endsWith('/')) throw new UploadError(`the path '${path}' names a directory; name the file`);
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new UploadError(`the path '${path}' has an empty, '.' or '..' segment; write it plainly`);
  return path;
}

/** Permission bits of an octal string ('0644', '755'); setuid, setgid and sticky bits are not set by uploads. */
export function parseMode(text: string): number {
  if (!MODE.test(text)) throw new UploadError(`mode is octal permission bits such as '0644' or '0755'; got '${text}'`);
  return parseInt(text, 8);
}

export function parseOwner(text: string): { user: string; group?: string } {
  const owner = text.trim();
  if (!OWNER.test(owner)) throw new UploadError(`owner is 'user' or 'user:group' (letters, digits, . _ -); got '${text}'`);
  const [user, group] = owner.split(':') as [string, string | undefined];
  return { user, ...(group !== undefined && { group }) };
}

/** A hidden name beside the target, so the final rename stays on one file system (and is atomic). */
export function tempPathFor(path: string, nonce: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1).slice(0, 200)}.flowdesk-${nonce}`;
}

export type RemoteFile = { kind: 'absent' } | { kind: 'not_a_file' } | { kind: 'file'; sha256: string; mode: number; user: string; group: string };

/** Marks of the probe's answer (see uploadSteps.ts probe). */
export const PROBE_ABSENT = 'flowdesk:absent';
export const PROBE_NOT_FILE = 'flowdesk:not-a-file';

/** The probe's output: a mark, or `<sha256>  -` then `<octal mode> <user> <group>`. */
export function parseProbe(stdout: string): RemoteFile {
  const text = stdout.trim();
  if (text === PROBE_ABSENT) return { kind: 'absent' };
  if (text === PROBE_NOT_FILE) return { kind: 'not_a_file' };
  const match = /^([0-9a-f]{64})\s+-\s*\n\s*([0-7]{1,4})\s+(\S+)\s+(\S+)$/.exec(text);
  if (!match) throw new UploadError(`the host's answer about the file is not what sha256sum and stat print: '${text.slice(0, 200)}'`);
  return { kind: 'file', sha256: match[1]!, mode: parseInt(match[2]!, 8) & 0o777, user: match[3]!, group: match[4]! };
}

/** The first SHA-256 that `sha256sum` printed. */
export function parseSha256(stdout: string): string | null {
  return /^([0-9a-f]{64})\b/m.exec(stdout)?.[1] ?? null;
}

/** What an upload does given what is there: write it, fix its mode or owner only, or nothing. */
export function uploadPlan(current: RemoteFile, wanted: { sha256: string; mode: number; owner?: { user: string; group?: string } }): 'create' | 'replace' | 'attributes' | 'unchanged' {
  if (current.kind === 'not_a_file') throw new UploadError('the path is there but is not a regular file (a directory, a link or a device); it is left alone');
  if (current.kind === 'absent') return 'create';
  if (current.sha256 !== wanted.sha256) return 'replace';
  const ownerDiffers = wanted.owner !== undefined && (wanted.owner.user !== current.user || (wanted.owner.group !== undefined && wanted.owner.group !== current.group));
  return current.mode !== wanted.mode || ownerDiffers ? 'attributes' : 'unchanged';
}
