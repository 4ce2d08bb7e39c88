import { useRef } from 'react';

/** A random Idempotency-Key; getRandomValues works on plain-http origins too, unlike randomUUID. */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The same key while the body stays the same, a new one once it changes: a retry after a
 * lost answer returns the ticket the first attempt opened instead of opening a second one.
 */
export function useIdempotencyKey(): (body: unknown) => string {
  const last = useRef<{ body: string; key: string } | null>(null);
  return (body) => {
    const text = JSON.stringify(body);
    if (last.current?.body !== text) last.current = { body: text, key: randomKey() };
    return last.current.key;
  };
}
