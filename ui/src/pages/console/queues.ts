import { FILTER_KEYS, type Queue, QUEUES, type TicketFilters } from '../../api';

/** The console's tabs: each queue's name and the order the server sorts it in. */
export const QUEUE_TABS: ReadonlyArray<{ queue: Queue; label: string; sort: string }> = [
  { queue: 'mine', label: 'My work', sort: 'Newest first' },
  { queue: 'my_groups', label: 'My groups', sort: 'Newest first' },
  { queue: 'unassigned', label: 'Unassigned', sort: 'Newest first' },
  { queue: 'breaching', label: 'Breaching soon', sort: 'Soonest SLA due first' },
  { queue: 'recent', label: 'Recently updated', sort: 'Last updated first' },
  { queue: 'all', label: 'All', sort: 'Newest first' },
  { queue: 'approvals', label: 'My approvals', sort: 'Newest first' },
];

const DEFAULT_QUEUE: Queue = 'mine';

/** What the console shows: a queue and its filters. It lives in the URL, so back, reload and links keep it. */
export interface ConsoleQuery {
  queue: Queue;
  filters: TicketFilters;
}

export function parseConsoleQuery(search: URLSearchParams): ConsoleQuery {
  const queue = QUEUES.find((q) => q === search.get('queue')) ?? DEFAULT_QUEUE;
  const filters: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = search.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return { queue, filters: filters as TicketFilters };
}

export function consolePath({ queue, filters }: ConsoleQuery): string {
  const query = new URLSearchParams({ queue });
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) query.set(key, value);
  }
  return `/console?${query}`;
}

export function sameQuery(a: ConsoleQuery, b: ConsoleQuery): boolean {
  return a.queue === b.queue && FILTER_KEYS.every((key) => (a.filters[key] ?? '') === (b.filters[key] ?? ''));
}

export function queueLabel(queue: Queue): string {
  return QUEUE_TABS.find((t) => t.queue === queue)?.label ?? queue;
}
