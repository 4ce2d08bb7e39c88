import { useEffect, useRef, useState } from 'react';
import { type Problem, toProblem } from '../../api';
import { type Finding, getRunHost, type LogLine, runLogs, type RunHost, type StepResult } from '../../api/automation';
import { PanelHeader, ProblemView, Spinner } from '../../components';
import { formatDateTime } from '../../format';
import { HostStatusBadge, StepChip } from './badges';
import { formatSpan } from './duration';
import type { StepInfo } from './HostsGrid';
import { FindingList } from './RiskPanel';

/** Log lines kept on screen per host; older ones are dropped (the stored outputs stay complete). */
const MAX_LINES = 5000;
const POLL_MS = 2000;

interface Props {
  runId: string;
  /** The host as the grid last listed it: a change of status or step refetches its outputs. */
  summary: RunHost;
  steps: StepInfo[];
  /** Registers a listener for the stream's log lines; returns the unsubscribe. */
  subscribe: (listener: (line: LogLine) => void) => () => void;
  /** True while the stream delivers lines; otherwise the panel polls for them. */
  live: boolean;
  finished: boolean;
  onClose: () => void;
}

/** One host of a run: every step with its exit code, stdout and stderr as stored, and the host's log lines as they come. */
export function HostPanel({ runId, summary, steps, subscribe, live, finished, onClose }: Props) {
  const [host, setHost] = useState<RunHost | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [follow, setFollow] = useState(true);
  const seen = useRef(new Set<string>());
  const lastId = useRef<string | undefined>(undefined);
  const logRef = useRef<HTMLPreElement>(null);
  const seq = summary.seq;
  const version = JSON.stringify([summary.status, Object.entries(summary.steps).map(([id, s]) => [id, s.status, s.exitCode])]);

  // Stored outputs: again whenever the host's status or a step's outcome changes.
  useEffect(() => {
    const controller = new AbortController();
    getRunHost(runId, seq, controller.signal).then(setHost, (e: unknown) => !controller.signal.aborted && setProblem(toProblem(e)));
    return () => controller.abort();
  }, [runId, seq, version]);

  const append = (found: LogLine[]) => {
    const fresh = found.filter((l) => l.seq === seq && !seen.current.has(l.id));
    if (fresh.length === 0) return;
    for (const l of fresh) seen.current.add(l.id);
    lastId.current = fresh[fresh.length - 1]!.id;
    setLines((current) => [...current, ...fresh].slice(-MAX_LINES));
  };

  // The lines so far, then the stream's; the same line twice shows once.
  useEffect(() => {
    const controller = new AbortController();
    seen.current = new Set();
    lastId.current = undefined;
    setLines([]);
    runLogs(runId, { seq, signal: controller.signal }).then(append, (e: unknown) => !controller.signal.aborted && setProblem(toProblem(e)));
    const unsubscribe = subscribe((line) => append([line]));
    return () => {
      controller.abort();
      unsubscribe();
    };
    // `append` only touches refs and setters, so it need not be a dependency.
  }, [runId, seq, subscribe]);

  // Without the stream, ask for new lines every few seconds until the run ends.
  useEffect(() => {
    if (live || finished) return;
    const timer = setInterval(() => {
      runLogs(runId, { seq, after: lastId.current }).then(append, () => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [runId, seq, live, finished]);

  // When the run ends, one last read catches lines that came after the stream closed.
  const endedBefore = useRef(finished);
  useEffect(() => {
    if (!finished || endedBefore.current) return;
    endedBefore.current = true;
    runLogs(runId, { seq, after: lastId.current }).then(append, () => undefined);
  }, [runId, seq, finished]);

  useEffect(() => {
    if (follow && logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight;
  }, [lines, follow]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const shown = host ?? summary;
  const order = steps.length ? steps : Object.keys(shown.steps).map((id) => ({ id, name: id }));
  return (
    <section className="card host-panel" aria-labelledby="host-panel-title" data-testid="host-panel" data-seq={seq}>
      <PanelHeader
        title={<span id="host-panel-title">{summary.name}</span>}
        subtitle={
          <span className="entry-meta">
            <HostStatusBadge status={shown.status} />
            <span className="mono">{summary.address ?? 'no address'}</span>
            <span>zone {summary.zone}</span>
          </span>
        }
        onClose={onClose}
      />
      {problem && <ProblemView problem={problem} />}
      {!host && !problem && <Spinner label="Loading the host's outputs…" />}
      {shown.decision && (
        <p className="alert alert-warning small" role="status">
          Step {shown.decision.step}: {shown.decision.reason}
        </p>
      )}
      <ol className="host-steps" data-testid="host-steps">
        {order.map((s) => (
          <HostStep key={s.id} info={s} result={host?.steps[s.id]} />
        ))}
      </ol>
      <div className="host-log-head">
        <h3 className="subheading">Live log</h3>
        <label className="check small">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} data-testid="auto-scroll" /> Follow new lines
        </label>
      </div>
      <pre className="code-block host-log" ref={logRef} tabIndex={0} aria-label={`Log of ${summary.name}`} aria-live={follow ? 'polite' : 'off'} data-testid="host-log">
        {lines.length === 0 ? (
          <span className="muted">{finished ? 'No log lines.' : 'No lines yet; they appear here as the host produces them.'}</span>
        ) : (
          lines.map((l) => (
            <span key={l.id} className={`log-line log-${l.stream}`}>
              <span className="log-step">{l.step}</span>
              {l.text.endsWith('\n') ? l.text : `${l.text}\n`}
            </span>
          ))
        )}
      </pre>
    </section>
  );
}

function HostStep({ info, result }: { info: StepInfo; result: StepResult | undefined }) {
  const details = [
    result?.exitCode !== undefined && result.exitCode !== null && `exit code ${result.exitCode}`,
    result?.signal && `signal ${result.signal}`,
    result?.durationMs !== undefined && formatSpan(result.durationMs),
    result?.attempt && result.attempt > 1 && `attempt ${result.attempt}`,
    result?.worker && `on ${result.worker}`,
  ].filter(Boolean);
  return (
    <li className="host-step" data-step={info.id} data-status={result?.status ?? 'pending'}>
      <div className="host-step-head">
        <StepChip id={info.id} status={result?.status} exitCode={result?.exitCode} />
        <span className="strong">{info.name}</span>
        <span className="muted small">{details.join(' · ')}</span>
        {result?.startedAt && <span className="muted small">{formatDateTime(result.startedAt)}</span>}
      </div>
      {result?.error && <p className="field-error">{result.error}</p>}
      {blockedFindings(result?.output).length > 0 && <FindingList findings={blockedFindings(result?.output)} />}
      {result?.stdout ? <Output label="stdout" text={result.stdout} bytes={result.stdoutBytes} /> : null}
      {result?.stderr ? <Output label="stderr" text={result.stderr} bytes={result.stderrBytes} /> : null}
      {result?.output !== undefined && result.status !== 'blocked' && <Output label="output" text={JSON.stringify(result.output, null, 2)} />}
      {result?.omittedBytes ? <p className="muted small">{result.omittedBytes} bytes of output were over the 64 KiB cap and are not stored.</p> : null}
    </li>
  );
}

function Output({ label, text, bytes }: { label: string; text: string; bytes?: number }) {
  return (
    <div className={`step-output step-output-${label}`}>
      <span className="step-output-label">
        {label}
        {bytes !== undefined && bytes > text.length ? ` (first ${text.length} of ${bytes} bytes)` : ''}
      </span>
      <pre className="code-block" data-testid={`step-${label}`}>
        {text}
      </pre>
    </div>
  );
}

/** A step the high-risk check blocked on this host keeps its findings in `output.findings`. */
function blockedFindings(output: unknown): Finding[] {
  const findings = (output as { findings?: unknown } | null | undefined)?.findings;
  return Array.isArray(findings) ? (findings as Finding[]) : [];
}
