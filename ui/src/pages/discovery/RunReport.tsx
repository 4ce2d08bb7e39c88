import { useEffect, useState } from 'react';
import '../../discovery.css';
import { type DiscoveryRun, getDiscoveryRun, type Problem, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { RunStatus } from './RunStatus';

const OUTCOME_TONE = { discovered: 'green', no_response: 'neutral', failed: 'red' } as const;
const OUTCOME_LABEL = { discovered: 'Discovered', no_response: 'No response', failed: 'Failed' } as const;

/** One run's report: counts, then every target with what each protocol made of it. Follows the run live until it ends. */
export function RunReport({ id }: { id: string }) {
  const [run, setRun] = useState<DiscoveryRun | null>(null);
  const [error, setError] = useState<Problem | null>(null);

  useEffect(() => {
    document.title = `Discovery run ${id} · FlowDesk`;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await getDiscoveryRun(id, controller.signal);
        setRun(next);
        if (next.status === 'running') timer = setTimeout(() => void poll(), 1500);
      } catch (e) {
        if (!controller.signal.aborted) setError(toProblem(e));
      }
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [id]);

  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!run) return <div className="page"><Spinner /></div>;
  const { targets, cis } = run.counts;
  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow={<Link to="/cmdb/discovery">Discovery</Link>}
        title={<span className="mono">{run.id}</span>}
        subtitle={`${run.kind === 'sync' ? 'Sync' : 'Sweep'} of job ${run.job}, ${run.trigger === 'schedule' ? 'started by its schedule' : `started by ${run.requestedBy}`} ${formatDateTime(run.startedAt)}${run.finishedAt ? `, ended ${formatDateTime(run.finishedAt)}` : ''}`}
        actions={<RunStatus run={run} />}
      />
      {run.error && (
        <div className="alert alert-error" role="alert" data-testid="run-error">
          {run.error}
        </div>
      )}
      <section className="card" aria-label="Counts">
        <dl className="stats" data-testid="run-counts">
          {run.kind === 'network' && (
            <>
              <div><dt>Targets</dt><dd>{targets.done} / {targets.total}</dd></div>
              <div><dt>Discovered</dt><dd>{targets.discovered}</dd></div>
              <div><dt>No response</dt><dd>{targets.noResponse}</dd></div>
              <div><dt>Failed</dt><dd>{targets.failed}</dd></div>
            </>
          )}
          <div><dt>CIs created</dt><dd data-testid="count-created">{cis.created}</dd></div>
          <div><dt>Updated</dt><dd>{cis.updated}</dd></div>
          <div><dt>Unchanged</dt><dd>{cis.unchanged}</dd></div>
          <div><dt>Rejected</dt><dd>{cis.rejected}</dd></div>
        </dl>
        {run.kind === 'network' && run.status === 'running' && <progress max={targets.total} value={targets.done} aria-label="Targets done" />}
      </section>
      {run.rejected && run.rejected.length > 0 && (
        <section className="card" aria-labelledby="rejected-title">
          <h2 className="card-title" id="rejected-title">Rejected rows</h2>
          <ul>
            {run.rejected.map((r) => (
              <li key={r.row} className="small">
                Row {r.row + 1}: {r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}
              </li>
            ))}
          </ul>
        </section>
      )}
      {run.targets && (
        <section className="card" aria-labelledby="targets-title">
          <h2 className="card-title" id="targets-title">Targets</h2>
          <div className="table-scroll">
            <table className="table" data-testid="targets-table">
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Protocols</th>
                  <th scope="col">CI</th>
                  <th scope="col">Created / updated / unchanged</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {run.targets.map((t) => (
                  <tr key={t.address} data-testid="target-row" data-status={t.status}>
                    <td className="mono">{t.address}</td>
                    <td><Tag tone={OUTCOME_TONE[t.status]}>{OUTCOME_LABEL[t.status]}</Tag></td>
                    <td className="small">{Object.entries(t.protocols).map(([p, s]) => `${p.toUpperCase()} ${s.replace('_', ' ')}`).join(', ')}</td>
                    <td className="small">{t.ci ? <Link to={`/cmdb/cis/${encodeURIComponent(t.ci.id)}`}>{t.ci.name}</Link> : '—'}{t.ci && <div className="muted">{t.ci.class}</div>}</td>
                    <td className="small mono">{t.cis.created} / {t.cis.updated} / {t.cis.unchanged}</td>
                    <td className="small">{t.errors.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
