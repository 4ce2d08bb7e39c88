import { createHash, randomBytes } from 'node:crypto';
import type { NodeSSH } from 'node-ssh';
import type { SshUploadStep } from '../../domain/automation/runbook';
import { shellQuote } from '../../domain/automation/shell';
import {
  checkRemotePath,
  DEFAULT_UPLOAD_MODE,
  MAX_UPLOAD_BYTES,
  parseMode,
  parseOwner,
  parseProbe,
  parseSha256,
  PROBE_ABSENT,
  PROBE_NOT_FILE,
  tempPathFor,
  UploadError,
  uploadPlan,
} from '../../domain/automation/upload';
import { type HostSshDeps, isSshUnreachable, lastSshStep, sshCredentialId, withHostSsh } from './hostSsh';
import type { HostStepInput, HostStepSummary } from './hostSteps';
import { runRemote } from './remoteCommand';
import { render, TemplateError } from './render';
import { guarded, HostStep, StepCancelled, type StepDeps } from './stepRecord';

/**
 * The `ssh.upload` step: a file put on the host over SFTP, on the run's pooled SSH
 * connection. The host is asked first (`sha256sum` and `stat`); a file that already has the
 * content is not written (`unchanged`, or only its mode and owner fixed). Otherwise the
 * content goes to a hidden temporary name beside the target, gets its mode and owner, is
 * checked with `sha256sum` on the host against the hash computed here, and only then is
 * renamed over the target (atomic on one file system): a failed or corrupted upload never
 * replaces the file. Idempotent by nature. docs/automation-steps.md#sshupload.
 */

/** Each remote command of an upload (probe, chown, checksum, rename) gets at most this long. */
const COMMAND_DEADLINE_MS = 60_000;

export type UploadResult = 'created' | 'replaced' | 'attributes' | 'unchanged';

export function createUploadStepActivities(deps: StepDeps, ssh: HostSshDeps) {
  async function runUploadStep(input: HostStepInput): Promise<HostStepSummary> {
    const step = await HostStep.begin<SshUploadStep>(deps, input);
    return guarded(step, () => uploadStep(step, ssh));
  }

  return {
    /** One `ssh.upload` step on one host. */
    runUploadStep,
  };
}

async function uploadStep(step: HostStep<SshUploadStep>, deps: HostSshDeps): Promise<HostStepSummary> {
  const { run, host, input } = step;
  let file: { path: string; content: Buffer; mode: number; owner?: { user: string; group?: string }; source: string };
  try {
    file = fileOf(step);
  } catch (error) {
    if (error instanceof TemplateError || error instanceof UploadError) return step.fail(error.message);
    throw error;
  }
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  const found = sshCredentialId(run, host);
  if ('error' in found) return step.fail(found.error);
  const credential = await step.credential(found.id);
  if (!host.address) return step.finish({ status: 'unreachable', error: `host ${host.name} has no primary_ip in the CMDB` });

  await step.start();
  step.say(`upload ${file.source} (${file.content.length} bytes, sha256 ${sha256}) to ${file.path}, mode ${file.mode.toString(8).padStart(4, '0')}${file.owner ? `, owner ${ownerText(file.owner)}` : ''}`);
  const wanted = { sha256, mode: file.mode, ...(file.owner && { owner: file.owner }) };
  try {
    const result = await withHostSsh(deps, input.runId, { ...host, address: host.address }, credential, (ssh) => upload(ssh, file, wanted, step.signal), lastSshStep(run, input.step));
    const output = { path: file.path, sha256, bytes: file.content.length, mode: file.mode.toString(8).padStart(4, '0'), ...(file.owner && { owner: ownerText(file.owner) }), result, changed: result !== 'unchanged', source: file.source };
    return step.finish({ status: 'succeeded', output, stdout: `${result}: ${file.path} (sha256 ${sha256}${result === 'unchanged' ? ', already on the host' : ', verified on the host'})\n` });
  } catch (error) {
    if (error instanceof StepCancelled) return step.cancelled();
    if (error instanceof UploadError) return step.fail(error.message);
    if (error instanceof UploadTimeout) return step.finish({ status: 'timed_out', error: error.message });
    if (isSshUnreachable(error)) return step.finish({ status: 'unreachable', error: error.message });
    // The connection dropped mid-upload: the temporary file may be left, the target is whole. Safe to try again.
    throw error;
  }
}

/** What to put where, rendered for this host. */
function fileOf(step: HostStep<SshUploadStep>) {
  const definition = step.step;
  let text: string;
  let source: string;
  if (definition.content !== undefined) {
    text = render(definition.content, step.context, 'text');
    source = 'inline content';
  } else {
    const pinned = step.run.scripts.find((s) => s.step === step.input.step);
    if (!pinned) throw new UploadError(`step ${definition.id} has no script pinned in the run`);
    text = pinned.body;
    source = `script ${pinned.id} version ${pinned.version}`;
  }
  const content = Buffer.from(text, 'utf8');
  if (content.length > MAX_UPLOAD_BYTES) throw new UploadError(`the content is ${content.length} bytes; an upload takes at most ${MAX_UPLOAD_BYTES}`);
  return {
    path: checkRemotePath(render(definition.path, step.context, 'text').trim()),
    content,
    mode: parseMode(definition.mode ?? DEFAULT_UPLOAD_MODE),
    ...(definition.owner !== undefined && { owner: parseOwner(render(definition.owner, step.context, 'text')) }),
    source,
  };
}

