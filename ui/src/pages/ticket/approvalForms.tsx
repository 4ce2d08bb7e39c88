import { type FormEvent, useState } from 'react';
import { approvalsChanged } from '../../pendingApprovals';
import { ActionForm, ActionProblem, TextField, useAct } from './actionKit';
import { useTicketScope } from './ticketContext';

/** Approve or reject the request as one of its current approvers; a rejection needs a comment. */
export function DecideForm() {
  const { ticket, setForm } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);

  async function decide(decision: 'approve' | 'reject') {
    setMissing(decision === 'reject' && !comment.trim());
    if (decision === 'reject' && !comment.trim()) return;
    if (await run('decide', { decision, comment }, decision === 'approve' ? `You approved ${ticket.number}.` : `You rejected ${ticket.number}.`)) approvalsChanged();
  }

  return (
    <form className="action action-form" onSubmit={(e: FormEvent) => e.preventDefault()} noValidate aria-label="Approve or reject" data-testid="form-decide">
      <h3 className="subheading">Your decision</h3>
      <ActionProblem problem={problem} onDismiss={dismiss} />
      <TextField id="decide-comment" label="Comment" optional multiline value={comment} onChange={setComment} placeholder="Required when rejecting: the requester is owed a reason" error={missing && !comment.trim() ? 'Say why you reject it' : fieldErrors.comment} autoFocus />
      <div className="action-form-buttons">
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setForm(null)}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger btn-sm" onClick={() => void decide('reject')} disabled={busy !== null} data-testid="submit-reject">
          Reject
        </button>
        <button type="button" className="btn btn-success btn-sm" onClick={() => void decide('approve')} disabled={busy !== null} data-testid="submit-approve">
          Approve
        </button>
      </div>
    </form>
  );
}

/** Hand my vote on the current level to someone else (one hop). */
export function DelegateForm() {
  const { me } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [to, setTo] = useState('');
  return (
    <ActionForm
      name="delegate"
      title="Delegate your approval"
      submitLabel="Delegate"
      busy={busy !== null}
      problem={problem}
      onDismiss={dismiss}
      onSubmit={async () => {
        if (await run('delegate', { from: me.user.username, to: to.trim() }, `${to.trim()} now decides in your place.`)) approvalsChanged();
      }}
    >
      <TextField id="delegate-to" label="Who decides instead" value={to} onChange={setTo} placeholder="user name" error={fieldErrors.to} autoFocus />
    </ActionForm>
  );
}
