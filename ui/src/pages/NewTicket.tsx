import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, createTicket, type Level, type Problem, toProblem } from '../api';
import { ticketPath } from '../api/notifications';
import { AccessDenied, ErrorAlert, FieldMessage, PageHeader, PriorityBadge } from '../components';
import { flash } from '../flash';
import { LEVEL_LABELS, priorityOf } from '../format';
import { useIdempotencyKey } from '../idempotencyKey';
import { Link, navigate, useLocation } from '../router';
import { useCan } from '../session';
import { useGroups } from '../useGroups';
import { LevelSelect } from './ticket/linkForms';
import '../console.css';

const TITLE_MAX = 200;

/** Opens an incident (/tickets/new?kind=incident) or, with problem.manage, a problem (?kind=problem). */
export function NewTicket() {
  const { search } = useLocation();
  const kind = search.get('kind') === 'problem' ? 'problem' : 'incident';
  const can = useCan();
  const groups = useGroups();
  const keyFor = useIdempotencyKey();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [impact, setImpact] = useState<Level>(2);
  const [urgency, setUrgency] = useState<Level>(2);
  const [category, setCategory] = useState('');
  const [service, setService] = useState('');
  const [cis, setCis] = useState('');
  const [group, setGroup] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const alertRef = useRef<HTMLDivElement>(null);
  const noun = kind === 'problem' ? 'problem' : 'incident';
  const agent = can('ticket.act');

  useEffect(() => {
    document.title = `New ${noun} · FlowDesk`;
  }, [noun]);
  useEffect(() => {
    if (problem) alertRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [problem]);

  if (kind === 'problem' && !can('problem.manage')) {
    return (
      <div className="page page-narrow">
        <PageHeader title="New problem" />
        <AccessDenied permission="problem.manage" />
      </div>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(null);
    setFieldErrors({});
    const affectedCis = cis.split(',').map((ci) => ci.trim()).filter(Boolean);
    const body = {
      title,
      description,
      impact,
      urgency,
      ...(category.trim() && { category: category.trim() }),
      ...(service.trim() && { service: service.trim() }),
      ...(affectedCis.length && { affectedCis }),
      ...(group.trim() && { assignmentGroup: group.trim() }),
    };
    try {
      const created = await createTicket(kind, body, keyFor({ kind, body }));
      flash.set(`${kind === 'problem' ? 'Problem' : 'Incident'} ${created.number} opened with priority ${created.priority}.`);
      navigate(ticketPath(created.number));
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(e.fieldErrors());
      setSubmitting(false);
    }
  }

  const priority = priorityOf(impact, urgency);
  const err = (field: string) => fieldErrors[field];
  const described = (field: string, hint?: string) => [hint, err(field) ? `${field}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const text = (id: string, label: string, value: string, set: (v: string) => void, hint: string, placeholder?: string) => (
    <div className={`field${err(id) ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {label} <span className="optional">optional</span>
      </label>
      <input id={id} type="text" value={value} onChange={(e) => set(e.target.value)} placeholder={placeholder} autoComplete="off" aria-invalid={err(id) ? true : undefined} aria-describedby={described(id, `${id}-hint`)} />
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      <FieldMessage id={`${id}-error`} message={err(id)} />
    </div>
  );

  return (
    <div className="page page-narrow">
      <PageHeader
        eyebrow={agent ? <Link to="/console">← Console</Link> : <Link to="/portal/mine">← My requests</Link>}
        title={kind === 'problem' ? 'New problem' : agent ? 'New incident' : 'Report an incident'}
        subtitle={kind === 'problem' ? 'Record a cause to investigate behind one or more incidents.' : 'Describe what is broken and how badly; the priority follows from impact and urgency.'}
      />
      <div ref={alertRef}>{problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}</div>

      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-label={`New ${noun}`} data-testid="new-ticket-form">
        <div className={`field${err('title') ? ' has-error' : ''}`}>
          <label htmlFor="title">Title</label>
          <input id="title" type="text" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={TITLE_MAX} placeholder={kind === 'problem' ? 'e.g. VPN concentrator drops sessions under load' : 'e.g. Email is down for the finance team'} aria-invalid={err('title') ? true : undefined} aria-describedby={described('title', 'title-hint')} autoFocus />
          <div className="field-row">
            <FieldMessage id="title-error" message={err('title')} />
            <span className="hint counter" id="title-hint">
              {title.length}/{TITLE_MAX}
            </span>
          </div>
        </div>
        <div className={`field${err('description') ? ' has-error' : ''}`}>
          <label htmlFor="description">
            Description <span className="optional">optional</span>
          </label>
          <textarea id="description" rows={5} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What happens, since when, who is affected, what was tried…" aria-invalid={err('description') ? true : undefined} aria-describedby={described('description')} />
          <FieldMessage id="description-error" message={err('description')} />
        </div>
        <div className="field-grid">
          <LevelSelect id="impact" label="Impact" value={impact} onChange={setImpact} hint="How many people or services are affected." />
          <LevelSelect id="urgency" label="Urgency" value={urgency} onChange={setUrgency} hint="How fast it has to be fixed." />
        </div>
        <p className="priority-line" data-testid="priority-preview">
          Resulting priority <PriorityBadge priority={priority} long />{' '}
          <span className="muted small">
            impact {LEVEL_LABELS[impact].toLowerCase()} × urgency {LEVEL_LABELS[urgency].toLowerCase()}
          </span>
        </p>
        <div className="field-grid">
          {text('category', 'Category', category, setCategory, 'Used for routing and SLAs, e.g. network, database.')}
          {text('service', 'Service', service, setService, 'The business service affected.')}
        </div>
        {text('affectedCis', 'Affected CIs', cis, setCis, 'Comma-separated configuration items.', 'web-01, db-02')}
        <div className={`field${err('assignmentGroup') ? ' has-error' : ''}`}>
          <label htmlFor="assignmentGroup">
            Assignment group <span className="optional">optional</span>
          </label>
          {groups ? (
            <select id="assignmentGroup" value={group} onChange={(e) => setGroup(e.target.value)} aria-invalid={err('assignmentGroup') ? true : undefined} aria-describedby={described('assignmentGroup', 'assignmentGroup-hint')}>
              <option value="">— Let the rules route it —</option>
              {groups.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.displayName} ({g.name})
                </option>
              ))}
            </select>
          ) : (
            <input id="assignmentGroup" type="text" value={group} onChange={(e) => setGroup(e.target.value)} placeholder="group name, e.g. service-desk" autoComplete="off" spellCheck={false} aria-invalid={err('assignmentGroup') ? true : undefined} aria-describedby={described('assignmentGroup', 'assignmentGroup-hint')} />
          )}
          <p className="hint" id="assignmentGroup-hint">
            Left empty, the assignment rules choose the team.
          </p>
          <FieldMessage id="assignmentGroup-error" message={err('assignmentGroup')} />
        </div>
        <div className="form-actions">
          <Link to={agent ? '/console' : '/portal/mine'} className="btn btn-ghost">
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary" disabled={submitting} data-testid="create-ticket">
            {submitting ? 'Opening…' : kind === 'problem' ? 'Open problem' : agent ? 'Open incident' : 'Report incident'}
          </button>
        </div>
      </form>
    </div>
  );
}
