import { type FormEvent, useEffect, useState } from 'react';
import '../../automation.css';
import { type Problem, toProblem } from '../../api';
import { type LibraryKind, type LibrarySummary, listLibrary, PLURAL } from '../../api/automation';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate } from '../../router';
import { useCan } from '../../session';
import { AutomationTabs } from './AutomationTabs';
import { RiskBadge } from './badges';

const ID_PATTERN = '[a-z0-9]+(-[a-z0-9]+)*';

/** The library: runbooks or scripts, searchable, with their latest version and any draft. */
export function LibraryPage({ kind }: { kind: LibraryKind }) {
  const can = useCan();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<LibrarySummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [moreError, setMoreError] = useState<Problem | null>(null);
  const [reloads, setReloads] = useState(0);
  const plural = kind === 'runbook' ? 'Runbooks' : 'Scripts';

  useEffect(() => {
    document.title = `${plural} · Automation · FlowDesk`;
  }, [plural]);

  // Search as the user types, a moment after they stop.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    listLibrary(kind, { q: query, signal: controller.signal }).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
      },
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [kind, query, reloads]);

  async function more() {
    try {
      const page = await listLibrary(kind, { q: query, cursor });
      setItems((current) => [...(current ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(toProblem(e));
    }
  }

  return (
    <div className="page page-wide automation">
      <PageHeader
        eyebrow="Automation"
        title="Library"
        subtitle="Runbooks and the scripts they use, each a series of immutable published versions with an editable draft."
        actions={can('automation.author') && <NewEntry kind={kind} />}
      />
      <AutomationTabs current={PLURAL[kind]} />
      <section className="card table-card" aria-labelledby="library-title">
        <div className="library-toolbar">
          <h2 className="card-title" id="library-title">
            {plural} {items && <span className="count">{items.length}{cursor ? '+' : ''}</span>}
          </h2>
          <label htmlFor="library-search" className="sr-only">
            Search {plural.toLowerCase()}
          </label>
          <input id="library-search" className="search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={`Search ${plural.toLowerCase()} by id or name…`} data-testid="library-search" />
        </div>
        {error ? (
          <div className="library-problem">
            <ProblemView problem={error} onRetry={() => setReloads((n) => n + 1)} />
          </div>
        ) : items === null ? (
          <Spinner label={`Loading ${plural.toLowerCase()}…`} />
        ) : items.length === 0 ? (
          <div className="empty">
            <p className="empty-title">{query ? `No ${plural.toLowerCase()} match “${query}”` : `No ${plural.toLowerCase()} yet`}</p>
            <p className="muted">
              {query ? 'Try fewer words, or part of the id.' : can('automation.author') ? `Create one with “New ${kind}”, or ship it as a file in catalog/runbooks.` : 'Authors publish them here; shipped ones come from catalog/runbooks.'}
            </p>
          </div>
        ) : (
          <LibraryTable kind={kind} items={items} />
        )}
      </section>
      {moreError && <ErrorAlert problem={moreError} onDismiss={() => setMoreError(null)} />}
      {cursor && (
        <div className="list-foot">
          <span />
          <button type="button" className="btn btn-secondary" onClick={() => void more()}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}

function LibraryTable({ kind, items }: { kind: LibraryKind; items: LibrarySummary[] }) {
  const can = useCan();
  const runner = kind === 'runbook' && can('automation.run');
  return (
    <div className="table-scroll">
      <table className="table" data-testid="library-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            {kind === 'runbook' && <th scope="col">Risk</th>}
            <th scope="col">Latest version</th>
            <th scope="col">Draft</th>
            {runner && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const href = `/automation/${PLURAL[kind]}/${encodeURIComponent(item.id)}`;
            return (
              <tr key={item.id} data-testid="library-row" data-id={item.id}>
                <td>
                  <Link to={href} className="strong">
                    {item.name}
                  </Link>
                  <div className="muted small">
                    <span className="mono">{item.id}</span>
                    {item.description && <> · {item.description}</>}
                  </div>
                </td>
                {kind === 'runbook' && (
                  <td>
                    <RiskBadge risk={item.risk} />
                  </td>
                )}
                <td className="small" data-testid="latest-version">
                  {item.latestVersion === null ? (
                    <span className="muted">Not published yet</span>
                  ) : (
                    <>
                      <span className="strong">v{item.latestVersion}</span>
                      <div className="muted" title={item.publishedAt ? formatDateTime(item.publishedAt) : undefined}>
                        {item.publishedBy} · {item.publishedAt ? formatRelative(item.publishedAt) : ''}
                      </div>
                    </>
                  )}
                </td>
                <td className="small">
                  {item.draft ? (
                    <Tag tone="violet" testId="draft-marker" title={`Saved ${formatDateTime(item.draft.savedAt)}`}>
                      Draft · {item.draft.savedBy}
                    </Tag>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                {runner && (
                  <td className="nowrap cell-actions">
                    {item.latestVersion !== null && (
                      <Link to={`${href}/run`} className="btn btn-sm btn-secondary" aria-label={`Run ${item.name}…`}>
                        Run…
                      </Link>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "New runbook": asks for the id (it names the file and the URL), then opens the draft editor. */
function NewEntry({ kind }: { kind: LibraryKind }) {
  const [open, setOpen] = useState(false);
  const [id, setId] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    navigate(`/automation/${PLURAL[kind]}/${encodeURIComponent(id.trim())}?tab=draft&new=1`);
  }
  if (!open) {
    return (
      <button type="button" className="btn btn-primary" onClick={() => setOpen(true)} data-testid="new-entry">
        New {kind}
      </button>
    );
  }
  return (
    <form className="new-entry" onSubmit={submit} aria-label={`New ${kind}`}>
      <label htmlFor="new-entry-id" className="sr-only">
        Id of the new {kind}
      </label>
      <input id="new-entry-id" value={id} onChange={(e) => setId(e.target.value)} placeholder={kind === 'runbook' ? 'e.g. check-ntp' : 'e.g. ntp-status'} pattern={ID_PATTERN} maxLength={64} required autoFocus title="Lower-case words joined by dashes" />
      <button type="submit" className="btn btn-primary">
        Create draft
      </button>
      <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
