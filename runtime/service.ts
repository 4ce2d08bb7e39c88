import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canConnect, isPortFree } from './ports';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  host: string;
  port: number;
  /** Environment variable or setting that changes the port, named in the "port taken" message. */
  portSetting: string;
  logFile: string;
  /** Directory for the pid file that lets the next start clean up after a crash. */
  runDir: string;
  timeoutMs: number;
  /** Extra readiness probe after the port accepts connections. */
  ready?: () => Promise<void>;
}

/** A server FlowDesk runs as a child process, with its own log file. */
export class EmbeddedService {
  private constructor(
    readonly spec: ServiceSpec,
    private readonly child: ChildProcess,
    private readonly pidFile: string,
  ) {}

  get url(): string {
    return `${this.spec.host}:${this.spec.port}`;
  }

  static async start(spec: ServiceSpec): Promise<EmbeddedService> {
    fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
    fs.mkdirSync(spec.runDir, { recursive: true });
    const pidFile = path.join(spec.runDir, `${spec.name}.pid`);
    await killLeftover(pidFile, spec.command);
    if (!(await isPortFree(spec.host, spec.port))) {
      throw new Error(
        `${spec.name} cannot start: port ${spec.port} on ${spec.host} is taken by another program. ` +
          `Stop that program, or choose another port with ${spec.portSetting}=<port>.`,
      );
    }
    const log = fs.openSync(spec.logFile, 'a');
    // Own process group: a terminal's Ctrl-C reaches only FlowDesk, which then stops
    // the services in order (API, worker, then the servers they use).
    const child = spawn(spec.command, spec.args, { stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    const service = new EmbeddedService(spec, child, pidFile);
    if (child.pid) {
      fs.writeFileSync(pidFile, `${child.pid}\n${spec.command}\n`);
      watchForOrphaning(child.pid);
    }
    try {
      await service.waitReady();
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  private async waitReady(): Promise<void> {
    const { name, host, port, timeoutMs, logFile } = this.spec;
    const deadline = Date.now() + timeoutMs;
    let lastError = 'port not open';
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${name} exited during start-up (code ${this.child.exitCode ?? this.child.signalCode}).\n${tail(logFile)}\nFull log: ${logFile}`);
      }
      try {
        if (!(await canConnect(host, port))) throw new Error('port not open');
        await this.spec.ready?.();
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(250);
    }
    throw new Error(`${name} did not become ready within ${timeoutMs / 1000} s (${lastError}). Its log: ${logFile}\n${tail(logFile)}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 15_000): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    signalGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.child.pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    fs.rmSync(this.pidFile, { force: true });
  }
}

/**
 * The server runs in its own process group, so it would outlive a FlowDesk (or Jest)
 * process that is killed hard. A tiny shell watchdog ends the group once we are gone.
 */
function watchForOrphaning(childPid: number): void {
  const script = 'while kill -0 "$0" 2>/dev/null; do sleep 2; done; kill -TERM -"$1" 2>/dev/null; sleep 10; kill -KILL -"$1" 2>/dev/null';
  spawn('/bin/sh', ['-c', script, String(process.pid), String(childPid)], { stdio: 'ignore', detached: true }).unref();
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** A previous run that crashed may have left its server behind; end it before we start. */
async function killLeftover(pidFile: string, command: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const [pidText, recorded] = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidText);
  fs.rmSync(pidFile, { force: true });
  if (!pid || recorded !== command || !isAlive(pid) || !cmdlineOf(pid).startsWith(command)) return;
  signalGroup(pid, 'SIGTERM');
  for (let i = 0; i < 40 && isAlive(pid); i++) await sleep(250);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((line) => `  | ${line}`).join('\n');
  } catch {
    return '  (no log written)';
  }
}
