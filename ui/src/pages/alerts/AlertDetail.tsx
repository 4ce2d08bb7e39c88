import { useCallback, useEffect, useState } from 'react';
import '../../alerts.css';
import { acknowledgeAlert, type Alert, type AlertRun, getAlert, getAlertRuns, type Problem, toProblem, unacknowledgeAlert } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link } from '../../router';
import { hasPermission, useMe } from '../../session';
import { AlertTabs } from './AlertTabs';
import { AlertStateBadge, SeverityBadge } from './badges';
import { SilenceForm } from './SilenceForm';

/** One alert: what it is, where (its CI and what depends on it), its history, the payload as sent, and what a person can do. */
export function AlertDetail({ id }: { id: string }) {
  const me = useMe();
  const [alert, setAlert] = useState<Alert | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [silencing, setSilencing] = useState(false);

  const [runs, setRuns] = useState<AlertRun[] | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      Promise.all([getAlert(id, signal), getAlertRuns(id, signal).catch(() => null)]).then(
        ([found, ofGroup]) => {
          setAlert(found);
          setRuns(ofGroup);
          document.title = `${found.name} · Alerts · FlowDesk`;
        },
        (e: unknown) => !signal?.aborted && setError(toProblem(e)),
      ),
    [id],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  async function act(action: (id: string) => Promise<Alert>) {
    setBusy(true);
    setActionError(null);
    try {
      await action(id);
      await load();
    } catch (e) {
      setActionError(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  if (error) return <ProblemView problem={error} onRetry={() => void load()} />;
  if (!alert) return <Spinner label="Loading the alert…" />;
  const canAct = hasPermission(me, 'alert.act');
  const actions = (
    <>
      {canAct && alert.state !== 'resolved' && alert.state !== 'acknowledged' && (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(acknowledgeAlert)} data-testid="alert-acknowledge">
          Acknowledge
        </button>
      )}
      {canAct && alert.state === 'acknowledged' && (
        <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => void act(unacknowledgeAlert)} data-testid="alert-unacknowledge">
          Give back
        </button>
      )}
      {hasPermission(me, 'alert.silence') && alert.state !== 'resolved' && (
        <button type="button" className="btn btn-secondary" onClick={() => setSilencing((v) => !v)} data-testid="alert-silence">
          Silence like this…
        </button>
      )}
    </>
  );
  return (
    <div className="page page-wide alerts">
      <PageHeader eyebrow={<Link to="/alerts">Alerts</Link>} title={alert.name} subtitle={alert.summary} actions={actions} />
      <AlertTabs current="alerts" />
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {silencing && <SilenceForm labels={alert.labels} onDone={() => { setSilencing(false); void load(); }} />}
      <div className="alert-layout">
        <section className="card" aria-label="The alert">
          <dl className="facts" data-testid="alert-facts">
            <dt>State</dt>
            <dd>
              <AlertStateBadge state={alert.state} />
              {alert.flapping.since && <Tag tone="amber">flapping since {formatRelative(alert.flapping.since)}</Tag>}
              {alert.acknowledged && <span className="muted small"> by {alert.acknowledged.by} {formatRelative(alert.acknowledged.at)}</span>}
              {alert.suppressedBy.length > 0 && <span className="muted small"> by {alert.suppressedBy.map((s) => `${s.kind} ${s.id}`).join(', ')}</span>}
            </dd>
            <dt>Severity</dt>
            <dd>
              <SeverityBadge severity={alert.severity} /> {alert.nativeSeverity && <span className="muted small">({alert.nativeSeverity})</span>}
            </dd>
            <dt>Source</dt>
            <dd>
              {alert.source}
              {alert.sender && <span className="muted"> via {alert.sender}</span>} · key <code>{alert.nativeKey}</code>
            </dd>
            <dt>Seen</dt>
            <dd>
              {alert.count}× · first {formatDateTime(alert.firstSeen)} · last {formatRelative(alert.lastSeen)}
            </dd>
            <dt>Began</dt>
            <dd>{formatDateTime(alert.startsAt)}{alert.resolvedAt && ` · resolved ${formatDateTime(alert.resolvedAt)}`}</dd>
            <dt>Incident</dt>
            <dd data-testid="alert-incident">{alert.incident ? <Link to={`/tickets/${alert.incident}`}>{alert.incident}</Link> : <span className="muted">none</span>}</dd>
            {alert.groupKey && (
              <>
                <dt>Group</dt>
                <dd className="mono small">
                  <Link to={`/alerts/groups?state=&group=${encodeURIComponent(alert.groupKey)}`} title="The group, with all its alerts" data-testid="alert-group">
                    {alert.groupKey}
                  </Link>
                </dd>
              </>
            )}
            {alert.generatorURL && (
              <>
                <dt>In the source</dt>
                <dd>
                  <a href={alert.generatorURL} target="_blank" rel="noreferrer">
                    Open in {alert.source}
                  </a>
                </dd>
              </>
            )}
          </dl>
          {alert.description && <p className="alert-description">{alert.description}</p>}
        </section>
        <section className="card" aria-label="Configuration item" data-testid="alert-context">
          <h2 className="card-title">Configuration item</h2>
          {alert.context ? (
            <dl className="facts">
              <dt>CI</dt>
              <dd>
                <Link to={`/cmdb/cis/${encodeURIComponent(alert.context.ci.id)}`}>{alert.context.ci.name}</Link> <span className="muted small">{alert.context.ci.class}</span>
              </dd>
              <dt>Found by</dt>
              <dd className="mono small">{alert.context.foundBy}</dd>
              <dt>At risk</dt>
              <dd>{alert.context.criticality ?? '—'}</dd>
              <dt>Applications</dt>
              <dd>{alert.context.applications.map((a) => a.name).join(', ') || '—'}</dd>
              <dt>Business systems</dt>
              <dd>{alert.context.businessSystems.map((b) => b.name).join(', ') || '—'}</dd>
              <dt>Owner group</dt>
              <dd>{alert.context.ownerGroup ?? '—'}</dd>
              <dt>Environment · zone</dt>
              <dd>
                {alert.context.environment ?? '—'} · {alert.context.zone ?? '—'}
              </dd>
            </dl>
          ) : (
            <p className="muted">No CI found for this alert. The enrichment rules (catalog/rules/enrichment.yaml) look at its host, IP, service and `ci` label.</p>
          )}
        </section>
      </div>
      <section className="card" aria-label="Labels and annotations">
        <h2 className="card-title">Labels</h2>
        <div className="label-list" data-testid="alert-labels">
          {Object.entries(alert.labels).map(([name, value]) => (
            <Link key={name} to={`/alerts?state=firing,acknowledged,suppressed&label=${encodeURIComponent(`${name}=${value}`)}`} className="label-chip" title="Alerts with this label">
              {name}=<strong>{value}</strong>
            </Link>
          ))}
        </div>
        {Object.keys(alert.annotations).length > 0 && (
          <dl className="facts annotations">
            {Object.entries(alert.annotations).map(([name, value]) => (
              <div key={name} className="facts-row">
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section className="card" aria-label="Runs" data-testid="alert-runs">
        <h2 className="card-title">Runs</h2>
        {runs === null ? (
          <p className="muted small">The runs could not be read.</p>
        ) : runs.length === 0 ? (
          <p className="muted small">Its group started no runbook while it was open{alert.groupKey ? '' : ' (no rule grouped it)'}.</p>
        ) : (
          <ul className="alert-runs">
            {runs.map((r) => (
              <li key={r.id} data-testid="alert-run">
                <Link to={`/automation/runs/${encodeURIComponent(r.id)}`}>{r.id}</Link> {r.runbook.name} <span className="muted small">v{r.runbook.version}</span> · <strong>{r.status}</strong> · {r.targets} target{r.targets === 1 ? '' : 's'} ·{' '}
                <span className="muted small">{formatDateTime(r.createdAt)}</span>
                {r.summary && <div className="muted small">{r.summary}</div>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-label="History">
        <h2 className="card-title">History</h2>
        <ol className="alert-history" data-testid="alert-history">
          {(alert.history ?? []).map((entry, i) => (
            <li key={i}>
              <span className="muted small nowrap">{formatDateTime(entry.at)}</span> {entry.type === 'state' ? <strong>{entry.to}</strong> : <strong>{entry.flapping ? 'flapping' : 'stopped flapping'}</strong>} — {entry.reason}
              {entry.by && <span className="muted"> ({entry.by})</span>}
            </li>
          ))}
        </ol>
      </section>
      <details className="card" data-testid="alert-payload">
        <summary className="card-title">Payload as sent</summary>
        <pre className="code-block">{JSON.stringify(alert.payload, null, 2)}</pre>
      </details>
    </div>
  );
}
