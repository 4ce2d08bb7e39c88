import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * What the test fixtures around real Debian daemons (slapd, sshd, snmpd) share: starting
 * one in the foreground in its own process group with its output in a log file, ending
 * it (and it alone) however the test process goes, and quoting its log in errors.
 */

/** Spawns `command` detached (own process group), stdout and stderr appended to `logFile`. */
export function spawnDaemon(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log], detached: true, env });
  fs.closeSync(log);
  if (child.pid) watchForOrphaning(child.pid);
  return child;
}

export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM to the group, SIGKILL after 5 s; then the temp directory goes (when given). */
export async function stopDaemon(child: ChildProcess, dir?: string, name = 'daemon'): Promise<void> {
  if (!hasExited(child)) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) removeDir(dir, name);
}

/** Removes a fixture's temp directory, unless FLOWDESK_TEST_KEEP=1 asks to keep it for a post-mortem. */
export function removeDir(dir: string, name: string): void {
  if (process.env.FLOWDESK_TEST_KEEP === '1') process.stderr.write(`[${name}] kept ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Ends the daemon's group if this (Jest worker) process dies without stopping it; exits once the daemon is gone. */
function watchForOrphaning(childPid: number): void {
  const script = 'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -0 "$1" 2>/dev/null && kill -TERM -"$1" 2>/dev/null; exit 0';
  spawn('/bin/sh', ['-c', script, String(process.pid), String(childPid)], { stdio: 'ignore', detached: true }).unref();
}

export function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The log's last lines, indented for an error message. */
export function tail(file: string, lines = 20): string {
  const text = readFile(file).trimEnd();
  return text ? text.split('\n').slice(-lines).map((line) => `  | ${line}`).join('\n') : '  (no log written)';
}

/** Fails with `hint` when a file a fixture needs is missing (the Debian package is not installed). */
export function requireFiles(files: string[], hint: string): void {
  for (const file of files) if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
}
