import type { NodeSSH } from 'node-ssh';
import type { ResolvedCredential } from '../../domain/credential';
import { openSsh, type SshTarget } from '../clients/ssh';

/**
 * SSH connections of a zone worker, reused per host within a run: a run's steps on one
 * host share one connection, closed when idle. New connections wait for a handshake slot,
 * so however many hosts a run reaches at once, at most `maxHandshakes` are unauthenticated
 * at a time: below sshd's default `MaxStartups 10`, past which sshd starts dropping
 * connections at random. Each command uses its own channel (and a kill uses one more), far
 * below sshd's default `MaxSessions 10` per connection.
 */
export interface SshPoolOptions {
  maxHandshakes: number;
  /** A connection unused this long is closed. */
  idleMs: number;
  /** At most this many open connections; the least recently used idle one closes first. */
  maxConnections: number;
}

/** Each open connection holds an sshd process on the host side too: keep few idle ones. */
export const DEFAULT_SSH_POOL: SshPoolOptions = { maxHandshakes: 8, idleMs: 30_000, maxConnections: 256 };

interface Entry {
  ssh: Promise<{ ssh: NodeSSH; hostKey: string }>;
  users: number;
  lastUsed: number;
  timer?: NodeJS.Timeout;
}

export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private handshakes = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: SshPoolOptions = DEFAULT_SSH_POOL) {}

  /**
   * Runs `use` with the connection for `key` (run and host), opening it when there is none.
   * `last`: the run has nothing more for this host, so the connection closes afterwards.
   */
  async with<T>(key: string, target: SshTarget, credential: ResolvedCredential, use: (ssh: NodeSSH, hostKey: string) => Promise<T>, last = false): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { ssh: this.open(target, credential), users: 0, lastUsed: Date.now() };
      // The host may close it between steps (sshd restarted, a firewall reset it): a closed connection is not offered again.
      created.ssh.then(({ ssh }) => ssh.connection?.once('close', () => this.drop(key, created)), () => undefined);
      this.entries.set(key, (entry = created));
      this.evictIdle();
    }
    clearTimeout(entry.timer);
    entry.users++;
    const current = entry;
    try {
      const { ssh, hostKey } = await current.ssh;
      return await use(ssh, hostKey);
    } catch (error) {
      // A connection that failed, or broke under a command, is not offered again.
      this.drop(key, current);
      throw error;
    } finally {
      current.users--;
      current.lastUsed = Date.now();
      if (current.users === 0 && this.entries.get(key) === current) {
        if (last) this.drop(key, current);
        else current.timer = setTimeout(() => this.drop(key, current), this.options.idleMs).unref();
      }
    }
  }

  /** Closes every connection (worker shutdown). */
  close(): void {
    for (const [key, entry] of this.entries) this.drop(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  private async open(target: SshTarget, credential: ResolvedCredential) {
    await this.handshakeSlot();
    try {
      return await openSsh(target, credential);
    } finally {
      this.handshakes--;
      this.waiting.shift()?.();
    }
  }

  private handshakeSlot(): Promise<void> {
    if (this.handshakes < this.options.maxHandshakes) {
      this.handshakes++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.handshakes++;
        resolve();
      }),
    );
  }

  private drop(key: string, entry: Entry): void {
    clearTimeout(entry.timer);
    if (this.entries.get(key) === entry) this.entries.delete(key);
    entry.ssh.then(({ ssh }) => ssh.dispose(), () => undefined);
  }

  private evictIdle(): void {
    if (this.entries.size <= this.options.maxConnections) return;
    const idle = [...this.entries].filter(([, e]) => e.users === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of idle.slice(0, this.entries.size - this.options.maxConnections)) this.drop(key, entry);
  }
}
