/**
 * Values that reach a remote shell are quoted by the engine, never by the template author:
 * a runbook parameter becomes one word whatever it contains. POSIX single quotes take
 * everything literally except the single quote itself, which is closed, escaped and
 * reopened (`'it'\''s'`). NUL cannot travel in an argument or the environment, so it is refused.
 */

export class ShellValueError extends Error {
  override readonly name = 'ShellValueError';
}

/** One shell word that the shell reads back as exactly `value`. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new ShellValueError('a value passed to a shell cannot contain a NUL character');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line from a program and its arguments, every argument quoted. */
export function shellCommand(program: string, args: readonly string[]): string {
  return [program, ...args.map(shellQuote)].join(' ');
}

/** Environment variable names a runbook may set: upper case, digits and _, not starting with a digit. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

/**
 * `NAME='value' …` assignments to put before a command, so a script reads its parameters
 * from the environment instead of from text pasted into it. Names are checked, values quoted.
 */
export function envPrefix(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new ShellValueError(`'${name}' is not an environment variable name (A-Z, 0-9 and _, not starting with a digit)`);
      return `${name}=${shellQuote(value)}`;
    })
    .join(' ');
}
