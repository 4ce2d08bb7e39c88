import { useCallback, useState } from 'react';
import type { ConsoleQuery } from './queues';

/** A named queue with filters, kept in this browser for one user. */
export interface SavedView extends ConsoleQuery {
  id: string;
  name: string;
}

const storageKey = (username: string) => `flowdesk:console-views:${username}`;

function read(username: string): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(username)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isView) : [];
  } catch {
    return [];
  }
}

function isView(value: unknown): value is SavedView {
  const view = value as SavedView;
  return typeof view?.id === 'string' && typeof view.name === 'string' && typeof view.queue === 'string' && typeof view.filters === 'object' && view.filters !== null;
}

/** The user's saved views, with add and remove; every change is written to localStorage at once. */
export function useSavedViews(username: string) {
  const [views, setViews] = useState<SavedView[]>(() => read(username));

  const store = useCallback(
    (next: SavedView[]) => {
      localStorage.setItem(storageKey(username), JSON.stringify(next));
      setViews(next);
    },
    [username],
  );

  const add = useCallback(
    (name: string, query: ConsoleQuery): SavedView => {
      const view: SavedView = { id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, name: name.trim(), queue: query.queue, filters: query.filters };
      store([...read(username), view]);
      return view;
    },
    [store, username],
  );

  const remove = useCallback((id: string) => store(read(username).filter((v) => v.id !== id)), [store, username]);

  return { views, add, remove };
}
