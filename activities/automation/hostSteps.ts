import { ApplicationFailure } from '@temporalio/activity';
import { envExports, interpreterOf, stepCommand } from '../../domain/automation/command';
import { OutputCapture } from '../../domain/automation/output';
import type { StepStatus } from '../../domain/automation/run';
import type { SshCommandStep, SshScriptStep } from '../../domain/automation/runbook';
import { runRemote } from './remoteCommand';
import { render, TemplateError } from './render';
import type { RunContext } from './runContext';
import type { HostKeyPolicy } from './hostKeys';
import { type HostSshDeps, isSshUnreachable, lastSshStep, sshCredentialId, withHostSsh } from './hostSsh';
import { guarded, HostStep, type StepDeps } from './stepRecord';
import type { SshPoolOptions } from './sshPool';

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

/**
 * The SSH step activity of a zone worker (`ssh.command`, `ssh.script`). Results go straight
 * to the store; the workflow gets the status and exit code. A host that cannot be reached
 * is an outcome (`unreachable`), not a failure to retry: nothing ran. A connection that
 * drops mid-command is `unknown`, which the run asks an operator about.
 */
export function createAutomationHostActivities(deps: StepDeps, ssh: HostSshDeps) {
  async function runSshStep(input: HostStepInput): Promise<HostStepSummary> {
    const step = await HostStep.begin<SshCommandStep | SshScriptStep>(deps, input);
    return guarded(step, async () => {
      const { run, host } = step;
      let line: { command: string; stdin?: string };
      try {
        line = commandFor(run, step.step, input.step, step.context);
      } catch (error) {
        if (error instanceof TemplateError || error instanceof TypeError) return step.fail(error.message);
        throw error;
      }
      const credentialId = sshCredentialId(run, host);
      if ('error' in credentialId) return step.fail(credentialId.error);
      const credential = await step.credential(credentialId.id);
      if (!host.address) return step.finish({ status: 'unreachable', error: `host ${host.name} has no primary_ip in the CMDB` });
      await step.start();
      const stdout = new OutputCapture();
      const stderr = new OutputCapture();
      try {
        const outcome = await withHostSsh(
          ssh,
          input.runId,
          { ...host, address: host.address },
          credential,
          (connection) =>
            runRemote(connection, {
              ...line,
              deadlineMs: step.deadlineMs,
              signal: step.signal,
              onStdout: (chunk) => {
                stdout.push(chunk);
                step.output('stdout', chunk);
              },
              onStderr: (chunk) => {
                stderr.push(chunk);
                step.output('stderr', chunk);
              },
            }),
          lastSshStep(run, input.step),
        );
        const status: StepStatus = outcome.cancelled ? 'cancelled' : outcome.timedOut ? 'timed_out' : outcome.lost ? 'unknown' : outcome.exitCode === 0 ? 'succeeded' : 'failed';
        await step.say(describe(status, outcome.exitCode, outcome.signal));
        const out = stdout.result();
        const err = stderr.result();
        const summary = await step.finish({
          status,
          exitCode: outcome.exitCode,
          ...(outcome.signal && { signal: outcome.signal }),
          stdout: out.text,
          stderr: err.text,
          stdoutBytes: out.bytes,
          stderrBytes: err.bytes,
          omittedBytes: out.omitted + err.omitted,
        });
        if (outcome.cancelled) throw ApplicationFailure.nonRetryable('the run was cancelled; the command was killed', 'Cancelled');
        return summary;
      } catch (error) {
        if (isSshUnreachable(error)) return step.finish({ status: 'unreachable', error: error.message });
        throw error;
      }
    });
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
