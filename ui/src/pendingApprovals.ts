/**
 * How many approvals wait for me, for the navigation and the console tab: one shared
 * count, read at start, every minute, when the window regains focus, and after I decide.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { listTickets } from './api';

const POLL_MS = 60_000;
const LIMIT = 100;

let count: number | null = null;
const listeners = new Set<() => void>();

async function refresh(): Promise<void> {
  try {
    const page = await listTickets('approvals', {}, { limit: LIMIT });
    count = page.nextCursor ? LIMIT : page.items.length;
  } catch {
    // Keep the last count; the next poll tries again (a 401 signs the user out anyway).
    return;
  }
  for (const listener of listeners) listener();
}

/** Re-reads the count now (after approving or rejecting). */
export function approvalsChanged(): void {
  void refresh();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The pending count ("100" means at least that many), or null before the first answer. */
export function usePendingApprovalCount(): number | null {
  return useSyncExternalStore(subscribe, () => count);
}

/** Keeps the count fresh while mounted (the app shell does this once for every view). */
export function usePollPendingApprovals(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    void refresh();
    const timer = window.setInterval(() => !document.hidden && void refresh(), POLL_MS);
    window.addEventListener('focus', approvalsChanged);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', approvalsChanged);
    };
  }, [enabled]);
}
