import { useEffect, useState } from 'react';
import { type Problem, toProblem } from '../../api';
import { diffEntry, type DiffHunk, type DiffSide, type LibraryDiff, type LibraryEntry, type LibraryKind } from '../../api/automation';
import { ProblemView, Spinner } from '../../components';

const sideOf = (value: string | null): DiffSide | undefined => (value === 'draft' ? 'draft' : value && /^\d+$/.test(value) ? Number(value) : undefined);
const label = (side: DiffSide | null | undefined) => (side === null || side === undefined ? 'nothing' : side === 'draft' ? 'the draft' : `v${side}`);
const show = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

/** What changed between two versions, or a version and the draft, as the server's line diff. */
export function DiffView({ kind, entry, from: fromParam, to: toParam }: { kind: LibraryKind; entry: LibraryEntry; from: string | null; to: string | null }) {
  const [from, setFrom] = useState<DiffSide | undefined>(sideOf(fromParam));
  const [to, setTo] = useState<DiffSide | undefined>(sideOf(toParam));
  const [diff, setDiff] = useState<LibraryDiff | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const versions = Array.from({ length: entry.latestVersion ?? 0 }, (_, i) => (entry.latestVersion ?? 0) - i);
  const sides: DiffSide[] = [...(entry.draft ? (['draft'] as const) : []), ...versions];

  useEffect(() => {
    if (sides.length === 0) return;
    const controller = new AbortController();
    setError(null);
    diffEntry(kind, entry.id, { from, to }, controller.signal).then(
      (found) => setDiff(found),
      (e: unknown) => !controller.signal.aborted && setError(toProblem(e)),
    );
    return () => controller.abort();
  }, [kind, entry.id, from, to, sides.length]);

  if (sides.length === 0) {
    return (
      <section className="card empty">
        <p className="empty-title">Nothing to compare yet</p>
        <p className="muted">Save a draft or publish a version first.</p>
      </section>
    );
  }

  // The server picks the sides not chosen (the draft or the latest, and the version before it).
  const shownFrom = from ?? diff?.from?.version;
  const shownTo = to ?? diff?.to.version;
  const choose = (value: string, which: 'from' | 'to') => {
    const side: DiffSide = value === 'draft' ? 'draft' : Number(value);
    setFrom(which === 'from' ? side : shownFrom);
    setTo(which === 'to' ? side : shownTo);
  };
  return (
    <section className="card" aria-labelledby="diff-title" data-testid="diff-view">
      <div className="diff-toolbar">
        <h2 className="card-title" id="diff-title">
          Changes {diff && <span data-testid="diff-sides">from {label(diff.from?.version ?? null)} to {label(diff.to.version)}</span>}
        </h2>
        <div className="diff-pickers">
          <label htmlFor="diff-from">From</label>
          <select id="diff-from" value={shownFrom === undefined ? '' : String(shownFrom)} onChange={(e) => choose(e.target.value, 'from')}>
            {shownFrom === undefined && <option value="">nothing</option>}
            {sides.map((s) => (
              <option key={String(s)} value={String(s)}>
                {s === 'draft' ? 'Draft' : `Version ${s}`}
              </option>
            ))}
          </select>
          <label htmlFor="diff-to">To</label>
          <select id="diff-to" value={shownTo === undefined ? '' : String(shownTo)} onChange={(e) => choose(e.target.value, 'to')}>
            {sides.map((s) => (
              <option key={String(s)} value={String(s)}>
                {s === 'draft' ? 'Draft' : `Version ${s}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error ? (
        <ProblemView problem={error} />
      ) : !diff ? (
        <Spinner label="Comparing…" />
      ) : (
        <>
          <p className="diff-stats small">
            <span className="diff-count-added" data-testid="diff-added">
              +{diff.added}
            </span>{' '}
            <span className="diff-count-removed" data-testid="diff-removed">
              −{diff.removed}
            </span>{' '}
            <span className="muted">lines of the {diff.compared === 'yaml' ? 'runbook as YAML' : 'script body'}</span>
            {!diff.exact && <span className="muted"> · the two are very different; part of this diff is a plain replacement</span>}
          </p>
          {Object.keys(diff.fields).length > 0 && (
            <table className="diff" data-testid="diff-fields">
              <tbody>
                {Object.entries(diff.fields).map(([field, change]) => (
                  <tr key={field}>
                    <th scope="row">{field}</th>
                    <td className="diff-before">{show(change.before)}</td>
                    <td aria-hidden="true">→</td>
                    <td className="diff-after">{show(change.after)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {diff.hunks.length === 0 ? <p className="muted">No differences.</p> : diff.hunks.map((hunk) => <Hunk key={`${hunk.fromStart}:${hunk.toStart}`} hunk={hunk} />)}
          <details className="diff-unified">
            <summary>Unified diff</summary>
            <pre className="code-block">{diff.unified}</pre>
          </details>
        </>
      )}
    </section>
  );
}

const SIGN = { added: '+', removed: '−', context: ' ' } as const;
const SPOKEN = { added: 'added', removed: 'removed', context: 'unchanged' } as const;

function Hunk({ hunk }: { hunk: DiffHunk }) {
  return (
    <div className="diff-hunk" data-testid="diff-hunk">
      <div className="diff-hunk-head mono">
        @@ −{hunk.fromStart},{hunk.fromCount} +{hunk.toStart},{hunk.toCount} @@
      </div>
      <table className="diff-lines">
        <tbody>
          {hunk.lines.map((line, i) => (
            <tr key={i} className={`diff-line diff-line-${line.op}`} data-op={line.op}>
              <td className="diff-gutter">{line.from ?? ''}</td>
              <td className="diff-gutter">{line.to ?? ''}</td>
              <td className="diff-sign" aria-label={SPOKEN[line.op]}>
                {SIGN[line.op]}
              </td>
              <td className="diff-text">
                {line.text}
                {line.noNewline && <span className="muted small"> (no newline at end)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
