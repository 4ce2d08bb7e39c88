import { diffOf } from '../diff';
import type { Ticket } from './ticket';

/** The fields an audit diff shows (the timeline and clocks are in the ticket itself). */
export function auditedFields({ timeline: _t, updatedAt: _u, version: _v, slas: _s, ...fields }: Ticket): Record<string, unknown> {
  return fields;
}

/** What changed between two versions of a ticket, as the audit trail records it. */
export function ticketDiff(before: Ticket | null, after: Ticket) {
  return diffOf(before ? auditedFields(before) : {}, auditedFields(after));
}
