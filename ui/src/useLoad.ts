import { useCallback, useEffect, useState } from 'react';
import { type Problem, toProblem } from './api';

/**
 * Runs `load` on mount (cancelled on unmount) and whenever `reload()` is called, keeping
 * the last failure to show. `load` stores what it fetched in the page's own state.
 */
export function useLoad(load: (signal?: AbortSignal) => Promise<void>): { reload: (signal?: AbortSignal) => Promise<void>; loadError: Problem | null } {
  const [loadError, setLoadError] = useState<Problem | null>(null);
  // `load` only calls setters, which are stable: one reload for the page's lifetime.
  const reload = useCallback(async (signal?: AbortSignal) => {
    try {
      await load(signal);
      setLoadError(null);
    } catch (e) {
      if (signal?.aborted) return;
      setLoadError(toProblem(e));
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    return () => controller.abort();
  }, [reload]);

  return { reload, loadError };
}
