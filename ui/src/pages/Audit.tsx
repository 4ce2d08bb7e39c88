import { type FormEvent, Fragment, useCallback, useEffect, useState } from 'react';
import { AUDIT_FILTER_KEYS, type AuditCursor, type AuditEntry, auditExportUrl, type AuditFilters, auditQuery, type AuditVerifyResult, listAudit, type Problem, toProblem, verifyAudit } from '../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../components';
import { formatDateTime, isoToLocal, localToIso } from '../format';
import { navigate, useLocation } from '../router';

const PAGE_SIZE = 50;

const KNOWN_ACTIONS = [
  'auth.login', 'auth.logout', 'access.denied', 'user.create', 'user.update', 'group.create', 'group.update', 'role.put', 'token.create', 'token.revoke',
  'incident.create', 'incident.assign', 'incident.hold', 'incident.resolve', 'incident.close', 'incident.sla_escalation', 'incident.route',
  'request.create', 'request.decide', 'request.delegate', 'request.complete_task', 'problem.create', 'problem.publish_known_error',
];
const TARGET_TYPES = ['user', 'group', 'role', 'api_token', 'incident', 'request', 'problem', 'route'];

function filtersFrom(search: URLSearchParams): AuditFilters {
  const filters: AuditFilters = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = search.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

function outcomeTone(outcome: string | undefined): 'green' | 'red' | 'amber' | 'neutral' {
  return outcome === 'success' ? 'green' : outcome === 'denied' ? 'red' : outcome === 'failure' ? 'amber' : 'neutral';
}

function show(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function AuditPage() {
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const filterKey = auditQuery(filters).toString();
  const active = Object.keys(filters).length;

  const [items, setItems] = useState<AuditEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<AuditCursor | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<Problem | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    document.title = 'Audit trail · FlowDesk';
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    listAudit(filtersFrom(new URLSearchParams(filterKey)), { limit: PAGE_SIZE, signal: controller.signal })
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
  }, [filterKey, reloads]);

  const loadMore = useCallback(async () => {
    if (nextCursor === null) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await listAudit(filtersFrom(new URLSearchParams(filterKey)), { limit: PAGE_SIZE, cursor: nextCursor });
      setItems((current) => [...current, ...page.items.filter((i) => !current.some((c) => c.seq === i.seq))]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, filterKey]);

  async function runVerify() {
    setVerifying(true);
    setVerify(null);
    setVerifyError(null);
    try {
      setVerify(await verifyAudit());
    } catch (e) {
      setVerifyError(toProblem(e));
    } finally {
      setVerifying(false);
    }
  }

  const toggle = (seq: number) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  const unavailable = error?.status === 404 ? { ...error, title: 'Audit trail unavailable', detail: `This server does not offer the audit trail yet (${error.detail}).` } : error;

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow="Administration"
        title="Audit trail"
        subtitle="Every sign-in, change and refused access, hash-chained so that tampering shows."
        actions={
          <>
            <a className="btn btn-secondary" href={auditExportUrl('csv', filters)} download data-testid="export-csv">
              Export CSV
            </a>
            <a className="btn btn-secondary" href={auditExportUrl('json', filters)} download data-testid="export-json">
              Export JSON
            </a>
            <button type="button" className="btn btn-primary" onClick={() => void runVerify()} disabled={verifying} data-testid="verify-chain">
              {verifying ? 'Verifying…' : 'Verify chain'}
            </button>
          </>
        }
      />

      {verifyError && <ProblemView problem={verifyError} onDismiss={() => setVerifyError(null)} />}
      {verify && <VerifyBanner result={verify} onClose={() => setVerify(null)} />}

      <AuditFilterForm key={filterKey} filters={filters} active={active} />

      {unavailable && <ProblemView problem={unavailable} onRetry={() => setReloads((n) => n + 1)} />}

      {!unavailable || unavailable.status !== 403 ? (
        <div className="card table-card">
          {loading ? (
            <Spinner label="Loading the audit trail…" />
          ) : items.length === 0 ? (
            <div className="empty">
              <p className="empty-title">{active ? 'No entry matches these filters' : 'No entries yet'}</p>
              <p className="muted">{active ? 'Widen the time range or clear a filter.' : 'Sign-ins and changes will appear here.'}</p>
            </div>
          ) : (
            <div className="table-scroll">
              <table className="table table-audit" data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">From</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((entry) => {
                    const open = expanded.has(entry.seq);
                    const hasMore = !!entry.diff || !!entry.detail || !!entry.requestId;
                    return (
                      <Fragment key={entry.seq}>
                        <tr className={`${hasMore ? 'row-link' : ''}${open ? ' row-open' : ''}`} data-testid="audit-row" data-seq={entry.seq} data-action={entry.action} onClick={() => hasMore && toggle(entry.seq)}>
                          <td className="mono small nowrap">
                            {hasMore ? (
                              <button type="button" className="disclosure" aria-expanded={open} aria-label={`${open ? 'Hide' : 'Show'} details of entry ${entry.seq}`}>
                                <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                              </button>
                            ) : (
                              <span className="disclosure-space" />
                            )}
                            {entry.seq}
                          </td>
                          <td className="nowrap small">
                            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                          </td>
                          <td className="nowrap">
                            {entry.actor.type === 'token' ? (
                              <span title={`API token ${entry.actor.id}`}>
                                {entry.actor.name ?? entry.actor.id} <span className="mini-tag">token</span>
                              </span>
                            ) : (
                              <span>
                                {entry.actor.name ?? entry.actor.id}
                                {entry.actor.type !== 'user' && <span className="mini-tag">{entry.actor.type}</span>}
                              </span>
                            )}
                          </td>
                          <td>
                            <code>{entry.action}</code>
                          </td>
                          <td className="small">
                            <span className="muted">{entry.target.type}</span> <span className="mono">{entry.target.id}</span>
                          </td>
                          <td>
                            {entry.outcome ? (
                              <Tag tone={outcomeTone(entry.outcome)} testId="audit-outcome">
                                {entry.outcome}
                              </Tag>
                            ) : (
                              <span className="muted">—</span>
                            )}
                          </td>
                          <td className="mono small muted nowrap">{entry.clientAddress ?? '—'}</td>
                        </tr>
                        {open && (
                          <tr className="row-details">
                            <td colSpan={7}>
                              <div className="audit-details" data-testid="audit-details">
                                {entry.detail && (
                                  <p>
                                    <span className="muted">Detail:</span> {entry.detail}
                                  </p>
                                )}
                                {entry.diff && Object.keys(entry.diff).length > 0 && (
                                  <table className="diff">
                                    <thead>
                                      <tr>
                                        <th scope="col">Field</th>
                                        <th scope="col">Before</th>
                                        <th scope="col">After</th>
                                      </tr>
                                    </thead>
                                    <tbody>
                                      {Object.entries(entry.diff).map(([field, change]) => (
                                        <tr key={field}>
                                          <td className="mono">{field}</td>
                                          <td className={change.before === undefined ? 'diff-none' : 'diff-before'}>{show(change.before)}</td>
                                          <td className={change.after === undefined ? 'diff-none' : 'diff-after'}>{show(change.after)}</td>
                                        </tr>
                                      ))}
                                    </tbody>
                                  </table>
                                )}
                                {entry.requestId && <p className="muted small mono">request {entry.requestId}</p>}
                              </div>
                            </td>
                          </tr>
                        )}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ) : null}

      {!loading && (items.length > 0 || nextCursor !== null) && (
        <div className="list-foot">
          <span className="muted">
            Showing {items.length} entr{items.length === 1 ? 'y' : 'ies'}
            {nextCursor !== null ? '' : ' · end of trail'}
          </span>
          {nextCursor !== null && (
            <button type="button" className="btn btn-secondary" onClick={() => void loadMore()} disabled={loadingMore} data-testid="load-more">
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
      {error && items.length > 0 && <ErrorAlert problem={error} onDismiss={() => setError(null)} />}
    </div>
  );
}

function AuditFilterForm({ filters, active }: { filters: AuditFilters; active: number }) {
  const [actor, setActor] = useState(filters.actor ?? '');
  const [action, setAction] = useState(filters.action ?? '');
  const [targetType, setTargetType] = useState(filters.targetType ?? '');
  const [targetId, setTargetId] = useState(filters.targetId ?? '');
  const [from, setFrom] = useState(isoToLocal(filters.from));
  const [to, setTo] = useState(isoToLocal(filters.to));

  function apply(event: FormEvent) {
    event.preventDefault();
    const query = auditQuery({ actor, action, targetType, targetId, from: localToIso(from), to: localToIso(to) }).toString();
    navigate(query ? `/audit?${query}` : '/audit');
  }

  return (
    <form className="card filter-card" onSubmit={apply} aria-label="Filter the audit trail" data-testid="audit-filters">
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="audit-actor">Actor</label>
          <input id="audit-actor" type="text" value={actor} onChange={(e) => setActor(e.target.value)} placeholder="user name or token id" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" type="text" list="audit-actions" value={action} onChange={(e) => setAction(e.target.value)} placeholder="e.g. user.update" spellCheck={false} />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-targetType">Target type</label>
          <select id="audit-targetType" value={targetType} onChange={(e) => setTargetType(e.target.value)}>
            <option value="">Any</option>
            {[...new Set([...TARGET_TYPES, ...(targetType ? [targetType] : [])])].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-targetId">Target id</label>
          <input id="audit-targetId" type="text" value={targetId} onChange={(e) => setTargetId(e.target.value)} placeholder="e.g. INC0000042" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      <div className="filter-actions">
        <span className="muted small">{active ? `${active} filter${active === 1 ? '' : 's'} applied` : 'Showing everything, newest first'}</span>
        {active > 0 && (
          <button type="button" className="btn btn-ghost" onClick={() => navigate('/audit')} data-testid="clear-filters">
            Clear filters
          </button>
        )}
        <button type="submit" className="btn btn-primary" data-testid="apply-filters">
          Apply filters
        </button>
      </div>
    </form>
  );
}

function VerifyBanner({ result, onClose }: { result: AuditVerifyResult; onClose: () => void }) {
  return (
    <section className={`verify ${result.ok ? 'verify-ok' : 'verify-broken'}`} role={result.ok ? 'status' : 'alert'} data-testid="verify-result" data-ok={String(result.ok)}>
      <div className="verify-icon" aria-hidden="true">
        {result.ok ? '✓' : '✕'}
      </div>
      <div className="verify-body">
        {result.ok ? (
          <>
            <p className="verify-title">Chain intact</p>
            <p>
              All {result.checked.toLocaleString()} entr{result.checked === 1 ? 'y links' : 'ies link'} to the one before with a matching hash: nothing was edited, inserted or removed.
            </p>
          </>
        ) : (
          <>
            <p className="verify-title">Chain broken at entry #{result.firstBroken.seq}</p>
            <p>
              {result.firstBroken.reason}. {result.checked.toLocaleString()} entr{result.checked === 1 ? 'y' : 'ies'} checked; the trail cannot be trusted from this entry on. Keep the export and investigate.
            </p>
          </>
        )}
        <p className="small verify-meta">Checked {formatDateTime(new Date().toISOString())}</p>
      </div>
      <button type="button" className="alert-close" onClick={onClose} aria-label="Dismiss">
        ×
      </button>
    </section>
  );
}
