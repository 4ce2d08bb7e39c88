import { useState } from 'react';
import { HOLD_REASONS, type HoldReason } from '../../api';
import { AssignFields, type Choice } from '../../components/AssignFields';
import { HOLD_REASON_LABELS, RESOLUTION_CODES } from '../../format';
import { useGroups } from '../../useGroups';
import { ActionForm, TextField, useAct } from './actionKit';
import { useTicketScope } from './ticketContext';

export function AssignForm() {
  const { ticket } = useTicketScope();
  const groups = useGroups();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [group, setGroup] = useState<Choice>(ticket.assignmentGroup);
  const [assignee, setAssignee] = useState<Choice>(ticket.assignee);
  function submit() {
    const who = [group && `group ${group}`, assignee].filter(Boolean).join(', ') || 'nobody';
    void run('assign', { group: group ?? null, assignee: assignee ?? null }, `Assigned to ${who}.`);
  }
  return (
    <ActionForm name="assign" title="Assign" submitLabel="Assign" busy={busy !== null} problem={problem} onDismiss={dismiss} onSubmit={submit}>
      <AssignFields idPrefix="assign" groups={groups} group={group} assignee={assignee} onGroup={setGroup} onAssignee={setAssignee} currentGroup={ticket.assignmentGroup} errors={fieldErrors} />
    </ActionForm>
  );
}

export function HoldForm() {
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [reason, setReason] = useState<HoldReason>('awaiting_caller');
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  const forCaller = reason === 'awaiting_caller';
  function submit() {
    setMissing(forCaller && !comment.trim());
    if (forCaller && !comment.trim()) return;
    void run('hold', { reason, ...(comment.trim() && { comment }) }, `On hold: ${HOLD_REASON_LABELS[reason].toLowerCase()}.`);
  }
  return (
    <ActionForm name="hold" title="Put on hold" submitLabel="Put on hold" busy={busy !== null} problem={problem} onDismiss={dismiss} onSubmit={submit}>
      <div className="field">
        <label htmlFor="hold-reason">Reason</label>
        <select id="hold-reason" value={reason} onChange={(e) => setReason(e.target.value as HoldReason)} autoFocus>
          {HOLD_REASONS.map((r) => (
            <option key={r} value={r}>
              {HOLD_REASON_LABELS[r]}
            </option>
          ))}
        </select>
      </div>
      <TextField
        id="hold-comment"
        label={forCaller ? 'What the caller must provide' : 'Comment to the caller'}
        optional={!forCaller}
        multiline
        value={comment}
        onChange={setComment}
        placeholder={forCaller ? 'The caller sees this; their reply resumes the ticket' : 'Visible to the caller'}
        error={missing && !comment.trim() ? 'Tell the caller what you need from them' : fieldErrors.comment}
      />
      {forCaller && <p className="hint">The SLA clock pauses while the caller is asked; their reply puts the ticket back in progress.</p>}
    </ActionForm>
  );
}

export function ResolveForm() {
  const { ticket } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [code, setCode] = useState('');
  const [notes, setNotes] = useState('');
  const [withIncidents, setWithIncidents] = useState(false);
  const linked = ticket.kind === 'problem' ? ticket.linkedIncidents : [];
  function submit() {
    void run('resolve', { resolutionCode: code, resolutionNotes: notes, ...(ticket.kind === 'problem' && { resolveIncidents: withIncidents }) }, `${ticket.number} resolved.`);
  }
  return (
    <ActionForm name="resolve" title="Resolve" submitLabel="Resolve" tone="success" busy={busy !== null} problem={problem} onDismiss={dismiss} onSubmit={submit}>
      <TextField id="resolve-code" label="Resolution code" value={code} onChange={setCode} list="resolution-codes" placeholder="Solved (permanently)" error={fieldErrors.resolutionCode} autoFocus />
      <datalist id="resolution-codes">
        {RESOLUTION_CODES.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <TextField id="resolve-notes" label="Resolution notes" multiline value={notes} onChange={setNotes} placeholder="What was wrong and what fixed it" error={fieldErrors.resolutionNotes} />
      {linked.length > 0 && (
        <label className="check-row">
          <input type="checkbox" checked={withIncidents} onChange={(e) => setWithIncidents(e.target.checked)} /> Also resolve the {linked.length} linked incident{linked.length === 1 ? '' : 's'}
        </label>
      )}
    </ActionForm>
  );
}

/** Cancel or reopen: both need a reason, which the timeline keeps. */
export function ReasonForm({ type }: { type: 'cancel' | 'reopen' }) {
  const { ticket } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [reason, setReason] = useState('');
  const cancel = type === 'cancel';
  return (
    <ActionForm
      name={type}
      title={cancel ? `Cancel ${ticket.number}` : `Reopen ${ticket.number}`}
      submitLabel={cancel ? 'Cancel ticket' : 'Reopen'}
      tone={cancel ? 'danger' : 'primary'}
      busy={busy !== null}
      problem={problem}
      onDismiss={dismiss}
      onSubmit={() => void run(type, { reason }, cancel ? `${ticket.number} cancelled.` : `${ticket.number} reopened.`)}
    >
      <TextField id={`${type}-reason`} label="Reason" multiline value={reason} onChange={setReason} placeholder={cancel ? 'Why it is no longer needed' : 'What is still wrong'} error={fieldErrors.reason} autoFocus />
    </ActionForm>
  );
}
