import { ApplicationFailure } from '@temporalio/activity';
import { OutputCapture } from '../../domain/automation/output';
import type { StepStatus } from '../../domain/automation/run';
import type { SshCommandStep, SshScriptStep } from '../../domain/automation/runbook';
import { runRemote } from './remoteCommand';
import { TemplateError } from './render';
import { type SshLine, SshLineChecks, sshLineFor } from './sshLine';
import type { HighRiskRuleSet } from '../../domain/automation/highRisk';
import { hostVerdict } from '../../domain/automation/risk';
import { ShellValueError } from '../../domain/automation/shell';
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
 * drops mid-command is `unknown`, which the run asks an operator about. What the step
 * sends is checked for high-risk commands first (domain/automation/risk.ts): a step the
 * check refuses is `blocked` and nothing is sent.
 */
export function createAutomationHostActivities(deps: StepDeps, ssh: HostSshDeps, highRiskRules: () => Promise<HighRiskRuleSet>) {
  const checks = new SshLineChecks();
  async function runSshStep(input: HostStepInput): Promise<HostStepSummary> {
    const step = await HostStep.begin<SshCommandStep | SshScriptStep>(deps, input);
    return guarded(step, async () => {
      const { run, host } = step;
      let line: SshLine;
      try {
        line = sshLineFor(run, step.step, input.step, step.context);
      } catch (error) {
        if (error instanceof TemplateError || error instanceof ShellValueError || error instanceof TypeError) return step.fail(error.message);
        throw error;
      }
      const verdict = hostVerdict(step.step.id, checks.check(line, await highRiskRules().catch(() => undefined)), run.risk);
      if (!verdict.go) return step.finish({ status: 'blocked', error: verdict.reason, output: { findings: verdict.findings } });
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
          (connection) => {
            // The handshake may have waited for a slot: the run may have gone on without this attempt since.
            step.goOn();
            return runRemote(connection, {
              command: line.command,
              ...(line.stdin !== undefined && { stdin: line.stdin }),
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
            });
          },
          lastSshStep(run, input.step),
        );
        const status: StepStatus = outcome.cancelled ? 'cancelled' : outcome.timedOut ? 'timed_out' : outcome.lost ? 'unknown' : outcome.exitCode === 0 ? 'succeeded' : 'failed';
        step.say(describe(status, outcome.exitCode, outcome.signal));
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
