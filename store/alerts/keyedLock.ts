/**
 * In-process locks by key: `withLocks(keys, fn)` runs `fn` once it holds every key, so two
 * requests about one alert apply one after the other. Why in memory: on the embedded
 * FerretDB a conditional update is a read followed by a write, not atomic, so the store's
 * revision check alone would let two concurrent writers both pass (docs/alerts-intake.md).
 * Keys are taken in sorted order, so two holders of overlapping sets cannot deadlock.
 */
import type { Connection } from 'mongoose';

export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async withLocks<T>(keys: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key));
      return await fn();
    } finally {
      for (const release of releases) release();
    }
  }

  /** Waits for the key's current holder (and those queued before), then holds it. */
  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last holder leaves no entry behind.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  /** Keys held or waited for (for tests: none once everything finished). */
  get size(): number {
    return this.tails.size;
  }
}

const byStore = new WeakMap<Connection, KeyedLock>();

/** The lock of alert fingerprints for one store connection: intake, the console and suppression share it. */
export function alertLock(db: Connection): KeyedLock {
  let lock = byStore.get(db);
  if (!lock) byStore.set(db, (lock = new KeyedLock()));
  return lock;
}
