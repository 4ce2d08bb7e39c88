import { ticketPath } from '../../api/notifications';
import { Link } from '../../router';
import type { RowResult } from './bulk';

/** What the detail of a failed row says; a 412 means the row on screen was out of date. */
export function failureText(result: Extract<RowResult, { status: 'failed' }>): string {
  const { problem } = result;
  return problem.status === 412 ? `Changed by someone else — reload the list and try again (${problem.detail})` : problem.detail;
}

/** Every row's outcome of the last bulk action, failures first; kept until dismissed. */
export function BulkResults({ results, running, onDismiss }: { results: Map<string, RowResult>; running: boolean; onDismiss: () => void }) {
  const rows = [...results.entries()];
  const failed = rows.filter(([, r]) => r.status === 'failed');
  const done = rows.filter(([, r]) => r.status === 'done');
  const ordered = [...failed, ...rows.filter(([, r]) => r.status !== 'failed')];
  return (
    <section className={`bulk-results${failed.length ? ' has-failures' : ''}`} aria-label="Bulk action results" data-testid="bulk-results">
      <div className="bulk-results-head">
        <p className="strong" aria-live="polite" data-testid="bulk-summary">
          {running ? `Working… ${done.length + failed.length} of ${rows.length}` : `${done.length} of ${rows.length} done${failed.length ? `, ${failed.length} failed` : ''}`}
        </p>
        {!running && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss} data-testid="bulk-dismiss">
            Dismiss
          </button>
        )}
      </div>
      <ul className="bulk-result-list">
        {ordered.map(([number, result]) => (
          <li key={number} className={`bulk-result bulk-${result.status}`} data-testid="bulk-result" data-number={number} data-status={result.status}>
            <span className="bulk-result-icon" aria-hidden="true">
              {result.status === 'done' ? '✓' : result.status === 'failed' ? '!' : '…'}
            </span>
            <Link to={ticketPath(number)} className="mono">
              {number}
            </Link>
            <span className="bulk-result-text">
              {result.status === 'done' ? result.message : result.status === 'failed' ? failureText(result) : 'Working…'}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
