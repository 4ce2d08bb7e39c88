import { useCallback, useEffect, useRef, useState } from 'react';
import '../../alerts.css';
import type { Alert } from '../../api';
import { PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { AlertFilterBar } from './AlertFilterBar';
import { filtersFrom, hrefOf } from './alertFilters';
import { AlertTabs } from './AlertTabs';
import { AlertStateBadge, SeverityBadge } from './badges';
import { LiveBadge } from './LiveBadge';
import { NoisePanel } from './NoisePanel';
import { useLiveAlerts } from './useLiveAlerts';

/** The noise figures are read again this long after alerts change (at most this often: a report reads every alert of the span). */
const NOISE_REFRESH_MS = 30_000;

/** The names of the CIs and applications the list shows, by id, for the filter chips. */
function namesIn(alerts: Alert[] | null): Record<string, string> {
  const names: Record<string, string> = {};
  for (const a of alerts ?? []) {
    if (a.context) names[a.context.ci.id] = a.context.ci.name;
    for (const app of a.context?.applications ?? []) names[app.id] = app.name;
  }
  return names;
}

/** The live alert list: open alerts by default, filtered by state, severity, source, labels, CI and application, updated as alerts change. */
export function AlertConsole() {
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const key = hrefOf('/alerts', filters);
  const [noiseRefresh, setNoiseRefresh] = useState(0);
  const noiseDue = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onBatch = useCallback(() => {
    noiseDue.current ??= setTimeout(() => {
      noiseDue.current = undefined;
      setNoiseRefresh((n) => n + 1);
    }, NOISE_REFRESH_MS);
  }, []);
  const { alerts, fresh, error, state, retry } = useLiveAlerts(filters, key, { onBatch });
  const [names, setNames] = useState<Record<string, string>>({});

  useEffect(() => {
    document.title = 'Alerts · FlowDesk';
    return () => clearTimeout(noiseDue.current);
  }, []);
  useEffect(() => setNames((known) => ({ ...known, ...namesIn(alerts) })), [alerts]);

  const apply = (next: typeof filters) => navigate(hrefOf('/alerts', next), { replace: true });
  /** A CI or application in a row filters the list by it (without opening the alert). */
  const filterBy = (field: 'ci' | 'application', id: string) => (event: React.MouseEvent) => {
    event.stopPropagation();
    apply({ ...filters, [field]: id });
  };
  return (
    <div className="page page-wide alerts">
      <PageHeader eyebrow="Alert center" title="Alerts" subtitle="Every alert from the monitoring tools, most recently seen first, with its CI and what it puts at risk." actions={<LiveBadge state={state} />} />
      <AlertTabs current="alerts" search={search} />
      <AlertFilterBar filters={filters} onChange={apply} names={names} />
      {error ? (
        <ProblemView problem={error} onRetry={retry} />
      ) : alerts === null ? (
        <Spinner label="Loading alerts…" />
      ) : alerts.length === 0 ? (
        <section className="card empty" data-testid="alerts-empty">
          <p className="empty-title">No alert matches</p>
          <p className="muted">Alerts arrive from Alertmanager, Zabbix, PagerDuty-style events and SNMP traps at the intake endpoints (docs/alerts-intake.md), and show here as they come.</p>
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
                  <th scope="col">CI · application</th>
                  <th scope="col">Source</th>
                  <th scope="col">Count</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Incident</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((alert) => {
                  const href = `/alerts/${encodeURIComponent(alert.id)}`;
                  const app = alert.context?.applications[0];
                  return (
                    <tr key={alert.id} className={`row-link${fresh.has(alert.id) ? ' alert-row-new' : ''}`} data-testid="alert-row" data-alert={alert.id} data-state={alert.state} data-new={fresh.has(alert.id) || undefined} onClick={() => navigate(href)}>
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
                            <button type="button" className="link-button" onClick={filterBy('ci', alert.context.ci.id)} title="Alerts on this CI" data-testid="alert-ci">
                              {alert.context.ci.name}
                            </button>
                            {app && (
                              <div>
                                <button type="button" className="link-button muted" onClick={filterBy('application', app.id)} title="Alerts under this application" data-testid="alert-application">
                                  {app.name}
                                </button>
                              </div>
                            )}
                          </>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="small">{alert.source}</td>
                      <td className="small">{alert.count}</td>
                      <td className="small nowrap" title={formatDateTime(alert.lastSeen)}>
                        {formatRelative(alert.lastSeen)}
                      </td>
                      <td className="small">
                        {alert.incident ? (
                          <Link to={`/tickets/${alert.incident}`} onClick={(e) => e.stopPropagation()}>
                            {alert.incident}
                          </Link>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <NoisePanel refresh={noiseRefresh} />
    </div>
  );
}
