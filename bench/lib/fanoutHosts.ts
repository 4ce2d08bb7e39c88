import { type ChildProcess, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../../runtime/ports';
import { hasExited, readFile, removeDir, requireFiles, spawnDaemon, stopDaemon, tail } from '../../test/setup/daemon';
import { processCpuMs } from './procCpu';

/**
 * The fan-out bench's targets: N loopback addresses (127.0.1.1 … 127.0.1.250, 127.0.2.1 …,
 * 250 a /24), all served by real OpenSSH (Debian `openssh-server`) on one port, with one
 * host key, one client key and one known_hosts file naming every address. Linux routes all
 * of 127.0.0.0/8 to `lo`, so nothing leaves the machine.
 *
 * One sshd cannot listen on them all: OpenSSH compiles in `MAX_LISTEN_SOCKS` = 16 and stops
 * at the 17th `ListenAddress` ("Too many listen sockets"). So the addresses are served by
 * ⌈N/16⌉ sshd listeners, 16 addresses each, sharing the host key, the authorized key and one
 * config apart from their `ListenAddress` lines (13 listeners for 200 targets, 63 for
 * 1,000), all children of one shell in one process group, stopped together. A wildcard
 * `ListenAddress 0.0.0.0` would have made one daemon enough, but it listens on every
 * interface, not only on loopback. Each connection costs what it costs on a real target
 * (sshd forks and re-executes itself per connection either way).
 */
export interface FanoutTargets {
  /** The target addresses, in order: 127.0.1.1, 127.0.1.2, … */
  addresses: string[];
  port: number;
  /** The user every target accepts (the user running the bench). */
  user: string;
  /** OpenSSH-format Ed25519 private key (mode 0600) every target accepts; its `.pub` beside it. */
  privateKeyPath: string;
  /** `[address]:port ssh-ed25519 …` for every address: use with StrictHostKeyChecking=yes. */
  knownHostsPath: string;
}

export interface FanoutHosts extends FanoutTargets {
  /** The bench's temp directory (configs, keys, log); removed by stop(). */
  dir: string;
  /** How many sshd listeners serve the addresses. */
  listeners: number;
  /** The sshd settings that matter for the bench, as written to the config. */
  settings: Record<string, string>;
  /** Where every listener and connection logs (sshd -e, LogLevel VERBOSE). */
  logFile: string;
  /** The log's size now, for readLogSince. */
  logSize(): number;
  /** What the log gained since `logSize()` returned `offset`. */
  readLogSince(offset: number): string;
  /**
   * CPU ms the sshd side has used so far: the listeners and every connection they have
   * reaped (key exchange, authentication, session, the command). Subtract two readings.
   */
  sshdCpuMs(): number;
  /** The first `count` targets (the same key, port and known_hosts). */
  first(count: number): FanoutTargets;
  /** Stops every listener (SIGTERM, SIGKILL after 5 s) and removes the directory. */
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const KEYGEN = '/usr/bin/ssh-keygen';
/** OpenSSH's compiled-in limit of listening sockets per sshd (sshd.c MAX_LISTEN_SOCKS). */
const SOCKETS_PER_SSHD = 16;
const ADDRESSES_PER_NET = 250;
const READY_TIMEOUT_MS = 30_000;
const run = promisify(execFile);

/**
 * What the listeners are told beyond keys and addresses. MaxStartups is per listener: the
 * default 10:30:100 starts dropping unauthenticated connections at random from the 10th
 * at once, and 16 addresses × parallelism 50 can put up to 50 on one listener, so it is a
 * flat limit well above the parallelism (no early drop). MaxSessions (default 10) bounds
 * sessions multiplexed on one connection (Ansible's ControlMaster). Neither changes what a
 * single connection costs.
 */
function benchSettings(parallelism: number): Record<string, string> {
  const startups = String(Math.max(200, parallelism * 4));
  const settings: Record<string, string> = { MaxStartups: startups, MaxSessions: '100', UsePAM: 'no', StrictModes: 'no', UseDNS: 'no', LogLevel: 'VERBOSE' };
  // bash run by sshd sources ~/.bashrc unless it is a nested shell (SHLVL ≥ 1 on entry). The
  // bench user's .bashrc may be anything (on our machines root's runs `pyenv init`, 0.25 s
  // and more per command), which would then dominate every peer's time per target alike.
  // A target's command should cost what `uptime` costs, so sessions start as nested shells.
  // BENCH_FANOUT_BASHRC=1 keeps the user's .bashrc.
  if (process.env.BENCH_FANOUT_BASHRC !== '1') settings.SetEnv = 'SHLVL=1';
  // One key exchange for every peer. OpenSSH 9.2 prefers sntrup761x25519-sha512, whose key
  // generation costs the client about 65 ms of CPU per connection here (curve25519: under
  // 10 ms), and SSH libraries (ssh2 for Node) do not offer it, so peers would differ by
  // their key exchange rather than by their fan-out. curve25519-sha256 is what they all
  // share. BENCH_FANOUT_KEX=default leaves the choice to sshd; any other value is passed as is.
  const kex = process.env.BENCH_FANOUT_KEX ?? 'curve25519-sha256,curve25519-sha256@libssh.org';
  if (kex !== 'default') settings.KexAlgorithms = kex;
  return settings;
}

/** The i-th target address (0-based): 127.0.1.1 … 127.0.1.250, then 127.0.2.1 … */
export function targetAddress(i: number): string {
  const net = 1 + Math.floor(i / ADDRESSES_PER_NET);
  if (net > 255) throw new Error(`at most ${255 * ADDRESSES_PER_NET} targets`);
  return `127.0.${net}.${1 + (i % ADDRESSES_PER_NET)}`;
}

export async function startFanoutHosts(options: { count: number; parallelism: number; say?: (line: string) => void }): Promise<FanoutHosts> {
  const { count } = options;
  const say = options.say ?? (() => undefined);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`target count must be a positive integer, got ${count}`);
  if (os.platform() !== 'linux') throw new Error('the fan-out targets need Linux, which routes all of 127.0.0.0/8 to the loopback interface');
  requireFiles([SSHD, KEYGEN], 'the fan-out bench needs OpenSSH (Debian: apt-get install -y openssh-server openssh-client)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-bench-fanout-'));
  const logFile = path.join(dir, 'sshd.log');
  try {
    const key = async (name: string) => {
      await run(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', `flowdesk-bench-${name}`, '-f', path.join(dir, name)]);
      return path.join(dir, name);
    };
    const [hostKey, clientKey] = await Promise.all([key('host_key'), key('client_key')]);
    fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
    const hostPublic = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    // Privilege separation needs its directory when sshd starts as root.
    if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    const addresses = Array.from({ length: count }, (_, i) => targetAddress(i));
    const groups: string[][] = [];
    for (let i = 0; i < addresses.length; i += SOCKETS_PER_SSHD) groups.push(addresses.slice(i, i + SOCKETS_PER_SSHD));
    const settings = benchSettings(options.parallelism);

    let listenerPids: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      fs.writeFileSync(logFile, '');
      const configs = groups.map((group, g) => {
        const file = path.join(dir, `sshd_config.${g}`);
        fs.writeFileSync(file, configText(dir, hostKey, port, group, g, settings));
        return file;
      });
      say(`starting ${groups.length} sshd listener(s) for ${count} addresses ${addresses[0]} … ${addresses.at(-1)} on port ${port}`);
      // One shell parents every listener (-D: foreground, -e: log to stderr, our log file), so
      // they share one process group that stopDaemon ends at once; the shell waits for them all.
      const script = `trap 'wait; exit 0' TERM INT; for config do ${SSHD} -D -e -f "$config" & done; wait`;
      const child = spawnDaemon('/bin/sh', ['-c', script, 'fanout-sshd', ...configs], logFile);
      try {
        await waitListening(addresses, port, () => hasExited(child), logFile);
        listenerPids = await readPids(configs.map((_, g) => path.join(dir, `sshd.${g}.pid`)), logFile);
      } catch (error) {
        await stopDaemon(child);
        if (attempt < 3 && /Address already in use/i.test(readFile(logFile))) continue;
        throw error;
      }
      const knownHostsPath = path.join(dir, 'known_hosts');
      fs.writeFileSync(knownHostsPath, addresses.map((address) => `[${address}]:${port} ${hostPublic}\n`).join(''));
      const user = os.userInfo().username;
      const first = (n: number): FanoutTargets => {
        if (n > addresses.length) throw new Error(`only ${addresses.length} targets were started, ${n} asked`);
        return { addresses: addresses.slice(0, n), port, user, privateKeyPath: clientKey, knownHostsPath };
      };
      let stopping: Promise<void> | undefined;
      return {
        ...first(count),
        dir,
        listeners: groups.length,
        settings,
        logFile,
        sshdCpuMs: () => listenerPids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
        logSize: () => fs.statSync(logFile).size,
        readLogSince: (offset) => readSince(logFile, offset),
        first,
        stop: () => (stopping ??= stopAll(child, listenerPids, dir)),
      };
    }
  } catch (error) {
    removeDir(dir, 'fanout-sshd');
    throw error;
  }
}

