import { createHash } from 'node:crypto';
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

/** Lines remembered per rule set: a fleet's hosts mostly get the same line. */
const CHECKS_REMEMBERED = 1000;

/**
 * checkSshLine, remembered per rule set (the object the rules cache hands out: a new one
 * whenever the rules are read again) and line: the check validates the rule set and
 * compiles its patterns each time, about 1 ms, the same for every host that gets the same
 * line. The results are shared: read them, never change them.
 */
export class SshLineChecks {
  private ruleSet: unknown;
  private readonly results = new Map<string, CheckResult>();

  check(line: SshLine, ruleSet: unknown): CheckResult {
    if (ruleSet === undefined) return checkSshLine(line, ruleSet);
    if (ruleSet !== this.ruleSet) {
      this.ruleSet = ruleSet;
      this.results.clear();
    }
    // A digest, not the text: scripts may be long, and a fleet's lines many.
    const key = createHash('sha256').update(JSON.stringify([line.command, line.stdin ?? null, line.stdin === undefined ? null : line.env])).digest('base64');
    let result = this.results.get(key);
    if (!result) {
      if (this.results.size >= CHECKS_REMEMBERED) this.results.clear();
      this.results.set(key, (result = checkSshLine(line, ruleSet)));
    }
    return result;
  }
}