class UploadTimeout extends Error {
  override readonly name = 'UploadTimeout';
}

async function upload(ssh: NodeSSH, file: { path: string; content: Buffer; mode: number; owner?: { user: string; group?: string } }, wanted: Parameters<typeof uploadPlan>[1], signal: AbortSignal): Promise<UploadResult> {
  const quoted = shellQuote(file.path);
  // A symbolic link is not followed, and not replaced: it is "not a file".
  const probe = await exec(ssh, `if [ -L ${quoted} ]; then echo ${PROBE_NOT_FILE}; elif [ -f ${quoted} ]; then sha256sum < ${quoted} && stat -c '%a %U %G' -- ${quoted}; elif [ -e ${quoted} ]; then echo ${PROBE_NOT_FILE}; else echo ${PROBE_ABSENT}; fi`, signal, 'look at the file');
  const current = parseProbe(probe);
  const plan = uploadPlan(current, wanted);
  if (plan === 'unchanged') return 'unchanged';
  if (plan === 'attributes') {
    await setAttributes(ssh, file.path, file, signal);
    return 'attributes';
  }

  const temp = tempPathFor(file.path, randomBytes(6).toString('hex'));
  let renamed = false;
  try {
    await put(ssh, temp, file.content, file.mode);
    await setAttributes(ssh, temp, file, signal);
    const written = parseSha256(await exec(ssh, `sha256sum < ${shellQuote(temp)}`, signal, 'checksum the upload'));
    if (written !== wanted.sha256) throw new UploadError(`checksum mismatch: the host computed sha256 ${written ?? '(none)'} for the uploaded file, not ${wanted.sha256}; the target was left as it was`);
    await exec(ssh, `mv -f -- ${shellQuote(temp)} ${quoted}`, signal, 'rename it into place');
    renamed = true;
  } finally {
    if (!renamed) await exec(ssh, `rm -f -- ${shellQuote(temp)}`, new AbortController().signal, 'remove the temporary file').catch(() => undefined);
  }
  return plan === 'create' ? 'created' : 'replaced';
}

/** Mode over SFTP; owner with chown (SFTP's chown takes numbers, the step takes names). */
async function setAttributes(ssh: NodeSSH, path: string, file: { mode: number; owner?: { user: string; group?: string } }, signal: AbortSignal): Promise<void> {
  const sftp = await sftpOf(ssh);
  try {
    await new Promise<void>((resolve, reject) => sftp.chmod(path, file.mode, (error: Error | null | undefined) => (error ? reject(sftpError('set the mode of', path, error)) : resolve())));
  } finally {
    sftp.end();
  }
  if (file.owner) await exec(ssh, `chown -- ${shellQuote(ownerText(file.owner))} ${shellQuote(path)}`, signal, 'set the owner');
}

async function put(ssh: NodeSSH, path: string, content: Buffer, mode: number): Promise<void> {
  const sftp = await sftpOf(ssh);
  try {
    await new Promise<void>((resolve, reject) => sftp.writeFile(path, content, { mode }, (error: Error | null | undefined) => (error ? reject(sftpError('write', path, error)) : resolve())));
  } finally {
    sftp.end();
  }
}

/** An SFTP session on the connection; a host whose sshd has no SFTP subsystem is told apart. */
async function sftpOf(ssh: NodeSSH) {
  try {
    return await ssh.requestSFTP();
  } catch (error) {
    if (/subsystem/i.test((error as Error).message)) throw new UploadError(`the host's sshd offers no SFTP (${(error as Error).message}): add 'Subsystem sftp …' to its sshd_config`);
    throw error;
  }
}

function sftpError(what: string, path: string, error: Error & { code?: number }): Error {
  // SFTP status codes (draft-ietf-secsh-filexfer-02): 2 no such file, 3 permission denied, 4 failure.
  if (error.code === 2 || error.code === 3 || error.code === 4) return new UploadError(`cannot ${what} ${path} over SFTP: ${error.message}${error.code === 2 ? ' (does the directory exist?)' : ''}`);
  return error;
}

/** A short command on the host: its stdout, or an UploadError with its stderr. */
async function exec(ssh: NodeSSH, command: string, signal: AbortSignal, what: string): Promise<string> {
  let stdout = '';
  let stderr = '';
  const outcome = await runRemote(ssh, { command, deadlineMs: COMMAND_DEADLINE_MS, signal, onStdout: (chunk) => (stdout += chunk), onStderr: (chunk) => (stderr += chunk) });
  if (outcome.cancelled) throw new StepCancelled('the run was cancelled');
  if (outcome.timedOut) throw new UploadTimeout(`the host did not ${what} within ${COMMAND_DEADLINE_MS / 1000} s`);
  if (outcome.lost) throw new Error(`the connection dropped while the host was asked to ${what}`);
  if (outcome.exitCode !== 0) throw new UploadError(`could not ${what} (exit code ${outcome.exitCode}${outcome.exitCode === 127 ? ': is sha256sum (coreutils) installed?' : ''}): ${stderr.trim().slice(0, 500) || 'no message'}`);
  return stdout;
}

const ownerText = (owner: { user: string; group?: string }) => (owner.group ? `${owner.user}:${owner.group}` : owner.user);
