import { useEffect, useState } from 'react';
import { getNoise, type NoiseFigures, type NoiseReport, type Problem, toProblem } from '../../api';
import { ErrorAlert } from '../../components';

const SPANS = [
  { label: '24 hours', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
  { label: '30 days', ms: 30 * 86_400_000 },
];

const percent = (ratio: number | null) => (ratio === null ? '—' : `${Math.round(ratio * 100)}%`);

/**
 * Noise figures per source (GET /alerts/noise, docs/alerts.md#noise-figures) over the alerts
 * that opened in the last day, week or month: how much deduplication and correlation fold
 * away, and how much resolves with no one touching it.
 */
export function NoisePanel({ refresh }: { refresh: number }) {
  const [span, setSpan] = useState(SPANS[0]!.ms);
  const [report, setReport] = useState<NoiseReport | null>(null);
  const [error, setError] = useState<Problem | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const to = new Date();
    getNoise(new Date(to.getTime() - span).toISOString(), to.toISOString(), controller.signal).then(
      (r) => {
        setReport(r);
        setError(null);
      },
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [span, refresh]);

  return (
    <section className="card noise-panel" aria-label="Noise per source" data-testid="noise-panel">
      <div className="noise-head">
        <h2 className="card-title">Noise per source</h2>
        <div className="chip-row" role="group" aria-label="Over">
          {SPANS.map((s) => (
            <button key={s.ms} type="button" className="chip" aria-pressed={span === s.ms} onClick={() => setSpan(s.ms)}>
              {s.label}
            </button>
          ))}
        </div>
      </div>
      {error && <ErrorAlert problem={error} onDismiss={() => setError(null)} />}
      {report && report.sources.length === 0 && <p className="muted small">No alert opened in this span.</p>}
      {report && report.sources.length > 0 && (
        <div className="noise-grid">
          {[...report.sources, ...(report.sources.length > 1 ? [report.total] : [])].map((f) => (
            <NoiseCard key={f.source} figures={f} />
          ))}
        </div>
      )}
      {report?.truncated && <p className="muted small">More alerts opened than one report reads: these figures cover the earliest of them.</p>}
    </section>
  );
}

function NoiseCard({ figures: f }: { figures: NoiseFigures }) {
  return (
    <dl className="noise-card" data-testid={`noise-source-${f.source}`}>
      <dt className="noise-source">{f.source === 'all' ? 'All sources' : f.source}</dt>
      <dd className="small muted">
        {f.events} event{f.events === 1 ? '' : 's'} → {f.alerts} alert{f.alerts === 1 ? '' : 's'} → {f.groups} group{f.groups === 1 ? '' : 's'}
      </dd>
      <div className="noise-figure" title="1 − alerts / events: the share of firing messages that repeated an open alert">
        <dt>Dedup</dt>
        <dd data-testid="noise-dedup">{percent(f.dedupRatio)}</dd>
      </div>
      <div className="noise-figure" title="1 − groups / alerts: the share of alerts that joined another's group">
        <dt>Correlation</dt>
        <dd data-testid="noise-correlation">{percent(f.correlationRatio)}</dd>
      </div>
      <div className="noise-figure" title="Of the resolved alerts, those the source resolved with no person acknowledging them">
        <dt>Auto-resolved</dt>
        <dd data-testid="noise-auto-resolved">
          {percent(f.autoResolvedShare)} <span className="muted small">({f.autoResolved}/{f.resolved})</span>
        </dd>
      </div>
    </dl>
  );
}
