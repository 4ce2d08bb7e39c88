import { useEffect, useRef, useState } from 'react';
import { type LogLine, type RunChange, runStreamUrl } from '../../api/automation';

/** `live`: events arrive; `connecting`: (re)connecting; `offline`: the stream gave up, so the page polls; `ended`: the run finished. */
export type StreamState = 'connecting' | 'live' | 'offline' | 'ended';

export interface RunStreamHandlers {
  onLog: (line: LogLine) => void;
  onRun: (change: RunChange) => void;
  onEnd: () => void;
}

/** How long a reconnect may take before the page polls instead of waiting. */
const RECONNECT_GRACE_MS = 4000;

/**
 * Follows a run's server-sent events while `enabled`. EventSource reconnects by itself and
 * sends the last log line's id, so no line is lost or repeated; when it cannot (the server
 * refused, or it stays down), the state says `offline` and the page polls instead.
 */
export function useRunStream(id: string, enabled: boolean, handlers: RunStreamHandlers): StreamState {
  const latest = useRef(handlers);
  latest.current = handlers;
  const [state, setState] = useState<StreamState>(enabled ? 'connecting' : 'ended');

  useEffect(() => {
    if (!enabled) {
      setState('ended');
      return;
    }
    const source = new EventSource(runStreamUrl(id));
    let grace: ReturnType<typeof setTimeout> | undefined;
    const parse = <T,>(event: Event): T | null => {
      try {
        return JSON.parse((event as MessageEvent<string>).data) as T;
      } catch {
        return null; // A malformed event changes nothing; the next one carries the state again.
      }
    };
    setState('connecting');
    source.onopen = () => {
      clearTimeout(grace);
      setState('live');
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setState('offline');
        return;
      }
      setState('connecting');
      clearTimeout(grace);
      grace = setTimeout(() => source.readyState !== EventSource.OPEN && setState('offline'), RECONNECT_GRACE_MS);
    };
    source.addEventListener('log', (event) => {
      const line = parse<LogLine>(event);
      if (line) latest.current.onLog(line);
    });
    source.addEventListener('run', (event) => {
      const change = parse<RunChange>(event);
      if (change) latest.current.onRun(change);
    });
    source.addEventListener('end', () => {
      // The server closes the stream after `end`; without close() EventSource would reconnect.
      source.close();
      setState('ended');
      latest.current.onEnd();
    });
    return () => {
      clearTimeout(grace);
      source.close();
    };
  }, [id, enabled]);

  return state;
}
