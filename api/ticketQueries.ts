import type { z } from 'zod';
import { isTicketNumber } from '../domain/ticketNumber';
import type { ListQueueRequest } from '../store/ticketQueue';
import type { TicketDocument } from '../store/tickets';
import type { Principal } from './auth/principal';
import { InputError } from './problem';
import type { listTicketsQuery } from './schemas/ticket';
import { scopeOf } from './ticketAccess';

type Query = z.output<typeof listTicketsQuery>;
type Filter = Record<string, unknown>;

/**
 * The work queues (every queue but `all`) as a request to the queue index
 * (store/ticketQueue.ts), which answers them without scanning every ticket. Words are
 * looked for in the title there.
 */
export function queueRequest(query: Query, principal: Principal): ListQueueRequest | null {
  if (query.queue === 'all') return null;
  return {
    queue: query.queue,
    user: principal.username,
    groups: principal.groups,
    scope: scopeOf(principal),
    filters: { kind: query.kind, state: query.state, priority: query.priority, group: query.group, assignee: query.assignee, q: query.q },
    cursor: query.cursor,
    limit: query.limit,
  };
}

/**
 * The `all` queue: every ticket ever, newest first, read from the ticket documents (words
 * in the title or description). Paging is by `seq`, not by offset, so tickets created
 * between pages cause neither duplicates nor gaps.
 */
export function historyQuery(query: Query) {
  const filters: Filter[] = [];
  if (query.kind) filters.push({ kind: query.kind });
  if (query.state) filters.push({ state: query.state });
  if (query.priority) filters.push({ priority: query.priority });
  if (query.group) filters.push({ assignmentGroup: query.group });
  if (query.assignee) filters.push({ assignee: query.assignee });
  if (query.q) filters.push(isTicketNumber(query.q.toUpperCase()) ? { _id: query.q.toUpperCase() } : wordsFilter(query.q, ['title', 'description']));
  if (query.cursor !== undefined) filters.push({ seq: { $lt: decodeCursor(query.cursor) } });
  return {
    filter: filters.length > 0 ? { $and: filters } : {},
    sort: { seq: -1 } as const,
    limit: query.limit,
    page(docs: TicketDocument[]) {
      const items = docs.slice(0, query.limit);
      const last = items[items.length - 1];
      return { items, nextCursor: docs.length > query.limit && last ? Buffer.from(JSON.stringify({ seq: last.seq })).toString('base64url') : null };
    },
  };
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { seq?: unknown };
    if (typeof parsed.seq === 'number' && Number.isSafeInteger(parsed.seq)) return parsed.seq;
  } catch {
    // fall through
  }
  throw new InputError('cursor is not one this API returned; use nextCursor from a previous page', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}

/** Every word must appear (case-insensitive) in one of `fields`. */
export function wordsFilter(q: string, fields: string[]) {
  const words = q.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { $and: words.map((word) => ({ $or: fields.map((field) => ({ [field]: { $regex: word, $options: 'i' } })) })) };
}
