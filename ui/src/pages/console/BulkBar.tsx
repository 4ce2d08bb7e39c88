import { type FormEvent, useState } from 'react';
import { HOLD_REASONS, type HoldReason, type Me, type Ticket } from '../../api';
import { AssignFields, type Choice } from '../../components/AssignFields';
import { FieldMessage } from '../../components';
import { HOLD_REASON_LABELS, RESOLUTION_CODES } from '../../format';
import { offered } from '../../ticketActions';
import { useGroups } from '../../useGroups';
import type { BulkAction } from './bulk';

type Form = 'assign' | 'hold' | 'resolve' | 'cancel';

/**
 * Actions for the selected rows: only those every selected ticket accepts now are offered.
 * Forms check their fields here first, so a missing note fails once, not once per row.
 */
export function BulkBar({ me, selected, running, onRun, onClear }: { me: Me; selected: Ticket[]; running: boolean; onRun: (action: BulkAction) => void; onClear: () => void }) {
  const [form, setForm] = useState<Form | null>(null);
  const all = (type: Parameters<typeof offered>[2]) => selected.length > 0 && selected.every((t) => offered(me, t, type));
  const run = (action: BulkAction) => {
    setForm(null);
    onRun(action);
  };
  const n = selected.length;

  return (
    <section className="bulk-bar" aria-label="Bulk actions" data-testid="bulk-bar">
      <div className="bulk-bar-row">
        <span className="strong" data-testid="bulk-count">
          {n} selected
        </span>
        <div className="bulk-buttons">
          {all('assign') && <BulkButton label="Assign…" pressed={form === 'assign'} onClick={() => setForm(form === 'assign' ? null : 'assign')} disabled={running} testId="bulk-assign" />}
          {all('start') && <BulkButton label="Start" onClick={() => run({ type: 'start', body: {}, done: 'Started' })} disabled={running} testId="bulk-start" />}
          {all('hold') && <BulkButton label="Hold…" pressed={form === 'hold'} onClick={() => setForm(form === 'hold' ? null : 'hold')} disabled={running} testId="bulk-hold" />}
          {all('resolve') && <BulkButton label="Resolve…" pressed={form === 'resolve'} onClick={() => setForm(form === 'resolve' ? null : 'resolve')} disabled={running} testId="bulk-resolve" />}
          {all('close') && <BulkButton label="Close" onClick={() => run({ type: 'close', body: {}, done: 'Closed' })} disabled={running} testId="bulk-close" />}
          {all('cancel') && <BulkButton label="Cancel…" pressed={form === 'cancel'} onClick={() => setForm(form === 'cancel' ? null : 'cancel')} disabled={running} testId="bulk-cancel" />}
        </div>
        <button type="button" className="btn btn-ghost btn-sm bulk-clear" onClick={onClear} disabled={running}>
          Clear selection
        </button>
      </div>
      {form === 'assign' && <AssignForm count={n} running={running} onRun={run} />}
      {form === 'hold' && <HoldForm count={n} running={running} onRun={run} />}
      {form === 'resolve' && <ResolveForm count={n} running={running} onRun={run} />}
      {form === 'cancel' && <CancelForm count={n} running={running} onRun={run} />}
    </section>
  );
}

function BulkButton({ label, onClick, disabled, pressed, testId }: { label: string; onClick: () => void; disabled: boolean; pressed?: boolean; testId: string }) {
  return (
    <button type="button" className="btn btn-secondary btn-sm" onClick={onClick} disabled={disabled} aria-pressed={pressed} data-testid={testId}>
      {label}
    </button>
  );
}

interface FormProps {
  count: number;
  running: boolean;
  onRun: (action: BulkAction) => void;
}

function SubmitRow({ count, running, label }: { count: number; running: boolean; label: string }) {
  return (
    <div className="bulk-form-actions">
      <button type="submit" className="btn btn-primary btn-sm" disabled={running} data-testid="bulk-submit">
        {label} {count} ticket{count === 1 ? '' : 's'}
      </button>
    </div>
  );
}

