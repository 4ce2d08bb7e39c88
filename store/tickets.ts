import { type Connection, Schema } from 'mongoose';
import { pendingApprovers } from '../domain/approval';
import { approversOf, type Ticket, workingGroupsOf } from '../domain/ticket/ticket';

/**
 * The ticket read model: one document per ticket, `_id` = ticket number, the ticket's
 * fields as the workflow last wrote them, plus a few derived fields the queries need.
 */
// Distributes over the kinds, so each keeps its own fields.
type WithoutNumber<T> = T extends unknown ? Omit<T, 'number'> : never;

export type TicketDocument = WithoutNumber<Ticket> & {
  _id: string;
  /** Numeric sequence, so listings sort correctly past INC9999999. */
  seq: number;
  /** Users who must decide an approval now: the approvals queue. */
  approvers: string[];
  /** Everyone ever asked to approve, and the groups working on it: who may see it (isVisible). */
  participants: string[];
  workingGroups: string[];
  /** The earliest due time of a running SLA clock, for "breaching soon". */
  slaDueAt: string | null;
};

// The kinds differ in their fields, and the workflow is the only writer: the schema names
// what is queried and indexed, and the rest is stored as the workflow gives it.
const schema = new Schema(
  {
    _id: String,
    seq: { type: Number, required: true },
    kind: { type: String, required: true },
    state: { type: String, required: true },
    priority: String,
    assignmentGroup: String,
    assignee: String,
    openedBy: String,
    approvers: [String],
    participants: [String],
    workingGroups: [String],
    slaDueAt: String,
    updatedAt: String,
    version: { type: Number, required: true },
  },
  { collection: 'tickets', versionKey: false, strict: false },
);
schema.index({ seq: -1 });
schema.index({ kind: 1, state: 1, seq: -1 });
schema.index({ assignmentGroup: 1, seq: -1 });
schema.index({ assignee: 1, seq: -1 });
schema.index({ openedBy: 1, seq: -1 });
schema.index({ approvers: 1 });
schema.index({ participants: 1 });
schema.index({ workingGroups: 1 });

export function ticketModel(db: Connection) {
  return db.models.Ticket ?? db.model('Ticket', schema);
}

export function toTicket({ _id, seq: _seq, approvers: _a, participants: _p, workingGroups: _w, slaDueAt: _s, ...rest }: TicketDocument): Ticket {
  return { number: _id, ...rest } as Ticket;
}

/** The stored document; `slaDueAt` is computed by the caller, who knows the SLA calendars. */
export function toDocument(ticket: Ticket, slaDueAt: string | null): TicketDocument {
  const { number, ...fields } = ticket;
  return {
    ...fields,
    _id: number,
    seq: Number(number.slice(3)),
    approvers: ticket.kind === 'request' && ticket.approval && ticket.state === 'pending_approval' ? pendingApprovers(ticket.approval) : [],
    participants: approversOf(ticket),
    workingGroups: workingGroupsOf(ticket),
    slaDueAt,
  } as TicketDocument;
}
