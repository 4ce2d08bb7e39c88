import { useEffect, useRef, useState } from 'react';
import { type Alert, type AlertFilters, type AlertStreamBatch, alertStreamUrl, listAlerts, type Problem, toProblem } from '../../api';

export type LiveState = 'connecting' | 'live' | 'offline';

/** How long to wait before opening a stream again once the browser gave up on one (the server refused it). */
const REOPEN_MS = 5_000;

/**
 * The alert list, kept current by GET /alerts/stream (api/routes/alertStream.ts): the list is
 * loaded when the stream says `ready` without resuming (so nothing that changes after is
 * missed), then each `alerts` event updates it in place — a newer revision replaces an alert,
 * `gone` ones leave. EventSource reconnects by itself with Last-Event-ID, and the server sends
 * what was missed; a stream the browser gave up on is opened again after a pause.
 *
 * `key` names the filters (their URL); `onBatch` hears each batch (the grouped view reloads).
 */
export function useLiveAlerts(filters: AlertFilters, key: string, { limit = 200, list = true, onBatch }: { limit?: number; list?: boolean; onBatch?: () => void } = {}) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<Problem | null>(null);
  const [state, setState] = useState<LiveState>('connecting');
  const [attempt, setAttempt] = useState(0);
  const current = useRef({ filters, onBatch });
  current.current = { filters, onBatch };

  useEffect(() => {
    let byId: Map<string, Alert & { rev?: number }> | null = null;
    let pending: AlertStreamBatch[] = [];
    let disposed = false;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const show = () => {
      if (!byId) return;
      setAlerts([...byId.values()].sort((a, b) => (a.lastSeen === b.lastSeen ? a.id.localeCompare(b.id) : a.lastSeen < b.lastSeen ? 1 : -1)).slice(0, limit));
    };
    const apply = (batch: AlertStreamBatch) => {
      const arrived: string[] = [];
      for (const alert of batch.alerts) {
        const known = byId!.get(alert.id);
        if (known?.rev !== undefined && known.rev > alert.rev) continue;
        if (!known) arrived.push(alert.id);
        byId!.set(alert.id, alert);
      }
      for (const id of batch.gone) byId!.delete(id);
      if (arrived.length) setFresh((before) => new Set([...before, ...arrived]));
    };

    setAlerts(null);
    setFresh(new Set());
    setState('connecting');
    const source = new EventSource(alertStreamUrl(current.current.filters));
    source.addEventListener('ready', (event) => {
      setState('live');
      setError(null);
      let resumed = false;
      try {
        resumed = (JSON.parse((event as MessageEvent<string>).data) as { resumed: boolean }).resumed;
      } catch {
        // Not resumed, then: load the list.
      }
      if (resumed && byId) return;
      if (!list) {
        byId = new Map();
        return;
      }
      byId = null;
      listAlerts(current.current.filters, { limit, signal: controller.signal }).then(
        (page) => {
          byId = new Map(page.items.map((a) => [a.id, a]));
          for (const batch of pending) apply(batch);
          pending = [];
          show();
        },
        (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
      );
    });
    source.addEventListener('alerts', (event) => {
      let batch: AlertStreamBatch;
      try {
        batch = JSON.parse((event as MessageEvent<string>).data) as AlertStreamBatch;
      } catch {
        return;
      }
      current.current.onBatch?.();
      if (!byId) pending.push(batch);
      else {
        apply(batch);
        show();
      }
    });
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return setState('connecting');
      setState('offline');
      if (!disposed) reopen = setTimeout(() => setAttempt((n) => n + 1), REOPEN_MS);
    };
    return () => {
      disposed = true;
      clearTimeout(reopen);
      controller.abort();
      source.close();
    };
  }, [key, limit, list, attempt]);

  return { alerts, fresh, error, state, retry: () => setAttempt((n) => n + 1) };
}
