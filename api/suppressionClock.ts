import type { Connection } from 'mongoose';
import { nextTimeframeChange } from '../domain/alert/silence';
import type { WarningLog } from './alertGroups';
import { currentWindows } from '../store/alerts/maintenanceWindows';
import { currentSilences } from '../store/alerts/silences';

export interface SuppressionClockDeps {
  db: Connection;
  /** Re-reads suppression of the open alerts at `at` and tells their groups what changed. */
  reapply: (at: string) => Promise<void>;
  logger: WarningLog;
  /** The longest it sleeps without looking at the silences again. */
  maxSleepMs?: number;
}

export interface SuppressionClock {
  /** Silences or windows were created or ended: look again for the next instant one starts or stops. */
  replan(): void;
  stop(): Promise<void>;
}

/** A store outage is waited out, then it looks again. */
const RETRY_MS = 30_000;
/** Past the boundary, so the timeframe reads as changed when looked at. */
const SLACK_MS = 5;

/**
 * Silences and maintenance windows start and end by the clock, not only when a person
 * creates or expires one. This wakes at each instant one of them starts or stops and
 * re-reads the suppression of the open alerts then, so a silence ending at 04:00 releases
 * its alerts (and their groups escalate) at 04:00. It looks once at start, for the instants
 * that passed while FlowDesk was down; nothing is lost across restarts because suppression
 * is a function of the stored silences and the time.
 */
export function startSuppressionClock({ db, reapply, logger, maxSleepMs = 3_600_000 }: SuppressionClockDeps): SuppressionClock {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let work: Promise<void> = Promise.resolve();

  const sleep = (ms: number, then: () => Promise<void>) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => queue(then), Math.max(0, ms)).unref();
  };
  /** One look at a time, in order. */
  const queue = (step: () => Promise<void>) => {
    work = work.then(step).catch((error: unknown) => {
      logger.warn({ err: error }, 'silences and maintenance windows could not be applied on time; trying again in 30 s');
      sleep(RETRY_MS, tick);
    });
  };

  async function plan(): Promise<void> {
    const now = new Date().toISOString();
    const [silences, windows] = await Promise.all([currentSilences(db, now), currentWindows(db, now)]);
    const next = nextTimeframeChange([...silences, ...windows], now);
    sleep(next === null ? maxSleepMs : Math.min(next + SLACK_MS - Date.now(), maxSleepMs), tick);
  }

  async function tick(): Promise<void> {
    await reapply(new Date().toISOString());
    await plan();
  }

  queue(tick);
  return {
    replan: () => queue(plan),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await work;
    },
  };
}
