import { useCallback, useEffect, useRef, useState } from 'react';
import '../../automation.css';
import { type Problem, toProblem } from '../../api';
import {
  cancelRun,
  FINISHED_RUN,
  getRun,
  getVersion,
  type HostStatus,
  listRunHosts,
  type LogLine,
  type Run,
  type RunbookStep,
  type RunChange,
  type RunHost,
} from '../../api/automation';
import { ErrorAlert, PageHeader, ProblemView, Spinner } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { useCan } from '../../session';
import { RiskBadge, RunStatusBadge } from './badges';
import { durationText } from './duration';
import { HostPanel } from './HostPanel';
import { HostsGrid, type StepInfo } from './HostsGrid';
import { RiskPanel } from './RiskPanel';
import { RunProgress } from './RunProgress';
import { type StreamState, useRunStream } from './useRunStream';
import { WaitingPanel } from './WaitingPanel';

const PAGE = 100;
const POLL_MS = 2500;
/** While the stream is live, a slow read still picks up what only a read computes (no worker in a zone, free slots). */
const SLOW_POLL_MS = 10_000;

/** A run as it happens: header, progress, why it waits (with approve / decide), cancel, the hosts grid and one host's output and live log. */
export function RunView({ id }: { id: string }) {
  const can = useCan();
  const { search, pathname } = useLocation();
  const selectedParam = search.get('host');
  const selected = selectedParam !== null && /^\d+$/.test(selectedParam) ? Number(selectedParam) : null;
  const [run, setRun] = useState<Run | null>(null);
  const [loadError, setLoadError] = useState<Problem | null>(null);
  const [steps, setSteps] = useState<RunbookStep[]>([]);
  const [hosts, setHosts] = useState<RunHost[]>([]);
  const [deciding, setDeciding] = useState<RunHost[]>([]);
  const [selectedHost, setSelectedHost] = useState<RunHost | null>(null);
  const [filter, setFilter] = useState<HostStatus | null>(null);
  const [from, setFrom] = useState(0);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [follow, setFollow] = useState<boolean | null>(null);
  const listeners = useRef(new Set<(line: LogLine) => void>());
  const view = useRef({ filter, from, selected });
  view.current = { filter, from, selected };

  /** Reads the run and the hosts on screen; calls that overlap collapse into one more read. */
  const inFlight = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const refresh = useCallback(async (): Promise<void> => {
    if (inFlight.current) {
      again.current = true;
      return inFlight.current;
    }
    const read = async () => {
      const { filter: f, from: start, selected: seq } = view.current;
      const next = await getRun(id);
      const [page, waitingHosts, chosen] = await Promise.all([
        listRunHosts(id, f ? { status: f, limit: PAGE } : { from: start, limit: PAGE }),
        (next.hosts?.awaiting_decision ?? 0) > 0 ? listRunHosts(id, { status: 'awaiting_decision', limit: 50 }) : Promise.resolve([]),
        seq !== null ? listRunHosts(id, { from: seq, limit: 1 }).then((found) => found[0] ?? null) : Promise.resolve(null),
      ]);
      setRun(next);
      setHosts(page);
      setDeciding(waitingHosts);
      setSelectedHost(chosen);
      setLoadError(null);
    };
    inFlight.current = (async () => {
      try {
        do {
          again.current = false;
          await read();
        } while (again.current);
      } catch (e) {
        setLoadError((current) => current ?? toProblem(e));
      } finally {
        inFlight.current = null;
      }
    })();
    return inFlight.current;
  }, [id]);

  useEffect(() => {
    document.title = `Run ${id} · Automation · FlowDesk`;
    const controller = new AbortController();
    getRun(id, controller.signal).then(
      (found) => {
        setRun(found);
        setFollow(!FINISHED_RUN.has(found.status));
        getVersion('runbook', found.runbook.id, found.runbook.version, controller.signal).then((v) => setSteps(v.definition.steps), () => undefined);
        void refresh();
      },
      (e: unknown) => !controller.signal.aborted && setLoadError(toProblem(e)),
    );
    return () => controller.abort();
  }, [id, refresh]);

  // The grid's page, filter and chosen host are part of what a read fetches.
  useEffect(() => {
    if (run) void refresh();
    // Only a change of what is shown calls for a read here; the run's own changes come by the stream.
  }, [filter, from, selected]);

  const stream = useRunStream(id, follow === true, {
    onLog: (line) => listeners.current.forEach((listener) => listener(line)),
    onRun: (change: RunChange) => {
      setRun((current) => current && { ...current, status: change.status, hosts: change.hosts, ...(change.summary && { summary: change.summary }) });
      void refresh();
    },
    onEnd: () => void refresh(),
  });
  const finished = run ? FINISHED_RUN.has(run.status) : false;

  // Without the stream (it dropped, or the server refused it), poll the run until it ends.
  useEffect(() => {
    if (!run || finished || follow === null) return;
    const timer = setInterval(() => void refresh(), stream === 'live' ? SLOW_POLL_MS : POLL_MS);
    return () => clearInterval(timer);
  }, [run === null, finished, follow, stream, refresh]);

  const subscribe = useCallback((listener: (line: LogLine) => void) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);

  const select = (seq: number | null) => navigate(seq === null ? pathname : `${pathname}?host=${seq}`, { replace: true });
  const closePanel = useCallback(() => navigate(pathname, { replace: true }), [pathname]);

  async function cancel() {
    if (!run || !window.confirm(`Cancel run ${run.id}? Commands running now are killed on the hosts, and hosts not reached yet are not run.`)) return;
    setActionError(null);
    try {
      await cancelRun(run.id);
      await refresh();
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  const back = <Link to="/automation/runs">Automation · Runs</Link>;
  if (loadError && !run) {
    return (
      <div className="page automation">
        <PageHeader eyebrow={back} title={`Run ${id}`} />
        <ProblemView problem={loadError} onRetry={() => void refresh()} />
      </div>
    );
  }
  if (!run) {
    return (
      <div className="page automation">
        <Spinner label="Loading the run…" />
      </div>
    );
  }

  const stepInfo: StepInfo[] = steps.filter((s) => s.type !== 'approval').map((s) => ({ id: s.id, name: s.name ?? s.id }));
  const counts = run.hosts ?? {};
  const panelHost = selected === null ? null : (hosts.find((h) => h.seq === selected) ?? selectedHost);
  const paged = !filter && run.targets.total > PAGE;

  return (
    <div className="page page-wide automation">
      <PageHeader
        eyebrow={back}
        title={
          <span className="run-title">
            {run.runbook.name} <RunStatusBadge status={run.status} />
          </span>
        }
        subtitle={
          <span className="entry-meta">
            <span className="mono">{run.id}</span>
            <Link to={`/automation/runbooks/${encodeURIComponent(run.runbook.id)}?tab=definition`} data-testid="run-runbook-version">
              {run.runbook.id} v{run.runbook.version}
            </Link>
            <RiskBadge risk={run.runbook.risk} />
            <span>
              by {run.requestedBy}
              {run.trigger.type !== 'manual' && ` · ${run.trigger.type}${run.trigger.ref ? ` ${run.trigger.ref}` : ''}`} · {formatDateTime(run.createdAt)}
            </span>
          </span>
        }
        actions={
          <>
            <StreamBadge state={stream} finished={finished} />
            {!finished && can('automation.run') && (
              <button type="button" className="btn btn-danger" onClick={() => void cancel()} data-testid="cancel-run">
                Cancel run
              </button>
            )}
            {finished && can('automation.run') && (
              <Link to={`/automation/runbooks/${encodeURIComponent(run.runbook.id)}/run`} className="btn btn-secondary">
                Run again…
              </Link>
            )}
          </>
        }
      />
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {loadError && <ErrorAlert problem={loadError} onDismiss={() => setLoadError(null)} />}
      <WaitingPanel run={run} steps={steps} deciding={deciding} onChanged={() => void refresh()} />
      {run.risk && (run.risk.decision !== 'allow' || run.risk.uncheckedSteps.length > 0) && <RiskPanel risk={run.risk} />}
      <section className="card run-summary" aria-label="Progress">
        <RunProgress counts={run.hosts} total={run.targets.total} />
        <dl className="facts facts-row">
          <div>
            <dt>Targets</dt>
            <dd>
              {run.targets.total} in {Object.entries(run.targets.byZone).map(([zone, n]) => `${zone} (${n})`).join(', ') || 'no zone'}
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{run.startedAt ? formatRelative(run.startedAt) : 'not yet'}</dd>
          </div>
          <div>
            <dt>{run.finishedAt ? 'Took' : 'Running for'}</dt>
            <dd>{durationText(run.startedAt, run.finishedAt)}</dd>
          </div>
          {Object.keys(run.params).length > 0 && (
            <div>
              <dt>Parameters</dt>
              <dd className="mono small">
                {Object.entries(run.params)
                  .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
                  .join(' ')}
              </dd>
            </div>
          )}
        </dl>
        {run.summary && (
          <p className="run-summary-text" data-testid="run-summary">
            {run.summary}
          </p>
        )}
        {run.approvals.length > 0 && (
          <ul className="approvals small" data-testid="run-approvals">
            {run.approvals.map((a) => (
              <li key={`${a.step}:${a.at}`}>
                Step <strong>{a.step}</strong> {a.decision} by {a.by} {formatRelative(a.at)}
                {a.comment && <> — “{a.comment}”</>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className={`run-body${panelHost ? ' run-body-split' : ''}`}>
        <section className="card" aria-labelledby="hosts-title">
          <div className="card-head">
            <h2 className="card-title" id="hosts-title">
              Hosts <span className="count">{run.targets.total}</span>
            </h2>
            {paged && (
              <div className="pager small">
                Hosts {from + 1}–{Math.min(from + PAGE, run.targets.total)} of {run.targets.total}{' '}
                <button type="button" className="btn btn-sm btn-ghost" disabled={from === 0} onClick={() => setFrom(Math.max(0, from - PAGE))}>
                  Previous
                </button>
                <button type="button" className="btn btn-sm btn-ghost" disabled={from + PAGE >= run.targets.total} onClick={() => setFrom(from + PAGE)}>
                  Next
                </button>
              </div>
            )}
          </div>
          <HostsGrid hosts={hosts} steps={stepInfo} selected={selected} onSelect={(seq) => select(seq === selected ? null : seq)} filter={filter} onFilter={setFilter} counts={counts} />
        </section>
        {panelHost && <HostPanel key={panelHost.seq} runId={run.id} summary={panelHost} steps={stepInfo} subscribe={subscribe} live={stream === 'live'} finished={finished} onClose={closePanel} />}
      </div>
    </div>
  );
}

function StreamBadge({ state, finished }: { state: StreamState; finished: boolean }) {
  if (finished) return null;
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Updating every few seconds';
  return (
    <span className={`stream-badge stream-${state}`} role="status" data-testid="stream-state" title={state === 'offline' ? 'The live stream is not available; the page reads the run every few seconds.' : undefined}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
