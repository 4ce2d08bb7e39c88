import { Context } from '@temporalio/activity';

/** How often a host step beats; zone workers send beats on at this pace (runtime/worker.ts). */
export const HEARTBEAT_MS = 5_000;

/**
 * A host step's heartbeat, from the activity's first moment to its end: the beat says the
 * worker is alive, whatever the step waits for (the store, a handshake slot, the command).
 * Its reply is also how the activity learns that Temporal gave up on it (timed out, or the
 * run went on without it): the SDK then aborts the activity's cancellation signal.
 */
export class Heartbeat {
  /**
   * Sent with every beat; a retried attempt reads the last (Info.heartbeatDetails). Until the
   * step says more, the previous attempt's, so an attempt lost early loses no progress.
   */
  details: unknown;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly context = Context.current()) {
    this.details = context.info.heartbeatDetails ?? {};
    // The context is taken now: a timer callback runs outside the activity's own. No beat at
    // once: a step done within HEARTBEAT_MS costs Temporal none.
    this.timer = setInterval(() => context.heartbeat(this.details), HEARTBEAT_MS);
  }

  /** Details now, not at the next beat. */
  beat(details: unknown): void {
    this.details = details;
    this.context.heartbeat(details);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
