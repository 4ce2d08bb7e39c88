import { ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { TicketEvent } from '../domain/notification/event';
import { notificationWorkflow } from './notification';

/** One notification workflow per event: its ID is the event's stable id. */
export function notificationWorkflowId(event: TicketEvent): string {
  return `notify/${event.id}`;
}

/**
 * Hands a ticket event to its own notification workflow and returns once that has
 * started, without waiting for any delivery. The child outlives the ticket (ABANDON) and
 * its failures never reach the ticket. An event already announced (a retried or replayed
 * call, or a run that continued as new and announced again) is not delivered twice.
 */
export async function announce(event: TicketEvent): Promise<void> {
  try {
    await startChild(notificationWorkflow, {
      workflowId: notificationWorkflowId(event),
      args: [event],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // Also refuse when an earlier run already finished: its deliveries were made.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    // @temporalio/workflow does not export the error class, so it is recognised by name.
    if ((error as Error | undefined)?.name === 'WorkflowExecutionAlreadyStartedError') return;
    throw error;
  }
}
