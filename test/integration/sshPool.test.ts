import type { ResolvedCredential } from '../../domain/credential';
import { SshPool } from '../../activities/automation/sshPool';
import { type Sshd, startSshd } from '../setup/sshd';

// The zone worker's SSH connections against a real sshd: reused per host within a run,
// and never offered again once the host side has closed them.

let sshd: Sshd;
let credential: ResolvedCredential;
const target = () => ({ address: sshd.host, port: sshd.port, timeoutMs: 10_000 });

beforeAll(async () => {
  sshd = await startSshd();
  credential = { id: 'c1', name: 'lab', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey };
});

afterAll(() => sshd?.stop());

/** The pid of the sshd process serving this connection: the parent of the command's shell. */
const sessionPid = async (pool: SshPool, key: string) => Number((await pool.with(key, target(), credential, (ssh) => ssh.execCommand('ps -o ppid= -p $$'))).stdout.trim());

test('steps on one host share a connection', async () => {
  const pool = new SshPool({ maxHandshakes: 2, idleMs: 60_000, maxConnections: 8 });
  try {
    expect(await sessionPid(pool, 'run-1/0')).toBe(await sessionPid(pool, 'run-1/0'));
    expect(pool.size).toBe(1);
  } finally {
    pool.close();
  }
});

test('a connection the host closed is replaced by a new one, not offered again', async () => {
  const pool = new SshPool({ maxHandshakes: 2, idleMs: 60_000, maxConnections: 8 });
  try {
    const first = await sessionPid(pool, 'run-1/0');
    // The host ends the session between two steps (sshd restarted, a network device reset it).
    await pool.with('run-1/0', target(), credential, (ssh) => ssh.execCommand('kill -TERM $(ps -o ppid= -p $$)').catch(() => undefined));
    const deadline = Date.now() + 10_000;
    while (pool.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.size).toBe(0);
    const second = await sessionPid(pool, 'run-1/0');
    expect(second).not.toBe(first);
  } finally {
    pool.close();
  }
});
