/**
 * The command line a shell step sends: environment first (`export NAME='value';`, so it
 * reaches every command of a pipeline), then the command, then the quoted arguments.
 * Scripts travel on standard input to their interpreter, never pasted into the line.
 */

import type { ScriptLanguage } from './runbook';
import { ENV_NAME, shellQuote, ShellValueError } from './shell';

/** The interpreter that reads a script of `language` from standard input; arguments follow it. */
export function interpreterOf(language: ScriptLanguage): string {
  switch (language) {
    case 'sh':
      return 'sh -s --';
    case 'bash':
      return 'bash -s --';
    case 'python':
      return 'python3 -';
    case 'powershell':
      // PowerShell reads a script from stdin with -Command -, and takes no arguments that way: use env.
      return 'pwsh -NoLogo -NonInteractive -NoProfile -Command -';
  }
}

export function envExports(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new ShellValueError(`'${name}' is not an environment variable name (A-Z, 0-9 and _, not starting with a digit)`);
      return `export ${name}=${shellQuote(value)};`;
    })
    .join(' ');
}

export function stepCommand(exports: string, command: string, args: readonly string[]): string {
  return [exports, command, ...args.map(shellQuote)].filter((part) => part !== '').join(' ');
}
