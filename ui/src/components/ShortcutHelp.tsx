import { useEffect, useRef } from 'react';

interface ShortcutEntry {
  keys: string[];
  does: string;
}

/** The keyboard shortcuts of the page, as a modal dialog; Escape or the button closes it. */
export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: ShortcutEntry[]; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(document.activeElement);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    closeRef.current?.focus();
    const back = opener.current;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' || event.key === '?') {
        event.preventDefault();
        close.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (back instanceof HTMLElement) back.focus();
    };
  }, []);

  return (
    <div className="modal-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className="modal shortcut-help" role="dialog" aria-modal="true" aria-labelledby="shortcut-help-title" data-testid="shortcut-help">
        <div className="panel-header">
          <h2 id="shortcut-help-title" className="card-title">
            Keyboard shortcuts
          </h2>
          <button type="button" ref={closeRef} className="alert-close" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <dl className="shortcut-list">
          {shortcuts.map((s) => (
            <div key={s.keys.join('+')} className="shortcut-row">
              <dt>
                {s.keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </dt>
              <dd>{s.does}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">Shortcuts are off while you type in a field; Esc still closes forms.</p>
      </div>
    </div>
  );
}
