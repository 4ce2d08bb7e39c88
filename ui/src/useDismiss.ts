import { type RefObject, useEffect } from 'react';
import { useLocation } from './router';

/**
 * Closes a popover when the user clicks outside `area`, presses Escape (focus goes back to
 * the `trigger` that opened it) or navigates elsewhere.
 */
export function useDismiss(open: boolean, close: () => void, area: RefObject<HTMLElement | null>, trigger: RefObject<HTMLElement | null>): void {
  const { pathname } = useLocation();
  // Only on navigation: `close` is stable.
  useEffect(() => close(), [pathname, close]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: MouseEvent) => {
      if (area.current && !area.current.contains(event.target as Node)) close();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        close();
        trigger.current?.focus();
      }
    };
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, close, area, trigger]);
}
