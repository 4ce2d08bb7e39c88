/**
 * Commands that run another command given as their arguments (`sudo rm …`, `timeout 5 rm …`):
 * the check looks through them at the command they run. Options are read from each tool's
 * documented option list, so the option that takes a value (`sudo -u root`) does not pass
 * for the command. docs/automation-safety.md#what-the-check-looks-through.
 */

export interface Wrapper {
  /** Options whose value is the next word (`-u root`); `--name=value` and `-uroot` need no entry. */
  values?: string[];
  /** Words of the wrapper's own before the command: timeout's duration, chroot's new root. */
  positional?: number;
  /** `NAME=value` words before the command, as `env` takes them. */
  assignments?: boolean;
  /** Options after which nothing is run (`command -v rm` only prints a path). */
  noCommand?: string[];
  /** Options whose value is a shell command line (`flock -c '…'`), checked as a script. */
  scripts?: string[];
  /** Options that open a shell when no command follows (`sudo -s`). */
  shell?: string[];
}

export const WRAPPERS: Record<string, Wrapper> = {
  sudo: {
    values: ['-C', '-D', '-g', '-h', '-p', '-R', '-r', '-t', '-T', '-U', '-u', '--close-from', '--chdir', '--chroot', '--group', '--host', '--prompt', '--role', '--type', '--command-timeout', '--other-user', '--user'],
    noCommand: ['-l', '--list', '-v', '--validate', '-K', '--remove-timestamp', '-V', '--version', '-e', '--edit', '--help'],
    shell: ['-s', '--shell', '-i', '--login'],
  },
  doas: { values: ['-C', '-u'], shell: ['-s'] },
  pkexec: { values: ['--user'] },
  env: { values: ['-u', '--unset', '-C', '--chdir', '-P'], assignments: true, scripts: ['-S', '--split-string'] },
  command: { noCommand: ['-v', '-V'] },
  builtin: {},
  exec: { values: ['-a'] },
  nohup: {},
  setsid: {},
  time: { values: ['-f', '--format', '-o', '--output'] },
  nice: { values: ['-n', '--adjustment'] },
  ionice: { values: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'], noCommand: ['-p', '--pid', '-P', '--pgid', '-u', '--uid'] },
  chrt: { positional: 1, noCommand: ['-p', '--pid', '-m', '--max'] },
  taskset: { positional: 1, noCommand: ['-p', '--pid'] },
  stdbuf: { values: ['-i', '--input', '-o', '--output', '-e', '--error'] },
  timeout: { values: ['-s', '--signal', '-k', '--kill-after'], positional: 1 },
  xargs: { values: ['-a', '--arg-file', '-d', '--delimiter', '-E', '-I', '-L', '--max-lines', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars', '--process-slot-var'] },
  flock: { values: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'], positional: 1, scripts: ['-c', '--command'] },
  chroot: { values: ['--userspec', '--groups'], positional: 1 },
  nsenter: { values: ['-t', '--target', '-S', '--setuid', '-G', '--setgid'] },
  unshare: { values: ['-R', '--root', '-w', '--wd', '-S', '--setuid', '-G', '--setgid', '--map-user', '--map-group', '--propagation'] },
  busybox: {},
  toybox: {},
  'systemd-run': {
    values: ['-u', '--unit', '-p', '--property', '--description', '--slice', '-E', '--setenv', '--uid', '--gid', '-H', '--host', '-M', '--machine', '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-calendar', '--timer-property', '--path-property', '--socket-property'],
  },
  strace: { values: ['-e', '-o', '-p', '-s', '-u', '-E', '-P', '-a', '-b', '-I', '-O', '-S', '-X'] },
  watch: { values: ['-n', '--interval', '-q', '--equexit'] },
};

/** Shells: `-c` makes their first operand a script; without one (or with `-s`) they read a script from stdin. */
export const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'lksh', 'ash', 'yash', 'posh', 'fish', 'csh', 'tcsh']);

/** `ssh` options that take a value; the first other word is the host, the rest the remote command line. */
export const SSH_VALUES = new Set(['-B', '-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w']);

/** `su`/`runuser` (su mode) and `sg`: the command they run is a shell command line. */
export const SU_VALUES = new Set(['-g', '--group', '-G', '--supp-group', '-s', '--shell', '-w', '--whitelist-environment']);
export const SU_SCRIPTS = new Set(['-c', '--command', '--session-command']);

/** `docker exec` and its look-alikes: options, the container, then the command. */
export const CONTAINER_EXEC_VALUES = new Set(['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys']);

export type Unwrapped = { kind: 'command'; words: string[] } | { kind: 'script'; text: string } | { kind: 'shell' } | { kind: 'none' };

/**
 * What a wrapper runs: the command words after its options, a script given to an option,
 * a shell (`sudo -s` alone) or nothing (`command -v rm`).
 */
export function unwrap(wrapper: Wrapper, args: string[]): Unwrapped {
  const values = new Set(wrapper.values ?? []);
  const scripts = new Set(wrapper.scripts ?? []);
  let shell = false;
  let k = 0;
  let positional = wrapper.positional ?? 0;
  while (k < args.length) {
    const arg = args[k]!;
    if (arg === '--') {
      k++;
      break;
    }
    if (wrapper.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      k++;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (positional === 0) break;
      positional--;
      k++;
      continue;
    }
    const long = arg.startsWith('--');
    const [name, inline] = long ? splitLong(arg) : [arg.slice(0, 2), arg.length > 2 ? arg.slice(2) : undefined];
    if (wrapper.noCommand?.includes(name)) return { kind: 'none' };
    if (wrapper.shell?.includes(name)) shell = true;
    if (scripts.has(name)) {
      const text = inline ?? args[k + 1];
      return text === undefined ? { kind: 'none' } : { kind: 'script', text };
    }
    if (long) {
      k += values.has(name) && inline === undefined ? 2 : 1;
      continue;
    }
    // A bundle of short flags (`-iu root`, `-Eu root`): the first letter that takes a value takes the rest or the next word.
    const letters = arg.slice(1);
    const at = [...letters].findIndex((letter) => values.has(`-${letter}`));
    for (const letter of letters.slice(0, at < 0 ? undefined : at)) if (wrapper.shell?.includes(`-${letter}`)) shell = true;
    k += at >= 0 && at === letters.length - 1 ? 2 : 1;
  }
  const words = args.slice(k);
  if (words.length === 0) return shell ? { kind: 'shell' } : { kind: 'none' };
  return { kind: 'command', words };
}

function splitLong(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
