import os from 'node:os';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { envExports, interpreterOf, stepCommand } from '../../domain/automation/command';
import { maskSecrets, OutputCapture } from '../../domain/automation/output';
import type { StepStatus } from '../../domain/automation/run';
import type { SshCommandStep, SshScriptStep } from '../../domain/automation/runbook';
import type { ResolvedCredential } from '../../domain/credential';
import type { MasterKeySource } from '../../runtime/masterKey';
import { recordStep, setHostStatus, type StepResult } from '../../store/automation/runs';
import { CredentialNotFoundError, resolveCredential } from '../../store/credentials';
import { LiveLog } from './liveLog';
import { runRemote } from './remoteCommand';
import { render, TemplateError } from './render';
import { type RunContext, RunContexts } from './runContext';
import type { HostKeyPolicy } from './hostKeys';
import { isSshUnreachable, lastSshStep, sshCredentialId, withHostSsh } from './hostSsh';
import { secretsOf } from './stepRecord';
import type { SshPool, SshPoolOptions } from './sshPool';

/** What the chunk workflow learns of a step on a host: never its output. */
export interface HostStepSummary {
  status: StepStatus;
  exitCode?: number | null;
}

export interface HostStepInput {
  runId: string;
  seq: number;
  step: number;
  /** Time left of the host's own timeout, when the runbook sets one. */
  hostDeadlineMs?: number;
}

export interface ZoneWorkerSettings {
  /** Connection pool limits (the worker builds the pool, and closes it when it stops). */
  pool?: Partial<SshPoolOptions>;
  hostKeyPolicy?: HostKeyPolicy;
  /** Recorded with every step it runs, so a run shows which worker reached which host (default host name and pid). */
  workerName?: string;
}

const HEARTBEAT_MS = 5_000;

/**
 * The activities of a zone worker: SSH steps on the zone's hosts. Results go straight to
 * the store; the workflow gets the status and exit code. A host that cannot be reached is
 * an outcome (`unreachable`), not a failure to retry: nothing ran. A connection that drops
 * mid-command is `unknown`, which the run asks an operator about.
 */
