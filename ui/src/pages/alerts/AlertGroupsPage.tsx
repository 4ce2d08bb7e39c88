import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import '../../alerts.css';
import { type Alert, type AlertFilters, type AlertGroupSummary, listAlertGroups, listAlerts, type Problem, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { AlertFilterBar } from './AlertFilterBar';
import { filtersFrom, hrefOf } from './alertFilters';
import { AlertTabs } from './AlertTabs';
import { AlertStateBadge, SeverityBadge } from './badges';
import { LiveBadge } from './LiveBadge';
import { useLiveAlerts } from './useLiveAlerts';

const PAGE = 50;
/** Changes come in bursts: the groups are read again at most this often (a page reads the matching alerts). */
const RELOAD_MS = 5_000;

/**
 * The grouped view: one line per alert group (the key the rules gave, docs/alerts-correlation.md)
 * with its counts by state, worst severity, CIs and applications, and incident; a line opens
 * to the group's alerts. It follows the live stream and reads the groups again as alerts change.
 */
export function AlertGroupsPage() {
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const key = hrefOf('/alerts/groups', filters);
  const [groups, setGroups] = useState<AlertGroupSummary[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const due = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onBatch = useCallback(() => {
    due.current ??= setTimeout(() => {
      due.current = undefined;
      setReloads((n) => n + 1);
    }, RELOAD_MS);
  }, []);
  const { state } = useLiveAlerts(filters, key, { list: false, onBatch });

  useEffect(() => {
    document.title = 'Grouped alerts · FlowDesk';
    return () => clearTimeout(due.current);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const current = filtersFrom(new URL(key, window.location.origin).searchParams);
    listAlertGroups(current, { limit: PAGE, signal: controller.signal }).then(
      (page) => {
        setGroups(page.items);
        setNextCursor(page.nextCursor);
        setError(null);
      },
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [key, reloads]);

  async function more() {
    if (!nextCursor) return;
    try {
      const page = await listAlertGroups(filters, { limit: PAGE, cursor: nextCursor });
      setGroups((known) => [...(known ?? []), ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(toProblem(e));
    }
  }

  const apply = (next: AlertFilters) => navigate(hrefOf('/alerts/groups', next), { replace: true });
  return (
    <div className="page page-wide alerts">
      <PageHeader eyebrow="Alert center" title="Grouped alerts" subtitle="Alerts as the correlation rules group them: what is one problem, how big it is, and its incident." actions={<LiveBadge state={state} />} />
      <AlertTabs current="groups" search={search} />
      <AlertFilterBar filters={filters} onChange={apply} />
      {error ? (
        <ProblemView problem={error} onRetry={() => setReloads((n) => n + 1)} />
      ) : groups === null ? (
        <Spinner label="Loading groups…" />
      ) : groups.length === 0 ? (
        <section className="card empty" data-testid="groups-empty">
          <p className="empty-title">No group matches</p>
          <p className="muted">Alerts join a group by the rules in catalog/rules/alert-rules.yaml.</p>
        </section>
      ) : (
        <section className="card table-card" aria-label="Alert groups">
          <div className="table-scroll">
            <table className="table" data-testid="groups-table">
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Group</th>
                  <th scope="col">Alerts</th>
                  <th scope="col">CIs · applications</th>
                  <th scope="col">Seen</th>
                  <th scope="col">Incident</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <Fragment key={g.key}>
                    <GroupRow group={g} open={open === g.key} onToggle={() => setOpen(open === g.key ? null : g.key)} />
                    {open === g.key && (
                      <tr className="group-members-row">
                        <td colSpan={6}>
                          <GroupMembers filters={{ ...filters, group: g.key }} reloads={reloads} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {nextCursor && (
            <div className="form-actions">
              <button type="button" className="btn btn-secondary" onClick={() => void more()} data-testid="groups-more">
                More groups
              </button>
            </div>
          )}
        </section>
      )}
    </div>
  );
}

function GroupRow({ group: g, open, onToggle }: { group: AlertGroupSummary; open: boolean; onToggle: () => void }) {
  const states = (['firing', 'acknowledged', 'suppressed', 'resolved'] as const).filter((s) => g.states[s] > 0);
  return (
    <tr className="row-link" data-testid="group-row" data-group={g.key} onClick={onToggle}>
      <td>
        <SeverityBadge severity={g.severity} />
      </td>
      <td>
        <button type="button" className="link-button alert-name" aria-expanded={open} data-testid="group-toggle">
          {open ? '▾' : '▸'} {g.latest.name}
        </button>
        <div className="muted small">{g.latest.summary}</div>
        <div className="muted small mono">{g.key}</div>
      </td>
      <td className="small" data-testid="group-counts">
        <strong>{g.alerts}</strong> · {states.map((s) => `${g.states[s]} ${s}`).join(', ')}
        <div className="muted">
          {g.events} event{g.events === 1 ? '' : 's'}
        </div>
      </td>
      <td className="small">
        {g.cis.map((c) => c.name).join(', ') || <span className="muted">—</span>}
        {g.ciCount > g.cis.length && <span className="muted"> +{g.ciCount - g.cis.length}</span>}
        {g.applications.length > 0 && <div className="muted">{g.applications.map((a) => a.name).join(', ')}</div>}
      </td>
      <td className="small nowrap" title={`${formatDateTime(g.firstSeen)} – ${formatDateTime(g.lastSeen)}`}>
        {formatRelative(g.lastSeen)}
        <div className="muted">since {formatRelative(g.firstSeen)}</div>
      </td>
      <td className="small" data-testid="group-incident">
        {g.incident ? (
          <Link to={`/tickets/${g.incident}`} onClick={(e) => e.stopPropagation()}>
            {g.incident}
          </Link>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

/** The alerts of one group, under the same filters. */
function GroupMembers({ filters, reloads }: { filters: AlertFilters; reloads: number }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const key = hrefOf('', filters);
  useEffect(() => {
    const controller = new AbortController();
    listAlerts(filtersFrom(new URL(key, window.location.origin).searchParams), { limit: 100, signal: controller.signal }).then(
      (page) => setAlerts(page.items),
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [key, reloads]);
  if (error) return <ProblemView problem={error} />;
  if (!alerts) return <Spinner label="Loading the group's alerts…" />;
  return (
    <ul className="group-members" data-testid="group-members">
      {alerts.map((a) => (
        <li key={a.id} data-testid="group-member">
          <SeverityBadge severity={a.severity} /> <AlertStateBadge state={a.state} />{' '}
          <Link to={`/alerts/${encodeURIComponent(a.id)}`}>{a.name}</Link> <span className="muted small">{a.context?.ci.name ?? ''} · {a.count}× · {formatRelative(a.lastSeen)}</span>
        </li>
      ))}
    </ul>
  );
}
