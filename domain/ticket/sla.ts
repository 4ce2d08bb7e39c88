import type { TicketEvent } from '../notification/event';
import type { SlaCatalog, SlaTicketView } from '../sla/policy';
import { reconcileSlas, type SlaThresholdEvent } from '../sla/ticketSla';
import type { TicketCommon } from './common';
import { assignTo, bump, note, withPriority } from './changes';
import { ticketEvent } from './events';
import type { ActionContext } from './settings';
import type { Ticket } from './ticket';

export function slaViewOf(ticket: Ticket): SlaTicketView {
  return {
    kind: ticket.kind,
    state: ticket.state,
    holdReason: ticket.kind === 'incident' ? ticket.holdReason : null,
    priority: ticket.priority,
    service: ticket.service,
    category: ticket.category,
  };
}

/** The ticket with its SLA clocks brought in line with its current state, priority and policies. */
export function withSlas<T extends Ticket>(ticket: T, catalog: SlaCatalog, now: string): T {
  return { ...ticket, slas: reconcileSlas(ticket.slas ?? [], slaViewOf(ticket), catalog, now) };
}

/**
 * Applies what reached SLA thresholds ask for — a timeline entry each, then the escalation
 * actions (raise priority, reassign) — and returns the announcements (who to notify is
 * decided by the notification subscriptions from `detail.notify`).
 */
export function escalate(ticket: Ticket, reached: SlaThresholdEvent[], ctx: ActionContext): { ticket: Ticket; events: TicketEvent[] } {
  if (reached.length === 0) return { ticket, events: [] };
  let next: Ticket = bump(ticket, ctx);
  for (const threshold of reached) {
    // A warning's dueAt is the instant the ratio was reached, not the SLA's due time.
    const what = threshold.kind === 'breach' ? 'breached' : `reached ${Math.round(threshold.ratio * 100)}% of its target at ${threshold.dueAt}`;
    note(next, ctx, 'sla', `SLA '${threshold.sla}' ${what}`);
    for (const action of threshold.actions) {
      if (action.type === 'raise_priority') next = withPriority({ ...next, priorityBoost: next.priorityBoost + 1 } as TicketCommon as Ticket, ctx);
      if (action.type === 'reassign') next = assignTo(next, { group: action.group, assignee: null }, 'sla', ctx);
    }
  }
  const events = reached.map((threshold, i) =>
    ticketEvent(next, threshold.kind === 'breach' ? 'sla_breach' : 'sla_warning', ctx.actor, ctx.now, {
      sla: threshold.sla,
      ratio: threshold.ratio,
      dueAt: threshold.dueAt,
      notify: threshold.actions.flatMap((a) => (a.type === 'notify_assignee' ? ['assignee'] : a.type === 'notify_group_manager' ? ['group_manager'] : [])),
    }, String(i)),
  );
  return { ticket: next, events };
}
