import { useEffect, useState } from 'react';
import '../../automation.css';
import { type Problem, toProblem } from '../../api';
import { getLibraryEntry, type LibraryEntry, type LibraryKind, PLURAL } from '../../api/automation';
import { PageHeader, ProblemView, Spinner, SuccessNotice, Tag } from '../../components';
import { formatDateTime } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { useCan } from '../../session';
import { RiskBadge } from './badges';
import { DefinitionView } from './DefinitionView';
import { DiffView } from './DiffView';
import { DraftEditor } from './DraftEditor';
import { VersionList } from './VersionList';

type Tab = 'definition' | 'versions' | 'diff' | 'draft';
const TABS: Tab[] = ['definition', 'versions', 'diff', 'draft'];

/** A runbook or script: its latest version, the versions list, diffs, and (for authors) the draft editor. */
export function EntryPage({ kind, id }: { kind: LibraryKind; id: string }) {
  const can = useCan();
  const { search, pathname } = useLocation();
  const author = can('automation.author');
  const requested = search.get('tab') as Tab | null;
  const tab: Tab = requested && TABS.includes(requested) && (requested !== 'draft' || author) ? requested : 'definition';
  const creating = search.get('new') === '1';
  const [entry, setEntry] = useState<LibraryEntry | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const base = `/automation/${PLURAL[kind]}/${encodeURIComponent(id)}`;

  useEffect(() => {
    const controller = new AbortController();
    getLibraryEntry(kind, id, controller.signal).then(
      (found) => {
        setEntry(found);
        setMissing(false);
        setError(null);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        const problem = toProblem(e);
        if (problem.status === 404) setMissing(true);
        else setError(problem);
      },
    );
    return () => controller.abort();
  }, [kind, id, reloads]);

  useEffect(() => {
    document.title = `${entry?.name ?? id} · Automation · FlowDesk`;
  }, [entry, id]);

  const goTab = (next: Tab, extra = '') => navigate(`${base}?tab=${next}${extra}`);
  const back = <Link to={`/automation/${PLURAL[kind]}`}>Automation · {kind === 'runbook' ? 'Runbooks' : 'Scripts'}</Link>;

  if (error) {
    return (
      <div className="page automation">
        <PageHeader eyebrow={back} title={id} />
        <ProblemView problem={error} onRetry={() => setReloads((n) => n + 1)} />
      </div>
    );
  }
  if (missing && !(creating && author)) {
    return (
      <div className="page page-narrow automation">
        <PageHeader eyebrow={back} title={`No ${kind} ${id}`} />
        <section className="card empty" data-testid="entry-missing">
          <p className="empty-title">There is no {kind} called “{id}” in the library</p>
          <p className="muted">It may have been named differently. The library lists every {kind}.</p>
          <Link to={`/automation/${PLURAL[kind]}`} className="btn btn-secondary">
            Back to the library
          </Link>
        </section>
      </div>
    );
  }
  if (!entry && !missing) {
    return (
      <div className="page automation">
        <Spinner label={`Loading the ${kind}…`} />
      </div>
    );
  }

  const tabLink = (name: Tab, label: string, hidden = false) =>
    hidden ? null : (
      <Link to={`${base}?tab=${name}`} className="filter" aria-current={tab === name ? 'page' : undefined} data-testid={`entry-tab-${name}`}>
        {label}
      </Link>
    );

  return (
    <div className="page page-wide automation">
      <PageHeader
        eyebrow={back}
        title={entry?.name ?? `New ${kind}`}
        subtitle={
          <span className="entry-meta">
            <span className="mono">{id}</span>
            {kind === 'runbook' && entry && <RiskBadge risk={entry.risk} />}
            {entry?.latestVersion ? (
              <span data-testid="entry-version">
                Version {entry.latestVersion} · {entry.publishedBy} · {formatDateTime(entry.publishedAt)}
              </span>
            ) : (
              <span className="muted">Not published yet</span>
            )}
            {entry?.draft && (
              <Tag tone="violet" testId="draft-marker">
                Draft by {entry.draft.savedBy}
                {entry.draft.basedOn ? ` on v${entry.draft.basedOn}` : ''}
              </Tag>
            )}
          </span>
        }
        actions={
          <>
            {kind === 'runbook' && can('automation.run') && entry?.latestVersion ? (
              <Link to={`${base}/run`} className="btn btn-primary" data-testid="run-runbook">
                Run…
              </Link>
            ) : null}
            {author && tab !== 'draft' && (
              <Link to={`${base}?tab=draft`} className="btn btn-secondary" data-testid="edit-draft">
                {entry?.draft ? 'Edit draft' : 'Edit'}
              </Link>
            )}
          </>
        }
      />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      <nav className="filters" aria-label={`${kind} views`}>
        {tabLink('definition', entry?.latestVersion ? `Version ${entry.latestVersion}` : 'Latest version')}
        {tabLink('versions', 'Versions')}
        {tabLink('diff', 'Diff')}
        {tabLink('draft', entry?.draft ? 'Draft' : 'Editor', !author)}
      </nav>
      {tab === 'definition' && <DefinitionView kind={kind} entry={entry} onEdit={author ? () => goTab('draft') : undefined} />}
      {tab === 'versions' && entry && <VersionList key={entry.latestVersion ?? 0} kind={kind} id={id} hasDraft={!!entry.draft} />}
      {tab === 'diff' && entry && <DiffView key={pathname + search.toString() + (entry.draft?.hash ?? '')} kind={kind} entry={entry} from={search.get('from')} to={search.get('to')} />}
      {tab === 'draft' && (
        <DraftEditor
          key={id}
          kind={kind}
          id={id}
          entry={entry}
          onSaved={(saved) => {
            setEntry(saved);
            setMissing(false);
          }}
          onPublished={(version) => {
            setNotice(`Published version ${version}.`);
            setReloads((n) => n + 1);
            goTab('diff', `&to=${version}`);
          }}
          onDiscarded={() => {
            setNotice('Draft discarded; the published versions are as they were.');
            setReloads((n) => n + 1);
            goTab('definition');
          }}
        />
      )}
    </div>
  );
}