function AssignForm({ count, running, onRun }: FormProps) {
  const groups = useGroups();
  const [group, setGroup] = useState<Choice>(undefined);
  const [assignee, setAssignee] = useState<Choice>(undefined);
  const [error, setError] = useState<string | undefined>();
  function submit(event: FormEvent) {
    event.preventDefault();
    if (group === undefined && assignee === undefined) return setError('Choose a group, a person or both');
    const who = [group && `group ${group}`, assignee].filter(Boolean).join(', ') || 'nobody';
    onRun({ type: 'assign', body: { ...(group !== undefined && { group }), ...(assignee !== undefined && { assignee }) }, done: `Assigned to ${who}` });
  }
  return (
    <form className="bulk-form" onSubmit={submit} noValidate aria-label="Assign selected tickets">
      <AssignFields idPrefix="bulk" groups={groups} group={group} assignee={assignee} onGroup={setGroup} onAssignee={setAssignee} keepLabel={{ group: "Keep each ticket's group", assignee: "Keep each ticket's assignee" }} errors={error ? { assignee: error } : {}} />
      <SubmitRow count={count} running={running} label="Assign" />
    </form>
  );
}

function HoldForm({ count, running, onRun }: FormProps) {
  const [reason, setReason] = useState<HoldReason>('awaiting_caller');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | undefined>();
  function submit(event: FormEvent) {
    event.preventDefault();
    if (reason === 'awaiting_caller' && !comment.trim()) return setError('Tell the callers what is needed from them');
    onRun({ type: 'hold', body: { reason, ...(comment.trim() && { comment }) }, done: `On hold: ${HOLD_REASON_LABELS[reason].toLowerCase()}` });
  }
  return (
    <form className="bulk-form" onSubmit={submit} noValidate aria-label="Put selected tickets on hold">
      <div className="field-grid">
        <div className="field">
          <label htmlFor="bulk-hold-reason">Reason</label>
          <select id="bulk-hold-reason" value={reason} onChange={(e) => setReason(e.target.value as HoldReason)}>
            {HOLD_REASONS.map((r) => (
              <option key={r} value={r}>
                {HOLD_REASON_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <div className={`field${error ? ' has-error' : ''}`}>
          <label htmlFor="bulk-hold-comment">Comment to the caller {reason !== 'awaiting_caller' && <span className="optional">optional</span>}</label>
          <input id="bulk-hold-comment" type="text" value={comment} onChange={(e) => setComment(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? 'bulk-hold-comment-error' : undefined} />
          <FieldMessage id="bulk-hold-comment-error" message={error} />
        </div>
      </div>
      <SubmitRow count={count} running={running} label="Hold" />
    </form>
  );
}

function ResolveForm({ count, running, onRun }: FormProps) {
  const [code, setCode] = useState('');
  const [notes, setNotes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  function submit(event: FormEvent) {
    event.preventDefault();
    const missing = { ...(!code.trim() && { code: 'Choose a resolution code' }), ...(!notes.trim() && { notes: 'Say what fixed it' }) };
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    onRun({ type: 'resolve', body: { resolutionCode: code, resolutionNotes: notes }, done: 'Resolved' });
  }
  return (
    <form className="bulk-form" onSubmit={submit} noValidate aria-label="Resolve selected tickets">
      <div className="field-grid">
        <div className={`field${errors.code ? ' has-error' : ''}`}>
          <label htmlFor="bulk-resolve-code">Resolution code</label>
          <input id="bulk-resolve-code" type="text" list="bulk-resolution-codes" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" aria-describedby={errors.code ? 'bulk-resolve-code-error' : undefined} />
          <datalist id="bulk-resolution-codes">
            {RESOLUTION_CODES.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <FieldMessage id="bulk-resolve-code-error" message={errors.code} />
        </div>
        <div className={`field${errors.notes ? ' has-error' : ''}`}>
          <label htmlFor="bulk-resolve-notes">Resolution notes</label>
          <input id="bulk-resolve-notes" type="text" value={notes} onChange={(e) => setNotes(e.target.value)} aria-describedby={errors.notes ? 'bulk-resolve-notes-error' : undefined} />
          <FieldMessage id="bulk-resolve-notes-error" message={errors.notes} />
        </div>
      </div>
      <SubmitRow count={count} running={running} label="Resolve" />
    </form>
  );
}

function CancelForm({ count, running, onRun }: FormProps) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) return setError('Say why they are cancelled');
    onRun({ type: 'cancel', body: { reason }, done: 'Cancelled' });
  }
  return (
    <form className="bulk-form" onSubmit={submit} noValidate aria-label="Cancel selected tickets">
      <div className={`field${error ? ' has-error' : ''}`}>
        <label htmlFor="bulk-cancel-reason">Reason</label>
        <input id="bulk-cancel-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby={error ? 'bulk-cancel-reason-error' : undefined} />
        <FieldMessage id="bulk-cancel-reason-error" message={error} />
      </div>
      <SubmitRow count={count} running={running} label="Cancel" />
    </form>
  );
}
