import { useState } from 'react';
import type { RequestTicket } from '../../api';
import { ticketPath } from '../../api/notifications';
import { Answers } from '../../components/Answers';
import { formatDateTime, formatRelative } from '../../format';
import { Link } from '../../router';
import type { RowResult } from '../console/bulk';
import { failureText } from '../console/BulkResults';

interface Props {
  ticket: RequestTicket;
  selected: boolean;
  result: RowResult | undefined;
  running: boolean;
  onToggle: () => void;
  onDecide: (decision: 'approve' | 'reject', comment: string) => Promise<void>;
}

/** One request waiting for my decision: what is asked, by whom, and approve/reject with a comment. */
export function ApprovalCard({ ticket, selected, result, running, onToggle, onDecide }: Props) {
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const decided = result?.status === 'done';
  const missing = tried && !comment.trim();
  const level = ticket.approval?.levels[ticket.approval.current];
  const id = `approval-${ticket.number}`;

  function decide(choice: 'approve' | 'reject') {
    setTried(choice === 'reject');
    if (choice === 'reject' && !comment.trim()) return;
    void onDecide(choice, comment);
  }

  return (
    <li className={`card approval-card${decided ? ' is-decided' : ''}`} data-testid="approval-card" data-number={ticket.number} data-status={result?.status}>
      <div className="approval-card-head">
        {!decided && <input type="checkbox" checked={selected} onChange={onToggle} disabled={running} aria-label={`Select ${ticket.number}`} data-testid="approval-select" />}
        <div className="approval-card-title">
          <Link to={ticketPath(ticket.number)} className="strong">
            {ticket.itemName}
          </Link>
          <span className="muted small">
            <span className="mono">{ticket.number}</span> · requested by <span className="strong">{ticket.openedBy}</span> ·{' '}
            <time dateTime={ticket.createdAt} title={formatDateTime(ticket.createdAt)}>
              {formatRelative(ticket.createdAt)}
            </time>
            {level && ` · ${level.name}`}
            {level?.dueAt && ` · due ${formatDateTime(level.dueAt)}`}
          </span>
        </div>
      </div>
      <Answers item={ticket.item} answers={ticket.answers} />
      {result && result.status !== 'running' && (
        <p className={`approval-result approval-result-${result.status}`} role={result.status === 'failed' ? 'alert' : 'status'} data-testid="approval-result">
          {result.status === 'done' ? `${result.message} ✓` : failureText(result)}
        </p>
      )}
      {!decided && (
        <div className="approval-card-actions">
          <div className={`field${missing ? ' has-error' : ''}`}>
            <label htmlFor={`${id}-comment`}>Comment</label>
            <input id={`${id}-comment`} type="text" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Required to reject" aria-invalid={missing ? true : undefined} aria-describedby={missing ? `${id}-comment-error` : undefined} />
            {missing && (
              <p className="field-error" id={`${id}-comment-error`}>
                Say why you reject it
              </p>
            )}
          </div>
          <button type="button" className="btn btn-danger btn-sm" onClick={() => decide('reject')} disabled={running} data-testid="reject">
            Reject
          </button>
          <button type="button" className="btn btn-success btn-sm" onClick={() => decide('approve')} disabled={running} data-testid="approve">
            Approve
          </button>
        </div>
      )}
    </li>
  );
}
