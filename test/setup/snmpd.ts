import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import snmp from 'net-snmp';
import { freePort } from '../../runtime/ports';
import { hasExited, readFile, removeDir, requireFiles, spawnDaemon, stopDaemon, tail } from './daemon';

/**
 * A real Net-SNMP agent (Debian package `snmpd`) for one test file, on a free loopback
 * UDP port with its own configuration: a v2c community and a v3 user (SHA/AES, authPriv),
 * a sysName of the test's choosing and, optionally, a sysObjectID that makes it pose as
 * another vendor's device. Its interfaces and addresses are this machine's.
 *
 * `{ writable: true }` asks for an agent that accepts SETs: a second, read-write community
 * (`rwCommunity`; `community` stays read-only), the v3 user read-write (`rwuser` instead
 * of `rouser`), and sysContact/sysLocation left out of the configuration, because snmpd
 * makes an object it was given in snmpd.conf read-only (a SET answers notWritable).
 * sysName stays configured, so it is the read-only object to try a SET on.
 */
export interface Snmpd {
  host: string;
  port: number;
  community: string;
  v3: { username: string; authKey: string; privKey: string };
  /** Only with `{ writable: true }`: a community allowed to SET (from 127.0.0.1). */
  rwCommunity?: string;
  sysName: string;
  logFile: string;
  readLog(): string;
  stop(): Promise<void>;
}

const SNMPD = '/usr/sbin/snmpd';
const READY_TIMEOUT_MS = 10_000;

export interface SnmpdOptions {
  sysName?: string;
  sysObjectId?: string;
  /** An agent that accepts SETs (see above). */
  writable?: boolean;
  /** More snmpd.conf lines, e.g. a `pass` script that serves a value the test controls. */
  extraConfig?: string[];
}

export async function startSnmpd(options: SnmpdOptions = {}): Promise<Snmpd> {
  requireFiles([SNMPD], 'the SNMP discovery tests need the Net-SNMP agent (Debian: apt-get install -y snmpd)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-snmpd-'));
  const logFile = path.join(dir, 'snmpd.log');
  const suffix = path.basename(dir).slice(-6).toLowerCase();
  const settings = {
    community: `fd-${suffix}`,
    v3: { username: `fdv3${suffix}`, authKey: `auth-${suffix}-key`, privKey: `priv-${suffix}-key` },
    sysName: options.sysName ?? `snmp-${suffix}`,
    ...(options.writable ? { rwCommunity: `fd-rw-${suffix}` } : {}),
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = path.join(dir, 'snmpd.conf');
      fs.mkdirSync(path.join(dir, 'persist'), { recursive: true });
      fs.writeFileSync(config, configText(dir, port, settings, options.sysObjectId, options.extraConfig));
      // -f: foreground; -C -c: only our configuration; -Lf: log to a file.
      const child = spawnDaemon(SNMPD, ['-f', '-C', '-c', config, '-Lf', logFile, `--pidFile=${path.join(dir, 'snmpd.pid')}`], logFile);
      try {
        await waitAnswer(port, settings.community, () => hasExited(child), logFile);
      } catch (error) {
        await stopDaemon(child);
        if (attempt < 3 && /Address already in use|Error opening specified endpoint/i.test(readFile(logFile))) continue;
        throw error;
      }
      return { host: '127.0.0.1', port, ...settings, logFile, readLog: () => readFile(logFile), stop: () => stopDaemon(child, dir, 'snmpd') };
    }
  } catch (error) {
    removeDir(dir, 'snmpd');
    throw error;
  }
}

function configText(dir: string, port: number, s: { community: string; rwCommunity?: string; v3: Snmpd['v3']; sysName: string }, sysObjectId?: string, extra: string[] = []): string {
  const writable = s.rwCommunity !== undefined;
  return [
    `agentAddress udp:127.0.0.1:${port}`,
    `persistentDir ${path.join(dir, 'persist')}`,
    `rocommunity ${s.community} 127.0.0.1`,
    ...(writable ? [`rwcommunity ${s.rwCommunity} 127.0.0.1`] : []),
    `createUser ${s.v3.username} SHA "${s.v3.authKey}" AES "${s.v3.privKey}"`,
    // One access directive per user: rwuser includes everything rouser grants.
    `${writable ? 'rwuser' : 'rouser'} ${s.v3.username} priv`,
    `sysName ${s.sysName}`,
    // Configured objects are read-only to SNMP; a writable agent leaves these two settable.
    ...(writable ? [] : ['sysLocation FlowDesk test rack', 'sysContact ops@flowdesk.test']),
    ...(sysObjectId ? [`sysObjectID ${sysObjectId}`] : []),
    ...extra,
    '',
  ].join('\n');
}

/** Ready when sysName.0 answers over v2c. */
async function waitAnswer(port: number, community: string, exited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`snmpd exited during start-up. Log ${logFile}:\n${tail(logFile)}`);
    const session = snmp.createSession('127.0.0.1', community, { port, version: snmp.Version2c, timeout: 300, retries: 0 });
    const answered = await new Promise<boolean>((resolve) => session.get(['1.3.6.1.2.1.1.5.0'], (error) => resolve(!error)));
    session.close();
    if (answered) return;
    await sleep(100);
  }
  throw new Error(`snmpd on UDP port ${port} did not answer within ${READY_TIMEOUT_MS / 1000} s. Log ${logFile}:\n${tail(logFile)}`);
}
