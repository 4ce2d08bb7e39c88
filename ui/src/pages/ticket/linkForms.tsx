import { useState } from 'react';
import type { FieldChanges, Level } from '../../api';
import { PriorityBadge } from '../../components';
import { LEVEL_LABELS, LEVELS, priorityOf } from '../../format';
import { ActionForm, TextField, useAct } from './actionKit';
import { useTicketScope } from './ticketContext';

/** Make an incident the child of a major incident, or detach it. */
export function ParentForm() {
  const { ticket } = useTicketScope();
  const current = ticket.kind === 'incident' ? ticket.parent : null;
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [parent, setParent] = useState('');
  return (
    <ActionForm name="set_parent" title="Set parent incident" submitLabel="Set parent" busy={busy !== null} problem={problem} onDismiss={dismiss} onSubmit={() => void run('set_parent', { parent: parent.trim().toUpperCase() }, `Now a child of ${parent.trim().toUpperCase()}.`)}>
      <TextField id="parent-number" label="Parent incident" value={parent} onChange={setParent} placeholder="INC0000001" error={fieldErrors.parent} autoFocus />
      {current && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void run('set_parent', { parent: null }, `No longer a child of ${current}.`)} disabled={busy !== null}>
          Detach from {current}
        </button>
      )}
    </ActionForm>
  );
}

/** Link an incident to the problem investigating its cause, or unlink it. */
export function ProblemLinkForm() {
  const { ticket } = useTicketScope();
  const current = ticket.kind === 'incident' ? ticket.problem : null;
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [number, setNumber] = useState('');
  return (
    <ActionForm name="link_problem" title="Link to a problem" submitLabel="Link" busy={busy !== null} problem={problem} onDismiss={dismiss} onSubmit={() => void run('link_problem', { problem: number.trim().toUpperCase() }, `Linked to ${number.trim().toUpperCase()}.`)}>
      <TextField id="problem-number" label="Problem" value={number} onChange={setNumber} placeholder="PRB0000001" error={fieldErrors.problem} autoFocus />
      {current && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void run('link_problem', { problem: null }, `Unlinked from ${current}.`)} disabled={busy !== null}>
          Unlink from {current}
        </button>
      )}
    </ActionForm>
  );
}

/** Correct impact, urgency, category, service and affected CIs; the priority and SLAs follow. */
export function UpdateForm() {
  const { ticket } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [impact, setImpact] = useState<Level>(ticket.impact);
  const [urgency, setUrgency] = useState<Level>(ticket.urgency);
  const [category, setCategory] = useState(ticket.category ?? '');
  const [service, setService] = useState(ticket.service ?? '');
  const [cis, setCis] = useState(ticket.affectedCis.join(', '));

  function submit() {
    const affectedCis = cis.split(',').map((ci) => ci.trim()).filter(Boolean);
    const changes: FieldChanges = {
      ...(impact !== ticket.impact && { impact }),
      ...(urgency !== ticket.urgency && { urgency }),
      ...(category.trim() !== (ticket.category ?? '') && { category: category.trim() || null }),
      ...(service.trim() !== (ticket.service ?? '') && { service: service.trim() || null }),
      ...(affectedCis.join(',') !== ticket.affectedCis.join(',') && { affectedCis }),
    };
    void run('update', { changes }, Object.keys(changes).length ? `Updated ${Object.keys(changes).join(', ')}.` : 'Nothing changed.');
  }

  return (
    <ActionForm name="update" title="Update fields" submitLabel="Save" busy={busy !== null} problem={problem} onDismiss={dismiss} onSubmit={submit}>
      <div className="field-grid">
        <LevelSelect id="update-impact" label="Impact" value={impact} onChange={setImpact} />
        <LevelSelect id="update-urgency" label="Urgency" value={urgency} onChange={setUrgency} />
      </div>
      <p className="hint">
        Priority becomes <PriorityBadge priority={priorityOf(impact, urgency)} />
        {ticket.priority !== priorityOf(ticket.impact, ticket.urgency) && ' (an SLA escalation may keep it higher)'}
      </p>
      <TextField id="update-category" label="Category" optional value={category} onChange={setCategory} error={fieldErrors['changes.category']} />
      <TextField id="update-service" label="Service" optional value={service} onChange={setService} error={fieldErrors['changes.service']} />
      <TextField id="update-cis" label="Affected CIs" optional value={cis} onChange={setCis} placeholder="Comma-separated, e.g. web-01, db-02" error={fieldErrors['changes.affectedCis']} />
    </ActionForm>
  );
}

export function LevelSelect({ id, label, value, onChange, hint }: { id: string; label: string; value: Level; onChange: (level: Level) => void; hint?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value) as Level)} aria-describedby={hint ? `${id}-hint` : undefined}>
        {LEVELS.map((l) => (
          <option key={l} value={l}>
            {l} – {LEVEL_LABELS[l]}
          </option>
        ))}
      </select>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A problem's root cause and workaround; both are needed to publish it as a known error. */
export function AnalyseForm() {
  const { ticket } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [rootCause, setRootCause] = useState(ticket.kind === 'problem' ? (ticket.rootCause ?? '') : '');
  const [workaround, setWorkaround] = useState(ticket.kind === 'problem' ? (ticket.workaround ?? '') : '');
  return (
    <ActionForm
      name="analyse"
      title="Root cause and workaround"
      submitLabel="Record"
      busy={busy !== null}
      problem={problem}
      onDismiss={dismiss}
      onSubmit={() => void run('analyse', { ...(rootCause.trim() && { rootCause }), ...(workaround.trim() && { workaround }) }, 'Analysis recorded.')}
    >
      <TextField id="analyse-root-cause" label="Root cause" multiline value={rootCause} onChange={setRootCause} error={fieldErrors.rootCause} autoFocus />
      <TextField id="analyse-workaround" label="Workaround" multiline value={workaround} onChange={setWorkaround} error={fieldErrors.workaround} />
    </ActionForm>
  );
}
