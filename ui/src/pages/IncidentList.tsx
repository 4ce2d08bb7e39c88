import { useCallback, useEffect, useState } from 'react';
import { type Incident, INCIDENT_STATES, type IncidentState, listIncidents, type Problem, toProblem } from '../api';
import { PageHeader, PriorityBadge, ProblemView, Spinner, StateBadge } from '../components';
import { formatDateTime, formatRelative, STATE_LABELS } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useCan } from '../session';

const PAGE_SIZE = 50;

function parseState(value: string | null): IncidentState | undefined {
  return INCIDENT_STATES.find((s) => s === value);
}

export function IncidentList() {
  const { search } = useLocation();
  const state = parseState(search.get('state'));
  const [items, setItems] = useState<Incident[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [reloads, setReloads] = useState(0);
  const canCreate = useCan()('incident.create');

  useEffect(() => {
    document.title = `${state ? `${STATE_LABELS[state]} incidents` : 'Incidents'} · FlowDesk`;
  }, [state]);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    listIncidents({ state, limit: PAGE_SIZE, signal: controller.signal })
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setItems([]);
        setNextCursor(null);
        setError(toProblem(e));
        setLoading(false);
      });
    return () => controller.abort();
  }, [state, reloads]);

  const loadMore = useCallback(async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await listIncidents({ state, limit: PAGE_SIZE, cursor: nextCursor });
      setItems((current) => [...current, ...page.items.filter((i) => !current.some((c) => c.number === i.number))]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, state]);

  const filters: { label: string; value?: IncidentState }[] = [{ label: 'All' }, ...INCIDENT_STATES.map((s) => ({ label: STATE_LABELS[s], value: s }))];
  const now = Date.now();

  return (
    <div className="page">
      <PageHeader
        title="Incidents"
        subtitle="Newest first. Open one to assign, work and resolve it."
        actions={
          <>
            <button type="button" className="btn btn-ghost" onClick={() => setReloads((n) => n + 1)} disabled={loading}>
              Refresh
            </button>
            {canCreate && (
              <Link to="/incidents/new" className="btn btn-primary">
                New incident
              </Link>
            )}
          </>
        }
      />

      <nav className="filters" aria-label="Filter by state">
        {filters.map((f) => (
          <Link
            key={f.label}
            to={f.value ? `/incidents?state=${f.value}` : '/incidents'}
            className="filter"
            aria-current={state === f.value ? 'page' : undefined}
            data-testid={`filter-${f.value ?? 'all'}`}
          >
            {f.value && <span className={`dot dot-${f.value}`} aria-hidden="true" />}
            {f.label}
          </Link>
        ))}
      </nav>

      {error && <ProblemView problem={error} onDismiss={() => setError(null)} />}

      <div className="card table-card">
        {loading ? (
          <Spinner label="Loading incidents…" />
        ) : items.length === 0 && !error ? (
          <div className="empty">
            <p className="empty-title">{state ? `No ${STATE_LABELS[state].toLowerCase()} incidents` : 'No incidents yet'}</p>
            <p className="muted">{state ? 'Try another filter.' : 'When something breaks, log it here first.'}</p>
            {!state && canCreate && (
              <Link to="/incidents/new" className="btn btn-primary">
                Report the first incident
              </Link>
            )}
          </div>
        ) : (
          <div className="table-scroll">
            <table className="table table-incidents" data-testid="incident-table">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Title</th>
                  <th scope="col">Priority</th>
                  <th scope="col">State</th>
                  <th scope="col">Assignee</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((incident) => (
                  <tr
                    key={incident.number}
                    className="row-link"
                    data-testid="incident-row"
                    data-number={incident.number}
                    onClick={(event) => {
                      if ((event.target as HTMLElement).closest('a')) return;
                      navigate(`/incidents/${incident.number}`);
                    }}
                  >
                    <td className="cell-number">
                      <Link to={`/incidents/${incident.number}`}>{incident.number}</Link>
                    </td>
                    <td className="cell-title">
                      <span className="title-text">{incident.title}</span>
                    </td>
                    <td className="cell-priority">
                      <PriorityBadge priority={incident.priority} />
                    </td>
                    <td className="cell-state">
                      <StateBadge state={incident.state} />
                    </td>
                    <td className={`cell-assignee${incident.assignee ? '' : ' muted'}`}>{incident.assignee ?? 'Unassigned'}</td>
                    <td className="cell-time" title={formatDateTime(incident.updatedAt)}>
                      {formatRelative(incident.updatedAt, now)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      {!loading && (items.length > 0 || nextCursor) && (
        <div className="list-foot">
          <span className="muted">
            Showing {items.length} incident{items.length === 1 ? '' : 's'}
            {nextCursor ? '' : ' · end of list'}
          </span>
          {nextCursor && (
            <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