function configText(dir: string, hostKey: string, port: number, addresses: string[], index: number, settings: Record<string, string>): string {
  return [
    `Port ${port}`,
    ...addresses.map((address) => `ListenAddress ${address}`),
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, `sshd.${index}.pid`)}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    // StrictModes no: the temp directory is not root-owned all the way up.
    ...Object.entries(settings).map(([name, value]) => `${name} ${value}`),
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    '',
  ].join('\n');
}

/** Ready when the log says every address listens (no probe connections to clutter it). */
async function waitListening(addresses: string[], port: number, exited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const log = readFile(logFile);
    if (/Bind to port \d+ on \S+ failed|Cannot bind any address|Too many listen sockets/.test(log)) throw new Error(`an sshd listener could not bind. Log ${logFile}:\n${tail(logFile)}`);
    const listening = new Set([...log.matchAll(/^Server listening on (\S+) port (\d+)\./gm)].filter((m) => Number(m[2]) === port).map((m) => m[1]));
    if (addresses.every((address) => listening.has(address))) return;
    if (exited()) throw new Error(`the sshd listeners exited during start-up. Log ${logFile}:\n${tail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`${listening.size} of ${addresses.length} addresses listen after ${READY_TIMEOUT_MS / 1000} s. Log ${logFile}:\n${tail(logFile)}`);
    await sleep(50);
  }
}

/**
 * Stops the listeners, then the connections they had open: each is an sshd of its own
 * session (setsid), outside the listeners' process group, and would live on as long as its
 * client (an Ansible ControlPersist master, say), so they are ended by their pids.
 */
async function stopAll(child: ChildProcess, listenerPids: number[], dir: string): Promise<void> {
  const connections = childrenOf(new Set(listenerPids));
  await stopDaemon(child, dir, 'fanout-sshd');
  for (const pid of connections) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** Pids whose parent is one of `parents` (from /proc/<pid>/stat). */
function childrenOf(parents: Set<number>): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readFile(`/proc/${entry}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parents.has(ppid)) pids.push(Number(entry));
  }
  return pids;
}

/** The listeners' pids, from their PidFiles (written once they listen). */
async function readPids(files: string[], logFile: string): Promise<number[]> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const pids = files.map((file) => Number(readFile(file).trim()));
    if (pids.every((pid) => Number.isSafeInteger(pid) && pid > 0)) return pids;
    if (Date.now() > deadline) throw new Error(`the sshd listeners wrote no PidFile within ${READY_TIMEOUT_MS / 1000} s. Log ${logFile}:\n${tail(logFile)}`);
    await sleep(50);
  }
}

function readSince(file: string, offset: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const length = Math.max(0, fs.fstatSync(fd).size - offset);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, offset);
    return buffer.toString();
  } finally {
    fs.closeSync(fd);
  }
}

/** What sshd logged between two reads of its log: logins, and connections refused for MaxStartups. */
export function sshdActivity(log: string): { accepted: number; dropped: number; errors: string[] } {
  const lines = log.split('\n');
  return {
    accepted: lines.filter((line) => line.includes('Accepted publickey')).length,
    dropped: lines.filter((line) => /past MaxStartups|drop connection/i.test(line)).length,
    errors: lines.filter((line) => /^(error|fatal):|exceeded MaxSessions|Too many/i.test(line)).slice(0, 5),
  };
}
