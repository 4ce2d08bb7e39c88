import { type FormEvent, useState } from 'react';
import { Link } from '../../router';
import { type ConsoleQuery, consolePath, QUEUE_TABS, sameQuery } from './queues';
import type { SavedView } from './savedViews';

interface Props {
  query: ConsoleQuery;
  views: SavedView[];
  onSave: (name: string) => void;
  onDelete: (view: SavedView) => void;
  /** Pending approvals, shown on the "My approvals" tab. */
  approvals: number | null;
}

/** The queues, then the user's saved views; the one matching the URL is current. */
export function ConsoleTabs({ query, views, onSave, onDelete, approvals }: Props) {
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const currentView = views.find((v) => sameQuery(v, query));

  function save(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    onSave(name);
    setName('');
    setNaming(false);
  }

  return (
    <div className="console-tabs">
      <nav className="tabs" aria-label="Queues">
        {QUEUE_TABS.map((tab) => (
          <Link
            key={tab.queue}
            to={consolePath({ queue: tab.queue, filters: {} })}
            className="tab"
            aria-current={!currentView && query.queue === tab.queue ? 'page' : undefined}
            data-testid={`queue-${tab.queue}`}
          >
            {tab.label}
            {tab.queue === 'approvals' && approvals ? <span className="count tab-count">{approvals}</span> : null}
          </Link>
        ))}
        {views.map((view) => (
          <span key={view.id} className="tab tab-saved" aria-current={currentView?.id === view.id ? 'page' : undefined} data-testid="saved-view" data-name={view.name}>
            <Link to={consolePath(view)} className="tab-saved-link">
              {view.name}
            </Link>
            <button type="button" className="tab-delete" onClick={() => onDelete(view)} aria-label={`Delete saved view ${view.name}`} title="Delete this view" data-testid="delete-view">
              ×
            </button>
          </span>
        ))}
      </nav>
      {naming ? (
        <form className="save-view" onSubmit={save} aria-label="Save the current view">
          <label htmlFor="view-name" className="sr-only">
            View name
          </label>
          <input id="view-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="Name this view" maxLength={40} autoFocus onKeyDown={(e) => e.key === 'Escape' && setNaming(false)} data-testid="view-name" />
          <button type="submit" className="btn btn-primary btn-sm" disabled={!name.trim()} data-testid="save-view">
            Save
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setNaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        !currentView && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setNaming(true)} data-testid="save-view-button">
            + Save view
          </button>
        )
      )}
    </div>
  );
}
