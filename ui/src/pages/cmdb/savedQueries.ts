import { useCallback, useState } from 'react';
import type { Selector } from '../../api';

/** A named CMDB query (class and filters as a selector), kept in this browser for one user, like the console's saved views. */
export interface SavedQuery {
  id: string;
  name: string;
  selector: Selector;
}

const storageKey = (username: string) => `flowdesk:cmdb-queries:${username}`;

function read(username: string): SavedQuery[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(username)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((q: SavedQuery) => typeof q?.id === 'string' && typeof q.name === 'string' && typeof q.selector === 'object' && q.selector !== null) : [];
  } catch {
    return [];
  }
}

export function useSavedQueries(username: string) {
  const [queries, setQueries] = useState<SavedQuery[]>(() => read(username));
  const store = useCallback(
    (next: SavedQuery[]) => {
      localStorage.setItem(storageKey(username), JSON.stringify(next));
      setQueries(next);
    },
    [username],
  );
  const add = (name: string, selector: Selector) => store([...queries.filter((q) => q.name !== name.trim()), { id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, name: name.trim(), selector }]);
  const remove = (id: string) => store(queries.filter((q) => q.id !== id));
  return { queries, add, remove };
}
