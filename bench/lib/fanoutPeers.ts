import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FanoutTargets } from './fanoutHosts';

/**
 * The peers of the SSH fan-out bench: the same command on every target with the same
 * parallelism, by `parallel-ssh` (the bare-SSH floor) and by Ansible ad hoc (`-m raw` and
 * `-m command`). FlowDesk is the fourth peer (bench/lib/fanoutFlowdesk.ts). Each peer
 * times itself, so what it reports is the fan-out alone: from starting the tool (or the
 * API call) to its end, without installs or set-up.
 */

/** The command every peer runs on every target. */
export const FANOUT_COMMAND = 'uptime';
/** A target succeeded when its command exited 0 and printed this (uptime's line). */
export const FANOUT_OUTPUT = /load average/;

export const PEER_NAMES = ['pssh', 'ansible-raw', 'ansible-command', 'flowdesk'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export interface HostFailure {
  /** The target's address. */
  host: string;
  reason: string;
}

/** One run of one peer over the targets. */
export interface PeerResult {
  /** Wall time of the fan-out alone, ms: from starting the tool (or the API call) to its end (or the finished run). */
  wallMs: number;
  /** Targets whose command exited 0 and printed FANOUT_OUTPUT. */
  ok: number;
  /** Targets that did not (ok + failed = the targets given). */
  failed: number;
  /** The first few failures, for the report. */
  failures: HostFailure[];
  /** The command line used, or the API request(s) for FlowDesk, as the report prints it. */
  command: string;
}

/**
 * A peer the bench runs. `prepare` (once, before any run) checks or installs what the peer
 * needs and throws, saying how to fix it, when it cannot run; the bench then reports the
 * peer as not available and goes on with the others. `run` may be called many times, with
 * different target lists; `close` (always, at the end) releases whatever prepare or run kept.
 */
export interface FanoutPeer {
  name: PeerName;
  prepare?(say: (line: string) => void): Promise<void>;
  run(targets: FanoutTargets, parallelism: number, progress: (done: number) => void): Promise<PeerResult>;
  close?(): Promise<void>;
  /** Tool and version, once prepared (for the results file). */
  version?(): string | undefined;
}

// ---------------------------------------------------------------- running a tool

interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Bounded: a tool still running after this is ended (its process group), and the run fails. */
const TOOL_TIMEOUT_MS = 15 * 60_000;

/** The tools running now, each the leader of its own process group. */
const running = new Set<ChildProcess>();

/**
 * Ends every tool still running (SIGTERM to its process group, SIGKILL after 5 s) and waits
 * for them: on a signal or an error, before the targets stop.
 */
async function endRunningTools(): Promise<void> {
  const signal = (child: ChildProcess, name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => signal(child, 'SIGKILL'), 5000);
          child.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          signal(child, 'SIGTERM');
        }),
    ),
  );
}

/** Runs a command (no shell), timing it from spawn to exit; `onLine` sees each stdout line as it comes. */
function runTool(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (!options.onLine) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, TOOL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), wallMs });
    });
  });
}

const lastLines = (text: string, n = 8) => text.trimEnd().split('\n').slice(-n).join('\n');
const round = (ms: number) => Math.round(ms * 10) / 10;
/** A command line as a person would paste it (for the report only: nothing runs through a shell). */
const shown = (command: string, args: string[]) => [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

function findExecutable(candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    if (candidate.includes('/')) {
      if (fs.existsSync(candidate)) return candidate;
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(':')) if (dir && fs.existsSync(path.join(dir, candidate))) return path.join(dir, candidate);
  }
  return undefined;
}

/** A fresh directory for one run's files, under the bench's temp directory. */
function runDir(parent: string, name: string): string {
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, `${name}-`));
}

/** Host-key checking against the targets' known_hosts only; no user or system ssh config. */
function sshOptions(targets: FanoutTargets): string[] {
  return ['StrictHostKeyChecking=yes', `UserKnownHostsFile=${targets.knownHostsPath}`, 'GlobalKnownHostsFile=/dev/null', 'IdentitiesOnly=yes', 'BatchMode=yes'];
}

