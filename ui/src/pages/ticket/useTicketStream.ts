import { useEffect, useRef, useState } from 'react';
import { type TicketChanged, ticketStreamUrl } from '../../api';

export type StreamState = 'connecting' | 'live' | 'offline';

/**
 * Follows the ticket's server-sent events and calls `onVersion` with each version the
 * server announces (the first is the current one). EventSource reconnects by itself.
 */
export function useTicketStream(number: string, onVersion: (version: number) => void): StreamState {
  const latest = useRef(onVersion);
  latest.current = onVersion;
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    const source = new EventSource(ticketStreamUrl(number));
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.addEventListener('ticket', (event) => {
      try {
        latest.current((JSON.parse((event as MessageEvent<string>).data) as TicketChanged).version);
      } catch {
        // A malformed event changes nothing; the next one carries the version again.
      }
    });
    return () => source.close();
  }, [number]);

  return state;
}
