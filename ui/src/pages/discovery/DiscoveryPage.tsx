import { useCallback, useEffect, useState } from 'react';
import '../../discovery.css';

import { type DiscoveryJob, type DiscoveryRun, listDiscoveryJobs, listDiscoveryRuns, type Problem, runDiscoveryJob, toProblem } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate } from '../../router';
import { useCan } from '../../session';
import { JobEditor } from './JobEditor';
import { RunStatus } from './RunStatus';

function scheduleText(job: DiscoveryJob): string {
  if (!job.schedule) return 'On demand';
  const when = job.schedule.every ? `Every ${job.schedule.every}` : `Cron ${job.schedule.cron!.join(', ')}`;
  return job.schedule.paused ? `${when} (paused)` : when;
}

function scopeText(job: DiscoveryJob): string {
  if (job.sync) return `${job.sync.format.toUpperCase()} from ${job.sync.url}`;
  const protocols = [job.network?.ssh && 'SSH', job.network?.snmp && 'SNMP'].filter(Boolean).join(' + ');
  return `${protocols} over ${job.network?.targets.join(', ')}`;
}

/** Discovery jobs with their schedules, "run now", and the latest runs. */
export function DiscoveryPage() {
  const can = useCan();
  const admin = can('cmdb.admin');
  const [jobs, setJobs] = useState<DiscoveryJob[] | null>(null);
  const [runs, setRuns] = useState<DiscoveryRun[]>([]);
  const [error, setError] = useState<Problem | null>(null);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [editing, setEditing] = useState<DiscoveryJob | 'new' | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const [j, r] = await Promise.all([listDiscoveryJobs(signal), listDiscoveryRuns(undefined, signal)]);
      setJobs(j);
      setRuns(r);
      setError(null);
    } catch (e) {
      if (!signal?.aborted) setError(toProblem(e));
    }
  }, []);

  useEffect(() => {
    document.title = 'Discovery · CMDB · FlowDesk';
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // Runs report as they go: refresh every few seconds while one is running, else now and then.
  const running = runs.some((r) => r.status === 'running');
  useEffect(() => {
    const controller = new AbortController();
    const timer = setInterval(() => void load(controller.signal), running ? 3000 : 30_000);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [load, running]);

  async function runNow(job: DiscoveryJob) {
    setActionError(null);
    try {
      const run = await runDiscoveryJob(job.name);
      navigate(`/cmdb/discovery/runs/${encodeURIComponent(run.id)}`);
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  const lastRun = (job: string) => runs.find((r) => r.job === job);

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow="CMDB"
        title="Discovery"
        subtitle="Network sweeps over SSH and SNMP, and syncs from other inventories, on demand or on a schedule."
        actions={admin && <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} data-testid="new-job">New job</button>}
      />
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {editing && (
        <JobEditor
          job={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
      {error ? (
        <ProblemView problem={error} onRetry={() => void load()} />
      ) : jobs === null ? (
        <Spinner />
      ) : (
        <>
          <section className="card" aria-labelledby="jobs-title">
            <h2 className="card-title" id="jobs-title">Jobs</h2>
            {jobs.length === 0 ? (
              <div className="empty">
                <p className="empty-title">No discovery jobs yet</p>
                <p className="muted">{admin ? 'Create one to sweep a range of addresses or sync an inventory feed.' : 'A CMDB admin creates them.'}</p>
              </div>
            ) : (
              <div className="table-scroll">
                <table className="table" data-testid="jobs-table">
                  <thead>
                    <tr>
                      <th scope="col">Job</th>
                      <th scope="col">What</th>
                      <th scope="col">Schedule</th>
                      <th scope="col">Last run</th>
                      {admin && <th scope="col"><span className="sr-only">Actions</span></th>}
                    </tr>
                  </thead>
                  <tbody>
                    {jobs.map((job) => {
                      const last = lastRun(job.name);
                      return (
                        <tr key={job.name} data-testid="job-row" data-job={job.name}>
                          <td>
                            <strong>{job.name}</strong>
                            {job.description && <div className="muted small">{job.description}</div>}
                          </td>
                          <td className="small">
                            <Tag tone={job.kind === 'sync' ? 'violet' : 'blue'}>{job.kind === 'sync' ? 'Sync' : 'Sweep'}</Tag> {scopeText(job)}
                          </td>
                          <td className="small">
                            {scheduleText(job)}
                            {job.nextRunAt && <div className="muted">next {formatDateTime(job.nextRunAt)}</div>}
                          </td>
                          <td className="small">{last ? <Link to={`/cmdb/discovery/runs/${encodeURIComponent(last.id)}`}><RunStatus run={last} /> {formatRelative(last.startedAt)}</Link> : <span className="muted">never</span>}</td>
                          {admin && (
                            <td className="nowrap">
                              <button type="button" className="btn btn-sm btn-primary" onClick={() => void runNow(job)} aria-label={`Run ${job.name} now`}>Run now</button>{' '}
                              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setEditing(job)} aria-label={`Edit ${job.name}`}>Edit</button>
                            </td>
                          )}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section className="card" aria-labelledby="runs-title">
            <h2 className="card-title" id="runs-title">Latest runs</h2>
            {runs.length === 0 ? (
              <p className="muted">No runs yet.</p>
            ) : (
              <div className="table-scroll">
                <table className="table" data-testid="runs-table">
                  <thead>
                    <tr>
                      <th scope="col">Run</th>
                      <th scope="col">Status</th>
                      <th scope="col">Started</th>
                      <th scope="col">Targets</th>
                      <th scope="col">CIs created / updated / unchanged / rejected</th>
                    </tr>
                  </thead>
                  <tbody>
                    {runs.map((run) => (
                      <tr key={run.id} data-testid="run-row">
                        <td className="mono small"><Link to={`/cmdb/discovery/runs/${encodeURIComponent(run.id)}`}>{run.id}</Link></td>
                        <td><RunStatus run={run} /></td>
                        <td className="small">{formatDateTime(run.startedAt)} · {run.trigger === 'schedule' ? 'scheduled' : `by ${run.requestedBy}`}</td>
                        <td className="small">{run.kind === 'sync' ? '—' : `${run.counts.targets.done}/${run.counts.targets.total}`}</td>
                        <td className="small mono">{run.counts.cis.created} / {run.counts.cis.updated} / {run.counts.cis.unchanged} / {run.counts.cis.rejected}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}