// ---------------------------------------------------------------- parallel-ssh

const PSSH_INSTALL = 'Debian: apt-get install -y pssh (it installs /usr/bin/parallel-ssh)';

/** `parallel-ssh -p N`: one `ssh` process per target, N at a time, nothing else: the floor. */
export function psshPeer(workDir: string): FanoutPeer {
  let binary: string | undefined;
  let version: string | undefined;
  return {
    name: 'pssh',
    async prepare() {
      binary = findExecutable(['/usr/bin/parallel-ssh', 'parallel-ssh', 'pssh']);
      if (!binary) throw new Error(`parallel-ssh is not installed: ${PSSH_INSTALL}`);
      const probe = await runTool(binary, ['--version']);
      if (probe.code !== 0) throw new Error(`${binary} --version failed (${probe.code}): ${lastLines(probe.stderr)}; reinstall it: ${PSSH_INSTALL}`);
      version = `parallel-ssh ${(probe.stdout || probe.stderr).trim()}`;
    },
    version: () => version,
    close: endRunningTools,
    async run(targets, parallelism, progress) {
      if (!binary) throw new Error('pssh: prepare() was not called');
      const dir = runDir(workDir, 'pssh');
      const hostLine = (address: string) => `${targets.user}@${address}:${targets.port}`;
      fs.writeFileSync(path.join(dir, 'hosts'), targets.addresses.map((a) => `${hostLine(a)}\n`).join(''));
      const args = [
        '-h', path.join(dir, 'hosts'),
        '-p', String(parallelism),
        '-t', '120',
        '-o', path.join(dir, 'out'),
        '-e', path.join(dir, 'err'),
        ...sshOptions(targets).flatMap((option) => ['-O', option]),
        '-O', `IdentityFile=${targets.privateKeyPath}`,
        '-X', '-F', '-X', '/dev/null',
        FANOUT_COMMAND,
      ];
      let done = 0;
      const result = await runTool(binary, args, { onLine: (line) => /\[(SUCCESS|FAILURE)\]/.test(line) && progress(++done) });
      // `[3] 18:17:35 [SUCCESS] root@127.0.1.2:36097` or `… [FAILURE] … Exited with error code 255`
      const status = new Map<string, string>();
      for (const m of result.stdout.matchAll(/^\[\d+\] \S+ \[(SUCCESS|FAILURE)\] (\S+)(.*)$/gm)) status.set(m[2]!, m[1] === 'SUCCESS' ? '' : m[3]!.trim() || 'failed');
      if (status.size === 0 && result.code !== 0) throw new Error(`parallel-ssh exited ${result.code ?? result.signal} without a host status: ${lastLines(result.stderr || result.stdout)}`);
      const failures: HostFailure[] = [];
      for (const address of targets.addresses) {
        const line = hostLine(address);
        const reason = status.get(line);
        const read = (sub: string) => fs.readFileSync(path.join(dir, sub, line), 'utf8');
        const output = reason === '' ? safely(() => read('out')) : '';
        if (reason === undefined) failures.push({ host: address, reason: 'no status from parallel-ssh' });
        else if (reason !== '') failures.push({ host: address, reason: `${reason}: ${safely(() => read('err')).trim().split('\n').pop() ?? ''}` });
        else if (!FANOUT_OUTPUT.test(output)) failures.push({ host: address, reason: `exited 0 without uptime's output: ${JSON.stringify(output.slice(0, 120))}` });
      }
      fs.rmSync(dir, { recursive: true, force: true });
      return outcome(targets, result.wallMs, failures, shown(binary, args));
    },
  };
}

function safely(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

function outcome(targets: FanoutTargets, wallMs: number, failures: HostFailure[], command: string): PeerResult {
  return { wallMs: round(wallMs), ok: targets.addresses.length - failures.length, failed: failures.length, failures: failures.slice(0, 10), command };
}

// ---------------------------------------------------------------- Ansible

/**
 * ansible-core from PyPI, pinned so figures compare across machines; 2.19 is the last line
 * whose controller runs on Python 3.11 (Debian 12). BENCH_ANSIBLE_CORE overrides the spec.
 */
export const ANSIBLE_CORE_SPEC = process.env.BENCH_ANSIBLE_CORE ?? 'ansible-core==2.19.14';

/** Per-user cache: $XDG_CACHE_HOME/flowdesk/bench/ansible-venv (~/.cache/… by default), kept between runs. */
export function ansibleVenvDir(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'flowdesk', 'bench', 'ansible-venv');
}

