import { envExports, interpreterOf, stepCommand } from '../../domain/automation/command';
import { type CheckResult, checkScriptFailClosed } from '../../domain/automation/highRisk';
import type { SshCommandStep, SshScriptStep } from '../../domain/automation/runbook';
import { render } from './render';
import type { RunContext } from './runContext';

/** What an SSH step sends to a host: the command line (environment, command, quoted arguments) and a script on stdin. */
export interface SshLine {
  command: string;
  stdin?: string;
  /** The environment the line exports, rendered: the high-risk check reads the script with these values. */
  env: Record<string, string>;
}

/** The command line of a step on this host, every value quoted by the engine. Throws TemplateError, ShellValueError, TypeError. */
export function sshLineFor(run: RunContext, step: SshCommandStep | SshScriptStep, index: number, context: object): SshLine {
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, render(value, context, 'word')]));
  const args = (step.args ?? []).map((arg) => render(arg, context, 'word'));
  if (step.type === 'ssh.command') return { command: stepCommand(envExports(env), render(step.command, context, 'shell'), args), env };
  const script = run.scripts.find((s) => s.step === index);
  if (!script) throw new TypeError(`step ${step.id} has no script pinned in the run`);
  return { command: stepCommand(envExports(env), interpreterOf(script.language), args), stdin: script.body, env };
}

/**
 * The high-risk check of what the line really runs: a command as sent (its exports give
 * the variables their values), a script as the text its interpreter reads, with the
 * step's environment. `ruleSet` undefined (the rules could not be read) blocks.
 */
export function checkSshLine(line: SshLine, ruleSet: unknown): CheckResult {
  return line.stdin === undefined ? checkScriptFailClosed(line.command, ruleSet) : checkScriptFailClosed(line.stdin, ruleSet, { variables: line.env });
}