export function createAutomationHostActivities(db: Connection, masterKey: MasterKeySource, pool: SshPool, settings: ZoneWorkerSettings = {}) {
  const contexts = new RunContexts(db, masterKey);
  const hostKeyPolicy = settings.hostKeyPolicy ?? 'accept-new';
  const worker = settings.workerName ?? `${os.hostname()}/${process.pid}`;

  async function runSshStep(input: HostStepInput): Promise<HostStepSummary> {
    const { run, host, context } = await contexts.forHost(input.runId, input.seq);
    const step = run.definition.steps[input.step] as SshCommandStep | SshScriptStep;
    const startedAt = new Date();
    const attempt = Context.current().info.attempt;
    const finish = async (result: Omit<StepResult, 'startedAt' | 'finishedAt' | 'durationMs' | 'attempt' | 'worker'>): Promise<HostStepSummary> => {
      const finishedAt = new Date();
      await recordStep(db, input.runId, input.seq, step.id, { ...result, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(), attempt, worker });
      return { status: result.status, ...(result.exitCode !== undefined && { exitCode: result.exitCode }) };
    };

    let line: { command: string; stdin?: string };
    try {
      line = commandFor(run, step, input.step, context);
    } catch (error) {
      if (error instanceof TemplateError || error instanceof TypeError) return finish({ status: 'failed', error: error.message });
      throw error;
    }
    const credentialId = sshCredentialId(run, host);
    if ('error' in credentialId) return finish({ status: 'failed', error: credentialId.error });
    let credential: ResolvedCredential;
    try {
      credential = await resolveCredential(db, await masterKey(), credentialId.id);
    } catch (error) {
      if (error instanceof CredentialNotFoundError) return finish({ status: 'failed', error: error.message });
      throw error;
    }
    if (!host.address) return finish({ status: 'unreachable', error: `host ${host.name} has no primary_ip in the CMDB` });

    if (host.status === 'pending') await setHostStatus(db, input.runId, [input.seq], 'running', { startedAt: startedAt.toISOString() });
    const secrets = [...run.secrets, ...secretsOf(credential)];
    const log = new LiveLog(db, input.runId, input.seq, step.id, secrets);
    const stdout = new OutputCapture();
    const stderr = new OutputCapture();
    // The activity's context is taken now: a timer callback may run outside it.
    const activity = Context.current();
    const heartbeat = setInterval(() => activity.heartbeat({ bytes: stdout.result().bytes + stderr.result().bytes }), HEARTBEAT_MS);
    try {
      await log.system(`${step.name ?? step.id} on ${host.name} (${host.address}), attempt ${attempt}`);
      const outcome = await withHostSsh({ db, pool, hostKeyPolicy }, input.runId, { ...host, address: host.address }, credential, async (ssh) => {
        return runRemote(ssh, {
          ...line,
          deadlineMs: Math.min(stepTimeoutMs(run, input.step), input.hostDeadlineMs ?? Infinity),
          signal: Context.current().cancellationSignal,
          onStdout: (chunk) => {
            stdout.push(chunk);
            log.push('stdout', chunk);
          },
          onStderr: (chunk) => {
            stderr.push(chunk);
            log.push('stderr', chunk);
          },
        });
      }, lastSshStep(run, input.step));
      const status: StepStatus = outcome.cancelled ? 'cancelled' : outcome.timedOut ? 'timed_out' : outcome.lost ? 'unknown' : outcome.exitCode === 0 ? 'succeeded' : 'failed';
      await log.system(describe(status, outcome.exitCode, outcome.signal));
      const out = stdout.result();
      const err = stderr.result();
      const summary = await finish({
        status,
        exitCode: outcome.exitCode,
        ...(outcome.signal && { signal: outcome.signal }),
        stdout: maskSecrets(out.text, secrets),
        stderr: maskSecrets(err.text, secrets),
        stdoutBytes: out.bytes,
        stderrBytes: err.bytes,
        omittedBytes: out.omitted + err.omitted,
      });
      if (outcome.cancelled) throw ApplicationFailure.nonRetryable('the run was cancelled; the command was killed', 'Cancelled');
      return summary;
    } catch (error) {
      if (isSshUnreachable(error)) {
        await log.system(error.message);
        return finish({ status: 'unreachable', error: error.message });
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
      await log.close();
    }
  }

  return {
    /** One SSH step (`ssh.command`, `ssh.script`) on one host. */
    runSshStep,
  };
}

/** The command line of a step on this host, every value quoted by the engine. */
function commandFor(run: RunContext, step: SshCommandStep | SshScriptStep, index: number, context: object): { command: string; stdin?: string } {
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, render(value, context, 'word')]));
  const args = (step.args ?? []).map((arg) => render(arg, context, 'word'));
  if (step.type === 'ssh.command') return { command: stepCommand(envExports(env), render(step.command, context, 'shell'), args) };
  const script = run.scripts.find((s) => s.step === index);
  if (!script) throw new TypeError(`step ${step.id} has no script pinned in the run`);
  return { command: stepCommand(envExports(env), interpreterOf(script.language), args), stdin: script.body };
}

function stepTimeoutMs(run: RunContext, index: number): number {
  return run.plans[index]!.timeoutMs;
}

function describe(status: StepStatus, exitCode: number | null, signal?: string): string {
  switch (status) {
    case 'succeeded':
      return 'exit code 0';
    case 'failed':
      return signal ? `ended by signal ${signal}` : `exit code ${exitCode}`;
    case 'timed_out':
      return 'the step ran past its timeout and was killed';
    case 'cancelled':
      return 'the run was cancelled; the command was killed';
    case 'unknown':
      return 'the connection dropped before the command ended: its outcome is unknown';
    default:
      return status;
  }
}
