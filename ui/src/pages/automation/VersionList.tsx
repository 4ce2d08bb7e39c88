import { useState } from 'react';
import { type LibraryKind, listVersions, PLURAL, type VersionSummary } from '../../api/automation';
import { ProblemView, Spinner } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link } from '../../router';
import { useLoad } from '../../useLoad';

/** The published versions, newest first, each with author, time, note and a link to what it changed. */
export function VersionList({ kind, id, hasDraft }: { kind: LibraryKind; id: string; hasDraft: boolean }) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const { reload, loadError } = useLoad(async (signal) => setVersions(await listVersions(kind, id, signal)));
  const base = `/automation/${PLURAL[kind]}/${encodeURIComponent(id)}`;

  if (loadError) return <ProblemView problem={loadError} onRetry={() => void reload()} />;
  if (!versions) return <Spinner label="Loading the versions…" />;
  if (versions.length === 0) {
    return (
      <section className="card empty">
        <p className="empty-title">No versions yet</p>
        <p className="muted">The first publish of the draft makes version 1.</p>
      </section>
    );
  }
  return (
    <section className="card table-card" aria-label="Versions">
      <div className="table-scroll">
        <table className="table" data-testid="versions-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Author</th>
              <th scope="col">Published</th>
              <th scope="col">Note</th>
              <th scope="col">
                <span className="sr-only">Compare</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hasDraft && (
              <tr className="version-draft">
                <td className="strong">Draft</td>
                <td colSpan={3} className="muted small">
                  Not published: what would change on publish.
                </td>
                <td className="nowrap">
                  <Link to={`${base}?tab=diff&to=draft`} className="btn btn-sm btn-ghost">
                    Diff with v{versions[0]!.version}
                  </Link>
                </td>
              </tr>
            )}
            {versions.map((v) => (
              <tr key={v.version} data-testid="version-row" data-version={v.version}>
                <td className="strong">v{v.version}</td>
                <td>{v.author}</td>
                <td className="small" title={formatDateTime(v.publishedAt)}>
                  {formatDateTime(v.publishedAt)} <span className="muted">· {formatRelative(v.publishedAt)}</span>
                </td>
                <td className="version-note-cell">{v.note}</td>
                <td className="nowrap">
                  <Link to={`${base}?tab=diff&to=${v.version}`} className="btn btn-sm btn-ghost" aria-label={`What version ${v.version} changed`}>
                    {v.version === 1 ? 'Show' : `Diff with v${v.version - 1}`}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
