import { useEffect, useState } from 'react';
import '../../alerts.css';
import { type Alert, ALERT_STATES, type AlertFilters, type AlertState, listAlerts, type Problem, SEVERITIES, type Severity, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { AlertTabs } from './AlertTabs';
import { AlertStateBadge, SeverityBadge } from './badges';

const REFRESH_MS = 5000;
/** What an operator looks at first: what is not resolved. */
const OPEN: AlertState[] = ['firing', 'acknowledged', 'suppressed'];

function filtersFrom(search: URLSearchParams): AlertFilters {
  const list = <T extends string>(key: string, allowed: readonly T[]) => (search.get(key) ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
  const state = search.has('state') ? list('state', ALERT_STATES) : OPEN;
  return { state, severity: list('severity', SEVERITIES), label: search.getAll('label').filter((l) => l.includes('=')) };
}

function hrefOf(filters: AlertFilters): string {
  const query = new URLSearchParams();
  query.set('state', (filters.state ?? []).join(','));
  if (filters.severity?.length) query.set('severity', filters.severity.join(','));
  for (const label of filters.label ?? []) query.append('label', label);
  return `/alerts?${query}`;
}

const toggle = <T,>(list: T[] | undefined, value: T) => (list?.includes(value) ? list.filter((v) => v !== value) : [...(list ?? []), value]);

/** The live alert list: open alerts by default, filtered by state, severity and labels, read again every 5 s. */
export function AlertConsole() {
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const key = hrefOf(filters);
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    document.title = 'Alerts · FlowDesk';
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const current = filtersFrom(new URL(key, window.location.origin).searchParams);
    listAlerts(current, { limit: 200, signal: controller.signal }).then(
      (page) => {
        setAlerts(page.items);
        setError(null);
      },
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [key, reloads]);

  useEffect(() => {
    const timer = setInterval(() => setReloads((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const apply = (next: AlertFilters) => navigate(hrefOf(next), { replace: true });
  return (
    <div className="page page-wide alerts">
      <PageHeader eyebrow="Alert center" title="Alerts" subtitle="Every alert from the monitoring tools, most recently seen first, with its CI and what it puts at risk." />
      <AlertTabs current="alerts" />
      <section className="card filter-card alert-filters" aria-label="Filter alerts" data-testid="alert-filters">
        <div className="chip-row" role="group" aria-label="State">
          {ALERT_STATES.map((state) => (
            <button key={state} type="button" className="chip" aria-pressed={filters.state?.includes(state)} onClick={() => apply({ ...filters, state: toggle(filters.state, state) })} data-testid={`filter-state-${state}`}>
              {state}
            </button>
          ))}
        </div>
        <div className="chip-row" role="group" aria-label="Severity">
          {SEVERITIES.map((severity: Severity) => (
            <button key={severity} type="button" className="chip" aria-pressed={filters.severity?.includes(severity)} onClick={() => apply({ ...filters, severity: toggle(filters.severity, severity) })} data-testid={`filter-severity-${severity}`}>
              {severity}
            </button>
          ))}
        </div>
        {(filters.label?.length ?? 0) > 0 && (
          <div className="chip-row" aria-label="Labels">
            {filters.label!.map((label) => (
              <button key={label} type="button" className="chip" aria-pressed onClick={() => apply({ ...filters, label: filters.label!.filter((l) => l !== label) })} title="Remove this filter">
                {label} ×
              </button>
            ))}
          </div>
        )}
      </section>
      {error ? (
        <ProblemView problem={error} onRetry={() => setReloads((n) => n + 1)} />
      ) : alerts === null ? (
        <Spinner label="Loading alerts…" />
      ) : alerts.length === 0 ? (
        <section className="card empty" data-testid="alerts-empty">
          <p className="empty-title">No alert matches</p>
          <p className="muted">Alerts arrive from Alertmanager, Zabbix and PagerDuty-style events at the intake endpoints (docs/alerts-intake.md).</p>
        </section>
      ) : (
        <section className="card table-card" aria-label="Alerts">
          <div className="table-scroll">
            <table className="table" data-testid="alerts-table">
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Alert</th>
                  <th scope="col">State</th>
                  <th scope="col">CI</th>
                  <th scope="col">Count</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Incident</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((alert) => {
                  const href = `/alerts/${encodeURIComponent(alert.id)}`;
                  return (
                    <tr key={alert.id} className="row-link" data-testid="alert-row" data-alert={alert.id} data-state={alert.state} onClick={() => navigate(href)}>
                      <td>
                        <SeverityBadge severity={alert.severity} />
                      </td>
                      <td>
                        <Link to={href} className="alert-name">
                          {alert.name}
                        </Link>
                        <div className="muted small">{alert.summary}</div>
                      </td>
                      <td>
                        <AlertStateBadge state={alert.state} />
                        {alert.flapping.since && <Tag tone="amber">flapping</Tag>}
                      </td>
                      <td className="small">
                        {alert.context ? (
                          <>
                            {alert.context.ci.name}
                            {alert.context.applications[0] && <div className="muted">{alert.context.applications[0].name}</div>}
                          </>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="small">{alert.count}</td>
                      <td className="small nowrap" title={formatDateTime(alert.lastSeen)}>
                        {formatRelative(alert.lastSeen)}
                      </td>
                      <td className="small">{alert.incident ? <Link to={`/tickets/${alert.incident}`}>{alert.incident}</Link> : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
