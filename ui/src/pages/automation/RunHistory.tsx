import { type FormEvent, useEffect, useState } from 'react';
import '../../automation.css';
import { type Problem, toProblem } from '../../api';
import { FINISHED_RUN, type LibrarySummary, listLibrary, listRuns, type Run, type RunFilters, RUN_STATUSES, type RunStatus } from '../../api/automation';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { useMe } from '../../session';
import { AutomationTabs } from './AutomationTabs';
import { RUN_LABEL, RunStatusBadge } from './badges';
import { durationText } from './duration';

const PAGE = 50;
const REFRESH_MS = 5000;
const KEYS = ['runbook', 'status', 'requestedBy'] as const;

function filtersFrom(search: URLSearchParams): RunFilters {
  const filters: RunFilters = {};
  const runbook = search.get('runbook');
  const status = search.get('status');
  const requestedBy = search.get('requestedBy');
  if (runbook) filters.runbook = runbook;
  if (status && (RUN_STATUSES as readonly string[]).includes(status)) filters.status = status as RunStatus;
  if (requestedBy) filters.requestedBy = requestedBy;
  return filters;
}

function hrefOf(filters: RunFilters): string {
  const query = new URLSearchParams();
  for (const key of KEYS) if (filters[key]) query.set(key, filters[key]!);
  const text = query.toString();
  return `/automation/runs${text ? `?${text}` : ''}`;
}

/** Runs, newest first, filtered by runbook, status and who started them (the filters live in the URL). */
export function RunHistory() {
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const key = hrefOf(filters);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [moreError, setMoreError] = useState<Problem | null>(null);
  const [runbooks, setRunbooks] = useState<LibrarySummary[]>([]);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    document.title = 'Runs · Automation · FlowDesk';
    const controller = new AbortController();
    listLibrary('runbook', { limit: 500, signal: controller.signal }).then((page) => setRunbooks(page.items), () => undefined);
    return () => controller.abort();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    listRuns(filtersFrom(new URL(key, window.location.origin).searchParams), { limit: PAGE, signal: controller.signal }).then(
      (page) => {
        setRuns(page.items);
        setCursor(page.nextCursor);
      },
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [key, reloads]);

  // Runs still going change their status: read the first page again now and then, unless more pages are shown.
  const active = (runs ?? []).some((r) => !FINISHED_RUN.has(r.status));
  const onePage = (runs?.length ?? 0) <= PAGE;
  useEffect(() => {
    if (!active || !onePage) return;
    const timer = setInterval(() => setReloads((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, onePage]);

  async function more() {
    setMoreError(null);
    try {
      const page = await listRuns(filters, { limit: PAGE, cursor });
      setRuns((current) => [...(current ?? []), ...page.items.filter((r) => !current?.some((c) => c.id === r.id))]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(toProblem(e));
    }
  }

  return (
    <div className="page page-wide automation">
      <PageHeader eyebrow="Automation" title="Runs" subtitle="Every run of a runbook, newest first: who started it, on how many hosts, and how it ended." />
      <AutomationTabs current="runs" />
      <RunFilterForm key={key} filters={filters} runbooks={runbooks} />
      {error ? (
        <ProblemView problem={error} onRetry={() => setReloads((n) => n + 1)} />
      ) : runs === null ? (
        <Spinner label="Loading runs…" />
      ) : runs.length === 0 ? (
        <section className="card empty" data-testid="runs-empty">
          <p className="empty-title">{Object.keys(filters).length ? 'No run matches these filters' : 'No runs yet'}</p>
          <p className="muted">{Object.keys(filters).length ? 'Clear a filter to see more.' : 'Open a runbook in the library and choose “Run…”.'}</p>
          {Object.keys(filters).length > 0 ? (
            <Link to="/automation/runs" className="btn btn-secondary">
              Clear filters
            </Link>
          ) : (
            <Link to="/automation/runbooks" className="btn btn-secondary">
              Open the library
            </Link>
          )}
        </section>
      ) : (
        <section className="card table-card" aria-label="Runs">
          <div className="table-scroll">
            <table className="table" data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Runbook</th>
                  <th scope="col">Status</th>
                  <th scope="col">Hosts</th>
                  <th scope="col">Requested</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => {
                  const href = `/automation/runs/${encodeURIComponent(run.id)}`;
                  return (
                    <tr key={run.id} className="row-link" data-testid="run-row" data-run={run.id} data-status={run.status} onClick={() => navigate(href)}>
                      <td className="cell-number">
                        <Link to={href}>{run.id}</Link>
                      </td>
                      <td>
                        {run.runbook.name} <span className="muted small mono">v{run.runbook.version}</span>
                      </td>
                      <td>
                        <RunStatusBadge status={run.status} />
                        {run.waiting?.[0] && (
                          <div className="muted small" title={run.waiting[0].detail}>
                            {run.waiting[0].reason === 'approval' ? 'needs approval' : run.waiting[0].reason === 'decision' ? 'needs a decision' : run.waiting[0].reason}
                          </div>
                        )}
                      </td>
                      <td className="small">{run.targets.total}</td>
                      <td className="small">
                        {run.requestedBy}
                        {run.trigger.type !== 'manual' && <Tag tone="blue">{run.trigger.type}</Tag>}
                        <div className="muted" title={formatDateTime(run.createdAt)}>
                          {formatRelative(run.createdAt)}
                        </div>
                      </td>
                      <td className="small nowrap">{durationText(run.startedAt, run.finishedAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {moreError && <ErrorAlert problem={moreError} onDismiss={() => setMoreError(null)} />}
      {cursor && runs && runs.length > 0 && (
        <div className="list-foot">
          <span className="muted small">{runs.length} runs shown</span>
          <button type="button" className="btn btn-secondary" onClick={() => void more()} data-testid="runs-more">
            Load more
          </button>
        </div>
      )}
    </div>
  );
}

function RunFilterForm({ filters, runbooks }: { filters: RunFilters; runbooks: LibrarySummary[] }) {
  const me = useMe();
  const [runbook, setRunbook] = useState(filters.runbook ?? '');
  const [status, setStatus] = useState(filters.status ?? '');
  const [requestedBy, setRequestedBy] = useState(filters.requestedBy ?? '');
  const apply = (next: RunFilters) => navigate(hrefOf(next));

  function submit(event: FormEvent) {
    event.preventDefault();
    apply({ runbook: runbook || undefined, status: (status || undefined) as RunStatus | undefined, requestedBy: requestedBy.trim() || undefined });
  }

  const known = runbooks.some((r) => r.id === runbook);
  return (
    <form className="card filter-card run-filters" onSubmit={submit} aria-label="Filter runs" data-testid="run-filters">
      <div className="field">
        <label htmlFor="filter-runbook">Runbook</label>
        <select id="filter-runbook" value={runbook} onChange={(e) => setRunbook(e.target.value)}>
          <option value="">Any runbook</option>
          {!known && runbook && <option value={runbook}>{runbook}</option>}
          {runbooks.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({r.id})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {RUN_LABEL[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-requested-by">Requested by</label>
        <input id="filter-requested-by" value={requestedBy} onChange={(e) => setRequestedBy(e.target.value)} placeholder="user name" autoComplete="off" />
      </div>
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary" data-testid="apply-filters">
          Apply
        </button>
        {me && (
          <button type="button" className="btn btn-ghost" onClick={() => apply({ ...filters, requestedBy: me.user.username })}>
            Mine
          </button>
        )}
        {Object.keys(filters).length > 0 && (
          <Link to="/automation/runs" className="btn btn-ghost">
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}
