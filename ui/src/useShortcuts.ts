import { useEffect, useRef } from 'react';

/** Key → handler; keys are `KeyboardEvent.key` values ('j', '/', '?', 'Enter', 'Escape'). */
type Shortcuts = Partial<Record<string, () => void>>;

/** Whether the key press belongs to a field the user is typing in. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

/**
 * Single-key shortcuts for a page. Keys pressed while typing in a field, or with Ctrl, Alt
 * or Meta, are left alone — except Escape, which always reaches its handler (closing a form).
 * Keys pressed inside an open dialog belong to the dialog.
 */
export function useShortcuts(shortcuts: Shortcuts, enabled = true): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;

  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (event.key !== 'Escape' && isTyping(event.target)) return;
      if (event.target instanceof Element && event.target.closest('[role="dialog"]')) return;
      // Enter on a focused link or button is that control's own business.
      if (event.key === 'Enter' && event.target instanceof Element && event.target.closest('a, button')) return;
      const handler = latest.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}
