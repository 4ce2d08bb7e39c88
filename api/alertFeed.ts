import type { Connection } from 'mongoose';
import type { AlertRecord } from '../domain/alert/intake';
import type { Logger } from '../runtime/log';
import { changesSince, pruneChanges, RETAIN_MS } from '../store/alerts/changeLog';
import { alertsById } from '../store/alerts/changes';

/**
 * The alert changes of this process's live streams: one poller per process, however many
 * consoles are open, reading the store for what changed since its watermark and handing every
 * batch to each subscribed stream (api/routes/alertStream.ts), which filters it for its client.
 * It polls only while someone listens.
 *
 * FerretDB has no change streams, and alerts are written by any API process (intake,
 * acknowledging, silences) and their incident links by workers, so the store is what is
 * watched: every write and link is logged in `alert_changes` (store/alerts/changeLog.ts),
 * stamped by its writer's clock, and kept for 15 minutes — small, because FerretDB reads a
 * whole collection for any filter but `{_id}`. Each process prunes it every minute.
 *
 * An entry stamped at T is committed a little after T, so a poll reads again from a
 * **watermark** `overlapMs` behind the time it started, and drops the entries it handed out
 * before (each has its own id). The promise, stated on the watermark:
 * every write stamped before it has been handed out — it trails the clock by `overlapMs`,
 * which must exceed the time a write takes to commit plus the clock difference between
 * writers. The stream sends it as the event id, so a client that reconnects with
 * `Last-Event-ID` is sent everything stamped since (`replay`), read from the store; any API
 * process can resume it.
 */

export interface FeedBatch {
  /** The alerts that changed, as they are now (without history), with their revision. */
  alerts: Array<AlertRecord & { rev: number }>;
  /** Every write stamped before this has been handed out, this batch included. */
  watermark: string;
}

export interface AlertFeedOptions {
  /** How often the store is read while someone listens. */
  pollMs?: number;
  /** How far behind its start a poll reads again (longer than a write takes to commit). */
  overlapMs?: number;
  logger?: Logger;
}

export interface AlertFeed {
  /** Adds a listener (the first one starts the poller); returns the watermark at that moment and how to leave. */
  subscribe(listener: (batch: FeedBatch) => void): { watermark: string; unsubscribe: () => void };
  /** The current watermark (for heartbeats). */
  watermark(): string;
  /** Streams listening in this process. */
  readonly listeners: number;
  /** Every alert written or linked at or after `since`, as it is now; null when more than `max` changed (the client reloads instead). */
  replay(since: string, max?: number): Promise<FeedBatch['alerts'] | null>;
}

const POLL_MS = 1_000;
const OVERLAP_MS = 5_000;
/** Writes read per poll; a full page is followed by the next one at once. */
const PAGE = 1_000;
const REPLAY_MAX = 2_000;
const PRUNE_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();
const earlier = (a: string, b: string) => (a < b ? a : b);

export function alertFeed(db: Connection, { pollMs = POLL_MS, overlapMs = OVERLAP_MS, logger }: AlertFeedOptions = {}): AlertFeed {
  // Whether or not anyone listens: every alert write is logged.
  setInterval(() => {
    pruneChanges(db, iso(Date.now() - RETAIN_MS)).catch((error: unknown) => logger?.debug({ err: error }, 'the alert change log could not be pruned; next minute'));
  }, PRUNE_MS).unref();

  const listeners = new Set<(batch: FeedBatch) => void>();
  /** The log entries handed out, with the stamp that drops them once the watermark passes it. */
  const seen = new Map<string, string>();
  let watermark = iso(Date.now() - overlapMs);
  let timer: NodeJS.Timeout | null = null;
  let generation = 0;

  /** Reads what changed since the watermark, hands it out, then moves the watermark. */
  async function poll(run: number): Promise<boolean> {
    const startedAt = Date.now();
    const since = watermark;
    const logged = await changesSince(db, since, PAGE);
    const unseen = logged.filter((c) => !seen.has(c._id));
    // A full page moves the watermark only as far as it read.
    let next = iso(startedAt - overlapMs);
    if (logged.length === PAGE) next = earlier(next, logged[logged.length - 1]!.at);
    if (next < since) next = since;
    const alerts = await alertsById(db, unseen.map((c) => c.alert));
    // Stopped (and maybe started again) meanwhile: a new start reads from its own watermark.
    if (run !== generation) return false;
    for (const c of unseen) seen.set(c._id, c.at);
    // Handed out before the watermark moves: a heartbeat never names a watermark ahead of what was sent.
    if (alerts.length) {
      for (const listener of listeners) {
        try {
          listener({ alerts, watermark: next });
        } catch (error) {
          logger?.warn({ err: error }, 'an alert stream could not take a batch');
        }
      }
    }
    watermark = next;
    for (const [key, stamp] of seen) if (stamp < watermark) seen.delete(key);
    return logged.length === PAGE;
  }

  function schedule(delay: number, run: number): void {
    timer = setTimeout(() => {
      poll(run).then(
        (more) => run === generation && schedule(more ? 0 : pollMs, run),
        (error: unknown) => {
          logger?.warn({ err: error }, 'the alert stream could not read the store; trying again');
          if (run === generation) schedule(pollMs, run);
        },
      );
    }, delay);
    timer.unref();
  }

  function start(): void {
    generation += 1;
    seen.clear();
    watermark = iso(Date.now() - overlapMs);
    schedule(0, generation);
  }

  function stop(): void {
    generation += 1;
    if (timer) clearTimeout(timer);
    timer = null;
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) start();
      return {
        watermark,
        unsubscribe() {
          if (listeners.delete(listener) && listeners.size === 0) stop();
        },
      };
    },
    watermark: () => watermark,
    get listeners() {
      return listeners.size;
    },
    async replay(since, max = REPLAY_MAX) {
      const logged = await changesSince(db, since, max + 1);
      if (logged.length > max) return null;
      return alertsById(db, logged.map((c) => c.alert));
    },
  };
}
