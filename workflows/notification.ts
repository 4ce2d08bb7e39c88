import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { AttemptDetail, createNotificationActivities, DeliveryOutcome } from '../activities/notifications';
import type { TicketEvent } from '../domain/notification/event';
import type { Delivery } from '../domain/notification/subscriptions';
import { inParallel } from './parallel';

type NotificationActivities = ReturnType<typeof createNotificationActivities>;

/** Attempts per delivery: with the backoff below, a receiver has about 80 s to come back. */
export const DELIVERY_ATTEMPTS = 5;
/** Deliveries in flight at once: a big group must not open hundreds of SMTP connections together. */
const PARALLEL_DELIVERIES = 20;

// Planning and recording only touch the store: an outage must delay them, never drop them.
const { planDeliveries, recordDelivery } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const { deliver } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  // 2 s, 6 s, 18 s, 54 s between attempts. Permanent failures (5xx from a mail server, a
  // webhook's 4xx other than 429) are thrown non-retryable by the activity and end at once.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 3, maximumInterval: '5 minutes', maximumAttempts: DELIVERY_ATTEMPTS },
});

export interface NotificationSummary {
  delivered: number;
  failed: number;
}

/**
 * Delivers one ticket event to everyone subscribed to it, each delivery on its own with
 * retries, and records every outcome. It runs apart from the ticket (started by
 * announce()), so a failed delivery never blocks or fails the ticket; and it never fails
 * itself because of one: a delivery that gives up is recorded as failed.
 */
export async function notificationWorkflow(event: TicketEvent): Promise<NotificationSummary> {
  const deliveries = await planDeliveries(event);
  const states = await inParallel(deliveries, PARALLEL_DELIVERIES, async (delivery) => {
    const outcome = await attempt(delivery);
    await recordDelivery({ delivery: recorded(delivery), ...outcome, at: new Date().toISOString() });
    return outcome.state;
  });
  return { delivered: states.filter((s) => s === 'delivered').length, failed: states.filter((s) => s === 'failed').length };
}

async function attempt(delivery: Delivery): Promise<Pick<DeliveryOutcome, 'state' | 'attempts' | 'error'>> {
  try {
    const { attempts } = await deliver(delivery);
    return { state: 'delivered', attempts, error: null };
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as AttemptDetail | undefined) : undefined;
    // Without the activity's own count (it timed out), the retry state tells whether all were used.
    const attempts = detail?.attempt ?? (error.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? DELIVERY_ATTEMPTS : 1);
    return { state: 'failed', attempts, error: cause?.message || error.message };
  }
}

/** What a delivery record needs: not the whole event again. */
function recorded({ id, channel, recipient, event }: Delivery): DeliveryOutcome['delivery'] {
  return { id, channel, recipient, event: { id: event.id, type: event.type, ticket: { number: event.ticket.number } } };
}
