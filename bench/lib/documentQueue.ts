// The peer of bench/queues.ts: GET /api/v1/tickets as it answered the work queues before
// the queue index, one find with sort and limit on the full ticket documents.
import type { z } from 'zod';
import { DONE_STATES } from '../../domain/ticket/ticket';
import { isTicketNumber } from '../../domain/ticketNumber';
import type { TicketDocument } from '../../store/tickets';
import type { Principal } from '../../api/auth/principal';
import { InputError } from '../../api/problem';
import { wordsFilter } from '../../api/ticketQueries';
import type { listTicketsQuery } from '../../api/schemas/ticket';

type Query = z.output<typeof listTicketsQuery>;
type Filter = Record<string, unknown>;

/** The sort key of each queue: a field, its direction, and the unique tie-breaker `seq`. */
const ORDER = {
  seq: { field: 'seq', direction: -1 },
  updated: { field: 'updatedAt', direction: -1 },
  due: { field: 'slaDueAt', direction: 1 },
} as const;
type Order = (typeof ORDER)[keyof typeof ORDER];

const OPEN = { state: { $nin: [...DONE_STATES] } };

/** What each queue means, for the caller. */
function queueFilter(query: Query, principal: Principal): { filter: Filter; order: Order } {
  switch (query.queue) {
    case 'mine':
      return { filter: { ...OPEN, assignee: principal.username }, order: ORDER.seq };
    case 'my_groups':
      return { filter: { ...OPEN, assignmentGroup: { $in: principal.groups } }, order: ORDER.seq };
    case 'unassigned':
      return { filter: { ...OPEN, assignee: null }, order: ORDER.seq };
    case 'breaching':
      return { filter: { ...OPEN, slaDueAt: { $ne: null } }, order: ORDER.due };
    case 'recent':
      return { filter: {}, order: ORDER.updated };
    case 'opened':
      return { filter: { openedBy: principal.username }, order: ORDER.updated };
    case 'approvals':
      return { filter: { approvers: principal.username }, order: ORDER.seq };
    case 'all':
      return { filter: {}, order: ORDER.seq };
  }
}

/**
 * The store query of a listing and how to cut its page. Paging is by key (the sort field
 * then `seq`), not by offset, so tickets changing between pages cause neither duplicates
 * nor gaps within one sort key.
 */
export function queueQuery(query: Query, principal: Principal) {
  const { filter, order } = queueFilter(query, principal);
  const filters: Filter[] = [filter];
  if (query.kind) filters.push({ kind: query.kind });
  if (query.state) filters.push({ state: query.state });
  if (query.priority) filters.push({ priority: query.priority });
  if (query.group) filters.push({ assignmentGroup: query.group });
  if (query.assignee) filters.push({ assignee: query.assignee });
  if (query.q) filters.push(isTicketNumber(query.q.toUpperCase()) ? { _id: query.q.toUpperCase() } : wordsFilter(query.q, ['title', 'description']));
  if (query.cursor !== undefined) filters.push(after(order, decodeCursor(query.cursor)));
  const sort: Record<string, 1 | -1> = order.field === 'seq' ? { seq: -1 } : { [order.field]: order.direction, seq: -1 };
  return {
    filter: { $and: filters },
    sort,
    limit: query.limit,
    page(docs: TicketDocument[]) {
      const items = docs.slice(0, query.limit);
      const last = items[items.length - 1];
      return { items, nextCursor: docs.length > query.limit && last ? encodeCursor(last, order) : null };
    },
  };
}

interface Cursor {
  key: string | number | null;
  seq: number;
}

function after(order: Order, cursor: Cursor): Filter {
  if (order.field === 'seq') return { seq: { $lt: cursor.seq } };
  const beyond = order.direction === 1 ? '$gt' : '$lt';
  return { $or: [{ [order.field]: { [beyond]: cursor.key } }, { [order.field]: cursor.key, seq: { $lt: cursor.seq } }] };
}

function encodeCursor(doc: TicketDocument, order: Order): string {
  const key = (doc as unknown as Record<string, string | number | null>)[order.field] ?? null;
  return Buffer.from(JSON.stringify({ key, seq: doc.seq })).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Partial<Cursor>;
    if (typeof parsed.seq === 'number' && Number.isSafeInteger(parsed.seq)) return { key: parsed.key ?? null, seq: parsed.seq };
  } catch {
    // fall through
  }
  throw new InputError('cursor is not one this API returned; use nextCursor from a previous page', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}
