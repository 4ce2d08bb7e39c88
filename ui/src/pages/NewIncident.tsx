import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, createIncident, type Group, type Level, listGroups, type Problem, toProblem } from '../api';
import { ErrorAlert, FieldMessage, PageHeader, PriorityBadge } from '../components';
import { LEVEL_LABELS, LEVELS, PRIORITY_LABELS, priorityOf } from '../format';
import { flash } from '../flash';
import { Link, navigate } from '../router';
import { useCan } from '../session';

const TITLE_MAX = 200;

export function NewIncident() {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [impact, setImpact] = useState<Level>(2);
  const [urgency, setUrgency] = useState<Level>(2);
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [assignmentGroup, setAssignmentGroup] = useState('');
  /** null: free text (the user may not list groups, or listing failed). */
  const [groups, setGroups] = useState<Group[] | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const canListGroups = useCan()('identity.read');

  useEffect(() => {
    document.title = 'New incident · FlowDesk';
  }, []);

  useEffect(() => {
    if (!canListGroups) return;
    const controller = new AbortController();
    listGroups(controller.signal)
      .then((list) => setGroups(list.items))
      .catch(() => {
        if (!controller.signal.aborted) setGroups(null);
      });
    return () => controller.abort();
  }, [canListGroups]);

  useEffect(() => {
    if (problem) alertRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [problem]);

  const priority = priorityOf(impact, urgency);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const group = assignmentGroup.trim();
      const created = await createIncident({ title, description, impact, urgency, ...(group && { assignmentGroup: group }) });
      flash.set(`Incident ${created.number} created with priority ${created.priority}.`);
      navigate(`/incidents/${created.number}`);
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(e.fieldErrors());
      setSubmitting(false);
    }
  }

  const describedBy = (field: string, hint?: string) => [hint, fieldErrors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <div className="page page-narrow">
      <PageHeader
        eyebrow={<Link to="/incidents">← Incidents</Link>}
        title="New incident"
        subtitle="Describe what is broken and how badly; the priority follows from impact and urgency."
      />
      <div ref={alertRef}>{problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}</div>

      <form className="card form" onSubmit={submit} noValidate aria-label="New incident" data-testid="new-incident-form">
        <div className={`field${fieldErrors.title ? ' has-error' : ''}`}>
          <label htmlFor="title">Title</label>
          <input
            id="title"
            name="title"
            type="text"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={TITLE_MAX}
            placeholder="e.g. Email is down for the finance team"
            aria-invalid={fieldErrors.title ? true : undefined}
            aria-describedby={describedBy('title', 'title-hint')}
            autoFocus
          />
          <div className="field-row">
            <FieldMessage id="title-error" message={fieldErrors.title} />
            <span className="hint counter" id="title-hint">
              {title.length}/{TITLE_MAX}
            </span>
          </div>
        </div>

        <div className={`field${fieldErrors.description ? ' has-error' : ''}`}>
          <label htmlFor="description">
            Description <span className="optional">optional</span>
          </label>
          <textarea
            id="description"
            name="description"
            rows={6}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            placeholder="What happens, since when, who is affected, what was tried…"
            aria-invalid={fieldErrors.description ? true : undefined}
            aria-describedby={describedBy('description')}
          />
          <FieldMessage id="description-error" message={fieldErrors.description} />
        </div>

        <div className={`field${fieldErrors.assignmentGroup ? ' has-error' : ''}`}>
          <label htmlFor="assignmentGroup">
            Assignment group <span className="optional">optional</span>
          </label>
          {groups && groups.length > 0 ? (
            <select
              id="assignmentGroup"
              name="assignmentGroup"
              value={assignmentGroup}
              onChange={(e) => setAssignmentGroup(e.target.value)}
              aria-invalid={fieldErrors.assignmentGroup ? true : undefined}
              aria-describedby={describedBy('assignmentGroup', 'assignmentGroup-hint')}
            >
              <option value="">— Not yet routed —</option>
              {groups.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.displayName} ({g.name})
                </option>
              ))}
            </select>
          ) : (
            <input
              id="assignmentGroup"
              name="assignmentGroup"
              type="text"
              value={assignmentGroup}
              onChange={(e) => setAssignmentGroup(e.target.value)}
              placeholder="group name, e.g. service-desk"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={fieldErrors.assignmentGroup ? true : undefined}
              aria-describedby={describedBy('assignmentGroup', 'assignmentGroup-hint')}
            />
          )}
          <p className="hint" id="assignmentGroup-hint">
            The team whose queue it lands in; its members can see and work it.
          </p>
          <FieldMessage id="assignmentGroup-error" message={fieldErrors.assignmentGroup} />
        </div>

        <div className="field-grid">
          <div className={`field${fieldErrors.impact ? ' has-error' : ''}`}>
            <label htmlFor="impact">Impact</label>
            <select id="impact" name="impact" value={impact} onChange={(e) => setImpact(Number(e.target.value) as Level)} aria-invalid={fieldErrors.impact ? true : undefined} aria-describedby={describedBy('impact', 'impact-hint')}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l} – {LEVEL_LABELS[l]}
                </option>
              ))}
            </select>
            <p className="hint" id="impact-hint">
              How many people or services are affected.
            </p>
            <FieldMessage id="impact-error" message={fieldErrors.impact} />
          </div>
          <div className={`field${fieldErrors.urgency ? ' has-error' : ''}`}>
            <label htmlFor="urgency">Urgency</label>
            <select id="urgency" name="urgency" value={urgency} onChange={(e) => setUrgency(Number(e.target.value) as Level)} aria-invalid={fieldErrors.urgency ? true : undefined} aria-describedby={describedBy('urgency', 'urgency-hint')}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l} – {LEVEL_LABELS[l]}
                </option>
              ))}
            </select>
            <p className="hint" id="urgency-hint">
              How fast it has to be fixed.
            </p>
            <FieldMessage id="urgency-error" message={fieldErrors.urgency} />
          </div>
        </div>

        <section className="priority-preview" aria-label="Resulting priority" data-testid="priority-preview">
          <div className="priority-preview-text">
            <span className="priority-preview-label">Resulting priority</span>
            <span className="priority-preview-value">
              <PriorityBadge priority={priority} long />
            </span>
            <span className="muted small">
              Impact {LEVEL_LABELS[impact]} × urgency {LEVEL_LABELS[urgency]}
            </span>
          </div>
          <table className="matrix" aria-label="Priority matrix">
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Impact \ urgency</span>
                </th>
                {LEVELS.map((u) => (
                  <th key={u} scope="col" className={u === urgency ? 'current' : undefined}>
                    U{u}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {LEVELS.map((i) => (
                <tr key={i}>
                  <th scope="row" className={i === impact ? 'current' : undefined}>
                    I{i}
                  </th>
                  {LEVELS.map((u) => {
                    const p = priorityOf(i, u);
                    const selected = i === impact && u === urgency;
                    return (
                      <td key={u}>
                        <button
                          type="button"
                          className={`matrix-cell priority-${p.toLowerCase()}${selected ? ' selected' : ''}`}
                          aria-pressed={selected}
                          title={`Impact ${LEVEL_LABELS[i]}, urgency ${LEVEL_LABELS[u]}: ${p} ${PRIORITY_LABELS[p]}`}
                          aria-label={`Impact ${LEVEL_LABELS[i]}, urgency ${LEVEL_LABELS[u]}: ${p}`}
                          onClick={() => {
                            setImpact(i);
                            setUrgency(u);
                          }}
                        >
                          {p}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <div className="form-actions">
          <Link to="/incidents" className="btn btn-ghost">
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary" disabled={submitting}>
            {submitting ? 'Creating…' : 'Create incident'}
          </button>
        </div>
      </form>
    </div>
  );
}
