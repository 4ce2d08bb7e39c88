import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import { act, type ActionBodies, type ActionType, ApiError, getIncident, type Incident, type IncidentState, type Problem, type TimelineEntry, toProblem } from '../api';
import { ErrorAlert, FieldMessage, PageHeader, PriorityBadge, ProblemView, Spinner, StateBadge, SuccessNotice } from '../components';
import { flash } from '../flash';
import { formatDateTime, formatRelative, LEVEL_LABELS, PRIORITY_LABELS, STATE_LABELS } from '../format';
import { Link } from '../router';
import { useCan } from '../session';
import { CommentBox } from './CommentBox';

const RESOLUTION_CODES = ['Solved (permanently)', 'Solved (workaround)', 'Not reproducible', 'Duplicate', 'Cancelled by caller'];

export function IncidentDetail({ number }: { number: string }) {
  const [incident, setIncident] = useState<Incident | null>(null);
  const [loadError, setLoadError] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(() => flash.peek());
  const canAct = useCan()('incident.act');

  useEffect(() => flash.clear(), []);

  useEffect(() => {
    document.title = `${number}${incident ? ` · ${incident.title}` : ''} · FlowDesk`;
  }, [number, incident]);

  const reload = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const fresh = await getIncident(number, signal);
        setIncident(fresh);
        setLoadError(null);
        return fresh;
      } catch (e) {
        if (signal?.aborted) return null;
        setLoadError(toProblem(e));
        return null;
      }
    },
    [number],
  );

  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    return () => controller.abort();
  }, [reload]);

  if (!incident) {
    return (
      <div className="page">
        <PageHeader eyebrow={<Link to="/incidents">← Incidents</Link>} title={number} />
        {loadError ? (
          <ProblemView problem={loadError} onRetry={() => void reload()} />
        ) : (
          <Spinner label={`Loading ${number}…`} />
        )}
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader
        eyebrow={
          <>
            <Link to="/incidents">Incidents</Link>
            <span aria-hidden="true"> / </span>
            <span data-testid="incident-number">{incident.number}</span>
          </>
        }
        title={<span data-testid="incident-title">{incident.title}</span>}
        subtitle={
          <span className="header-badges">
            <StateBadge state={incident.state} />
            <PriorityBadge priority={incident.priority} long />
            <span className="muted">
              Opened {formatRelative(incident.createdAt)} · updated {formatRelative(incident.updatedAt)}
            </span>
          </span>
        }
      />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {loadError && <ErrorAlert problem={loadError} onDismiss={() => setLoadError(null)} />}

      <div className="detail-grid">
        <div className="detail-main">
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading" className="card-title">
              Details
            </h2>
            <dl className="fields">
              <Field label="State">{STATE_LABELS[incident.state]}</Field>
              <Field label="Priority">
                {incident.priority} · {PRIORITY_LABELS[incident.priority]}
              </Field>
              <Field label="Impact">{LEVEL_LABELS[incident.impact]}</Field>
              <Field label="Urgency">{LEVEL_LABELS[incident.urgency]}</Field>
              <Field label="Assignment group" testId="assignment-group">
                {incident.assignmentGroup ?? <span className="muted">None</span>}
              </Field>
              <Field label="Assignee" testId="assignee">
                {incident.assignee ?? <span className="muted">Unassigned</span>}
              </Field>
              <Field label="Opened by" testId="opened-by">
                {incident.openedBy}
              </Field>
              <Field label="Opened">{formatDateTime(incident.createdAt)}</Field>
              <Field label="Resolved">{formatDateTime(incident.resolvedAt)}</Field>
              <Field label="Closed">{formatDateTime(incident.closedAt)}</Field>
            </dl>
            <h3 className="subheading">Description</h3>
            {incident.description ? <p className="description">{incident.description}</p> : <p className="muted">No description.</p>}
            {incident.resolutionCode && (
              <div className="resolution" data-testid="resolution">
                <h3 className="subheading">Resolution</h3>
                <p>
                  <strong>{incident.resolutionCode}</strong>
                </p>
                {incident.resolutionNotes && <p className="description">{incident.resolutionNotes}</p>}
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading" className="card-title">
              Timeline
            </h2>
            <ol className="timeline" data-testid="timeline">
              {incident.timeline.map((entry, i) => (
                <TimelineItem key={`${entry.at}-${i}`} entry={entry} />
              ))}
            </ol>
            {incident.state !== 'closed' && (
              <CommentBox
                incident={incident}
                canWorkNote={canAct}
                onPosted={(next) => {
                  setIncident(next);
                  setNotice(null);
                }}
              />
            )}
          </section>
        </div>

        <aside className="detail-side">
          {canAct ? (
          <ActionPanel
            incident={incident}
            onChanged={(next, message) => {
              setIncident(next);
              setNotice(message);
            }}
            onActing={() => setNotice(null)}
            reload={reload}
          />
          ) : (
            <section className="card action-panel" aria-labelledby="actions-heading" data-testid="action-panel">
              <h2 id="actions-heading" className="card-title">
                Actions
              </h2>
              <p className="action-help closed-note" data-testid="no-act">
                You can follow this incident, but working it (assign, start, resolve, close) needs the permission <code>incident.act</code>.
              </p>
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="field-pair">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function StateChip({ state }: { state: IncidentState }) {
  return <span className={`chip state-${state}`}>{STATE_LABELS[state]}</span>;
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  const tone = entry.kind === 'state_changed' && entry.to ? `state-${entry.to}` : `kind-${entry.kind}`;
  return (
    <li className="timeline-entry" data-testid="timeline-entry" data-kind={entry.kind} data-to={entry.to}>
      <span className={`timeline-dot ${tone}`} aria-hidden="true" />
      <div className="timeline-content">
        <p className="timeline-text">
          {entry.kind === 'state_changed' && entry.from && entry.to ? (
            <>
              <span className="sr-only">{entry.text}. </span>
              <span aria-hidden="true">
                State changed <StateChip state={entry.from} /> → <StateChip state={entry.to} />
              </span>
            </>
          ) : (
            <>
              {entry.kind === 'work_note' && <span className="work-note-label">Work note</span>}
              {entry.text}
            </>
          )}
        </p>
        <p className="timeline-meta">
          <span>{entry.actor}</span> · <time dateTime={entry.at} title={formatDateTime(entry.at)}>{formatDateTime(entry.at)}</time>
        </p>
      </div>
    </li>
  );
}

interface PanelProps {
  incident: Incident;
  onChanged: (next: Incident, message: string) => void;
  onActing: () => void;
  reload: () => Promise<Incident | null>;
}

function ActionPanel({ incident, onChanged, onActing, reload }: PanelProps) {
  const [busy, setBusy] = useState<ActionType | 'reload' | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [assignee, setAssignee] = useState('');
  const [resolutionCode, setResolutionCode] = useState('');
  const [resolutionNotes, setResolutionNotes] = useState('');

  async function run<A extends ActionType>(action: A, body: ActionBodies[A], message: (next: Incident) => string) {
    setBusy(action);
    setProblem(null);
    setFieldErrors({});
    onActing();
    try {
      const next = await act(incident.number, action, body, incident.version);
      if (action === 'assign') setAssignee('');
      if (action === 'resolve') {
        setResolutionCode('');
        setResolutionNotes('');
      }
      onChanged(next, message(next));
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(e.fieldErrors());
    } finally {
      setBusy(null);
    }
  }

  async function reloadNow() {
    setBusy('reload');
    const fresh = await reload();
    setBusy(null);
    if (fresh) {
      setProblem(null);
      setFieldErrors({});
    }
  }

  const submitAssign = (event: FormEvent) => {
    event.preventDefault();
    void run('assign', { assignee }, (next) => `Assigned to ${next.assignee}.`);
  };
  const submitResolve = (event: FormEvent) => {
    event.preventDefault();
    void run('resolve', { resolutionCode, resolutionNotes }, () => 'Incident resolved. Close it once the caller confirms.');
  };

  const { state } = incident;
  const canAssign = state === 'new' || state === 'in_progress';
  const disabled = busy !== null;

  return (
    <section className="card action-panel" aria-labelledby="actions-heading" data-testid="action-panel">
      <h2 id="actions-heading" className="card-title">
        Actions
      </h2>

      {problem && (
        <ErrorAlert problem={problem} onDismiss={() => setProblem(null)}>
          {problem.status === 412 && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void reloadNow()} disabled={disabled}>
              {busy === 'reload' ? 'Reloading…' : 'Reload incident'}
            </button>
          )}
        </ErrorAlert>
      )}

      {canAssign && (
        <form className="action" onSubmit={submitAssign} noValidate aria-label="Assign">
          <div className={`field${fieldErrors.assignee ? ' has-error' : ''}`}>
            <label htmlFor="assignee">{incident.assignee ? 'Reassign to' : 'Assign to'}</label>
            <div className="input-group">
              <input
                id="assignee"
                name="assignee"
                type="text"
                value={assignee}
                onChange={(e) => setAssignee(e.target.value)}
                placeholder={incident.assignee ?? 'agent user name'}
                autoComplete="off"
                aria-invalid={fieldErrors.assignee ? true : undefined}
                aria-describedby={fieldErrors.assignee ? 'assignee-error' : undefined}
              />
              <button type="submit" className="btn btn-secondary" disabled={disabled} data-testid="action-assign">
                {busy === 'assign' ? 'Assigning…' : 'Assign'}
              </button>
            </div>
            <FieldMessage id="assignee-error" message={fieldErrors.assignee} />
          </div>
        </form>
      )}

      {state === 'new' && (
        <div className="action">
          <p className="action-help">{incident.assignee ? `Start work once ${incident.assignee} picks it up.` : 'Work can start once someone is assigned.'}</p>
          <button type="button" className="btn btn-primary btn-block" onClick={() => void run('start', {}, () => 'Work started: the incident is in progress.')} disabled={disabled} data-testid="action-start">
            {busy === 'start' ? 'Starting…' : 'Start work'}
          </button>
        </div>
      )}

      {state === 'in_progress' && (
        <form className="action" onSubmit={submitResolve} noValidate aria-label="Resolve">
          <h3 className="subheading">Resolve</h3>
          <div className={`field${fieldErrors.resolutionCode ? ' has-error' : ''}`}>
            <label htmlFor="resolutionCode">Resolution code</label>
            <input
              id="resolutionCode"
              name="resolutionCode"
              type="text"
              list="resolution-codes"
              value={resolutionCode}
              onChange={(e) => setResolutionCode(e.target.value)}
              placeholder="Solved (permanently)"
              autoComplete="off"
              aria-invalid={fieldErrors.resolutionCode ? true : undefined}
              aria-describedby={fieldErrors.resolutionCode ? 'resolutionCode-error' : undefined}
            />
            <datalist id="resolution-codes">
              {RESOLUTION_CODES.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
            <FieldMessage id="resolutionCode-error" message={fieldErrors.resolutionCode} />
          </div>
          <div className={`field${fieldErrors.resolutionNotes ? ' has-error' : ''}`}>
            <label htmlFor="resolutionNotes">Resolution notes</label>
            <textarea
              id="resolutionNotes"
              name="resolutionNotes"
              rows={4}
              value={resolutionNotes}
              onChange={(e) => setResolutionNotes(e.target.value)}
              placeholder="What was wrong and what fixed it"
              aria-invalid={fieldErrors.resolutionNotes ? true : undefined}
              aria-describedby={fieldErrors.resolutionNotes ? 'resolutionNotes-error' : undefined}
            />
            <FieldMessage id="resolutionNotes-error" message={fieldErrors.resolutionNotes} />
          </div>
          <button type="submit" className="btn btn-success btn-block" disabled={disabled} data-testid="action-resolve">
            {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
          </button>
        </form>
      )}

      {state === 'resolved' && (
        <div className="action">
          <p className="action-help">Resolved {formatRelative(incident.resolvedAt ?? incident.updatedAt)}. Close it once the caller confirms the fix.</p>
          <button type="button" className="btn btn-primary btn-block" onClick={() => void run('close', {}, () => 'Incident closed.')} disabled={disabled} data-testid="action-close">
            {busy === 'close' ? 'Closing…' : 'Close incident'}
          </button>
        </div>
      )}

      {state === 'closed' && (
        <p className="action-help closed-note" data-testid="closed-note">
          This incident is closed and accepts no more actions.
        </p>
      )}
      <p className="version-note muted small">Version {incident.version}</p>
    </section>
  );
}