/** Creates the virtualenv and installs ansible-core on first use, with pip's progress on the terminal. */
async function ensureAnsible(say: (line: string) => void): Promise<string> {
  const venv = ansibleVenvDir();
  const marker = path.join(venv, '.flowdesk-installed');
  const ansible = path.join(venv, 'bin', 'ansible');
  if (fs.existsSync(ansible) && safely(() => fs.readFileSync(marker, 'utf8')).trim() === ANSIBLE_CORE_SPEC) return ansible;
  const python = process.env.BENCH_PYTHON ?? 'python3';
  if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) {
    say(`creating a virtualenv for Ansible: ${python} -m venv ${venv}`);
    fs.mkdirSync(path.dirname(venv), { recursive: true });
    const made = await runTool(python, ['-m', 'venv', venv]).catch((error: Error) => ({ code: -1, stderr: error.message, stdout: '' }));
    if (made.code !== 0) {
      fs.rmSync(venv, { recursive: true, force: true });
      throw new Error(`${python} -m venv failed: ${lastLines(made.stderr || made.stdout)}\n  Debian: apt-get install -y python3-venv (or set BENCH_PYTHON to a Python 3.11+ that has venv)`);
    }
  }
  say(`installing ${ANSIBLE_CORE_SPEC} from PyPI into ${venv} (once; about a minute)`);
  const pip = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(path.join(venv, 'bin', 'pip'), ['install', '--progress-bar', 'on', ANSIBLE_CORE_SPEC], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (pip !== 0 || !fs.existsSync(ansible)) throw new Error(`pip install ${ANSIBLE_CORE_SPEC} into ${venv} failed (exit ${pip}); see pip's output above`);
  fs.writeFileSync(marker, `${ANSIBLE_CORE_SPEC}\n`);
  return ansible;
}

/** Whether `-m command` pipes its module into Python over one session (Ansible's own speed-up, off by default). */
const PIPELINING = process.env.BENCH_ANSIBLE_PIPELINING !== '0';

/**
 * `ansible all -f N -m raw -a uptime` (one ssh exec per target, no Python there) or
 * `-m command` (AnsiballZ module run by the target's Python: what a playbook task costs).
 * Ansible's own SSH settings stay as shipped (ControlMaster=auto, ControlPersist=60s),
 * with a fresh ControlPath directory per run, whose masters are told to exit afterwards
 * (untimed) so no run inherits another's connections.
 */
