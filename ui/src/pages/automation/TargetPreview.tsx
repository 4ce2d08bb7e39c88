import { useEffect, useState } from 'react';
import { type Problem, toProblem } from '../../api';
import { previewTargets, type TargetPreview as Preview } from '../../api/automation';
import { Spinner } from '../../components';
import { Link } from '../../router';

const SHOWN = 8;

/** Which CIs the runbook's selector picks now, and in which zones (so which workers) they run. */
export function TargetPreview({ selector }: { selector: unknown }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const key = JSON.stringify(selector);

  useEffect(() => {
    const controller = new AbortController();
    previewTargets(JSON.parse(key), controller.signal).then(setPreview, (e: unknown) => !controller.signal.aborted && setProblem(toProblem(e)));
    return () => controller.abort();
  }, [key]);

  return (
    <section className="card" aria-labelledby="targets-title" data-testid="target-preview">
      <h2 className="card-title" id="targets-title">
        Targets
      </h2>
      <p className="muted small">
        Selector <code>{key}</code>. The run resolves it again when it starts.
      </p>
      {problem ? (
        <p className="small" role="status">
          {problem.status === 403 ? 'Your roles do not let you read the CMDB, so the targets cannot be previewed.' : `The targets could not be previewed: ${problem.detail}`}
        </p>
      ) : !preview ? (
        <Spinner label="Resolving the targets…" />
      ) : (
        <>
          <p className="target-count">
            <strong data-testid="target-count">{preview.count}</strong> {preview.count === 1 ? 'host' : 'hosts'}
          </p>
          {preview.count === 0 && (
            <p className="alert alert-warning small" role="status">
              No CI matches the selector now: the run would have nothing to do.
            </p>
          )}
          {Object.keys(preview.byZone).length > 0 && (
            <ul className="zone-list" data-testid="target-zones">
              {Object.entries(preview.byZone).map(([zone, n]) => (
                <li key={zone}>
                  <span className="mono">{zone}</span> <span className="muted">{n}</span>
                </li>
              ))}
            </ul>
          )}
          {preview.withoutZone > 0 && (
            <p className="alert alert-warning small" role="status">
              {preview.withoutZone} {preview.withoutZone === 1 ? 'CI has' : 'CIs have'} no zone, so no worker would run {preview.withoutZone === 1 ? 'it' : 'them'}.
            </p>
          )}
          {preview.targets.length > 0 && (
            <ul className="target-list small">
              {preview.targets.slice(0, SHOWN).map((t) => (
                <li key={t.id}>
                  <Link to={`/cmdb/cis/${encodeURIComponent(t.id)}`}>{t.name ?? t.id}</Link> <span className="muted mono">{t.address ?? ''}</span>
                </li>
              ))}
              {(preview.targets.length > SHOWN || preview.truncated) && <li className="muted">and {preview.count - Math.min(SHOWN, preview.targets.length)} more</li>}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
