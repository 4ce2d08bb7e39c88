import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../../runtime/ports';
import { hasExited, readFile, removeDir, requireFiles, spawnDaemon, stopDaemon, tail } from './daemon';

/**
 * A real OpenSSH server (Debian package `openssh-server`) for one test file, on a free
 * loopback port with its own host key and config in a temp directory. It lets the user
 * running the tests log in with a fresh Ed25519 key (`privateKey`); passwords are off.
 * The host it shows is this machine, so discovered facts can be checked against `os`.
 */
export interface Sshd {
  host: string;
  port: number;
  username: string;
  /** OpenSSH-format private key the server accepts. */
  privateKey: string;
  /** A key the server does not accept, for failure paths. */
  strangerKey: string;
  /** `SHA256:…` of the server's host key, as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
  logFile: string;
  readLog(): string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const KEYGEN = '/usr/bin/ssh-keygen';
const READY_TIMEOUT_MS = 10_000;
const run = promisify(execFile);

export interface SshdOptions {
  /** Unauthenticated connections sshd accepts at once (OpenSSH's default is 10). */
  maxStartups?: number;
  /**
   * Commands run without the user's `~/.bashrc` (SHLVL=1, as bench/ssh-fanout does): bash
   * started by sshd sources it, and where it runs `pyenv init` (0.2 s of CPU per command
   * on our machines) thousands of commands would cost the targets' side minutes of the
   * same two cores the engine runs on.
   */
  plainShell?: boolean;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  requireFiles([SSHD, KEYGEN], 'the SSH discovery tests need OpenSSH (Debian: apt-get install -y openssh-server)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-sshd-'));
  const logFile = path.join(dir, 'sshd.log');
  try {
    const key = async (name: string) => {
      await run(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', `flowdesk-test-${name}`, '-f', path.join(dir, name)]);
      return path.join(dir, name);
    };
    const [hostKey, clientKey, strangerKey] = await Promise.all([key('host_key'), key('client_key'), key('stranger_key')]);
    fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
    const { stdout } = await run(KEYGEN, ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]);
    const hostKeyFingerprint = stdout.split(/\s+/)[1]!;
    // Privilege separation needs its directory when sshd starts as root.
    if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = path.join(dir, 'sshd_config');
      fs.writeFileSync(config, configText(dir, hostKey, port, options));
      // -D: foreground; -e: log to stderr (our log file).
      const child = spawnDaemon(SSHD, ['-D', '-e', '-f', config], logFile);
      try {
        await waitBanner(port, () => hasExited(child), logFile);
      } catch (error) {
        await stopDaemon(child);
        if (attempt < 3 && /Address already in use/i.test(readFile(logFile))) continue;
        throw error;
      }
      return {
        host: '127.0.0.1',
        port,
        username: os.userInfo().username,
        privateKey: fs.readFileSync(clientKey, 'utf8'),
        strangerKey: fs.readFileSync(strangerKey, 'utf8'),
        hostKeyFingerprint,
        logFile,
        readLog: () => readFile(logFile),
        stop: () => stopDaemon(child, dir, 'sshd'),
      };
    }
  } catch (error) {
    removeDir(dir, 'sshd');
    throw error;
  }
}

function configText(dir: string, hostKey: string, port: number, { maxStartups, plainShell }: SshdOptions): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    // The temp directory is not root-owned all the way up, which StrictModes would refuse.
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'LogLevel VERBOSE',
    // SFTP for ssh.upload steps, served inside sshd (no sftp-server binary needed).
    'Subsystem sftp internal-sftp',
    ...(maxStartups ? [`MaxStartups ${maxStartups}`] : []),
    ...(plainShell ? ['SetEnv SHLVL=1'] : []),
    '',
  ].join('\n');
}

/** Ready when a TCP connection gets the `SSH-2.0-` banner. */
async function waitBanner(port: number, exited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`sshd exited during start-up. Log ${logFile}:\n${tail(logFile)}`);
    const banner = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(1000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', () => resolve(''));
      socket.once('timeout', () => {
        socket.destroy();
        resolve('');
      });
    });
    if (banner.startsWith('SSH-2.0-')) return;
    await sleep(50);
  }
  throw new Error(`sshd on port ${port} did not answer within ${READY_TIMEOUT_MS / 1000} s. Log ${logFile}:\n${tail(logFile)}`);
}