export function ansiblePeer(module: 'raw' | 'command', workDir: string): FanoutPeer {
  let ansible: string | undefined;
  let version: string | undefined;
  /** ControlPath directories of runs not cleaned up yet (a signal may end the bench during one). */
  const controlDirs = new Map<string, { env: NodeJS.ProcessEnv; closing?: Promise<void> }>();
  const closeRun = (controlDir: string): Promise<void> => {
    const open = controlDirs.get(controlDir);
    if (!open) return Promise.resolve();
    open.closing ??= (async () => {
      await closeMasters(controlDir, open.env);
      fs.rmSync(controlDir, { recursive: true, force: true });
      controlDirs.delete(controlDir);
    })();
    return open.closing;
  };
  return {
    name: module === 'raw' ? 'ansible-raw' : 'ansible-command',
    async prepare(say) {
      ansible = await ensureAnsible(say);
      const dir = runDir(workDir, 'ansible-version');
      const probe = await runTool(ansible, ['--version'], { env: ansibleEnv(dir, dir) });
      if (probe.code !== 0) throw new Error(`${ansible} --version failed: ${lastLines(probe.stderr || probe.stdout)}`);
      version = probe.stdout.split('\n')[0]!.trim() + (module === 'command' ? `, pipelining ${PIPELINING ? 'on' : 'off'}` : '');
    },
    version: () => version,
    async close() {
      await endRunningTools();
      await Promise.all([...controlDirs.keys()].map(closeRun));
    },
    async run(targets, parallelism, progress) {
      if (!ansible) throw new Error(`ansible-${module}: prepare() was not called`);
      const dir = runDir(workDir, `ansible-${module}`);
      const names = targets.addresses.map((_, i) => `target-${String(i + 1).padStart(4, '0')}`);
      fs.writeFileSync(path.join(dir, 'inventory.ini'), inventoryText(targets, names));
      const args = ['all', '-i', path.join(dir, 'inventory.ini'), '-f', String(parallelism), '-T', '60', '-o', '-m', module, '-a', FANOUT_COMMAND];
      // Its own short directory: a control socket's path (+ ssh's 17-character temp suffix) must fit in 108 bytes.
      const controlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fdcp-'));
      const env = ansibleEnv(dir, controlDir);
      controlDirs.set(controlDir, { env });
      let done = 0;
      try {
        const result = await runTool(ansible, args, { env, onLine: (line) => /^target-\d+ \| /.test(line) && progress(++done) });
        // One line per target with -o: `target-0001 | CHANGED | rc=0 | (stdout)  18:16:30 up …`,
        // `target-0002 | FAILED | rc=1 | …`, `target-0003 | UNREACHABLE!: …`.
        const lines = new Map<string, string>();
        for (const m of `${result.stdout}\n${result.stderr}`.matchAll(/^(target-\d+) \| (.*)$/gm)) lines.set(m[1]!, m[2]!);
        if (lines.size === 0) throw new Error(`ansible exited ${result.code ?? result.signal} without a host line: ${lastLines(result.stderr || result.stdout)}`);
        const failures: HostFailure[] = [];
        names.forEach((name, i) => {
          const line = lines.get(name);
          const host = targets.addresses[i]!;
          if (line === undefined) failures.push({ host, reason: 'no result line from ansible' });
          else if (!/^(CHANGED|SUCCESS) \| rc=0 /.test(line) || !FANOUT_OUTPUT.test(line)) failures.push({ host, reason: line.slice(0, 200) });
        });
        return outcome(targets, result.wallMs, failures, shown(ansible, args));
      } finally {
        await closeRun(controlDir);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function inventoryText(targets: FanoutTargets, names: string[]): string {
  const interpreter = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'auto_silent';
  const common = ['-F /dev/null', ...sshOptions(targets).map((option) => `-o ${option}`)].join(' ');
  return [
    '[targets]',
    ...names.map((name, i) => `${name} ansible_host=${targets.addresses[i]}`),
    '',
    '[targets:vars]',
    `ansible_port=${targets.port}`,
    `ansible_user=${targets.user}`,
    `ansible_ssh_private_key_file=${targets.privateKeyPath}`,
    `ansible_ssh_common_args='${common}'`,
    // The targets are this machine: naming its Python spares Ansible the discovery round trip.
    `ansible_python_interpreter=${interpreter}`,
    '',
  ].join('\n');
}

/** Ansible with no config file of the user's, nothing written outside the run's directory, no colour, no cows, no retry files. */
function ansibleEnv(dir: string, controlDir: string): NodeJS.ProcessEnv {
  const config = path.join(dir, 'ansible.cfg');
  fs.writeFileSync(config, '[defaults]\n');
  return {
    ...process.env,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: path.join(dir, 'home'),
    ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_PIPELINING: PIPELINING ? 'True' : 'False',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOWS: '1',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
  };
}

/** Asks each ControlPersist master of a run to exit (`ssh -O exit`), 50 at a time. */
async function closeMasters(controlDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const sockets = safely(() => fs.readdirSync(controlDir).join('\n')).split('\n').filter(Boolean);
  for (let i = 0; i < sockets.length; i += 50) {
    await Promise.all(sockets.slice(i, i + 50).map((socket) => runTool('ssh', ['-F', '/dev/null', '-o', `ControlPath=${path.join(controlDir, socket)}`, '-O', 'exit', 'fanout-target'], { env }).catch(() => undefined)));
  }
}
