import type { Approval, ApprovalLevel, Approver } from '../api';
import { formatDateTime } from '../format';

const LEVEL_STATE: Record<ApprovalLevel['state'], string> = { waiting: 'Waiting', pending: 'Deciding', approved: 'Approved', rejected: 'Rejected' };
const APPROVER_STATE: Record<Approver['state'], string> = { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', not_required: 'Not required' };

function modeText(level: ApprovalLevel): string {
  const { mode } = level;
  switch (mode.type) {
    case 'any':
      return 'any one approver';
    case 'all':
      return 'every approver';
    case 'percentage':
      return `${mode.percent}% of approvers`;
    case 'at_least':
      return `at least ${mode.count} approvers`;
  }
}

/** Every level of an approval, with each approver's state, delegation, vote and comment. */
export function ApprovalView({ approval }: { approval: Approval }) {
  return (
    <ol className="approval-levels" data-testid="approval" data-outcome={approval.outcome}>
      {approval.levels.map((level, index) => (
        <li key={`${level.name}-${index}`} className={`approval-level level-${level.state}`} data-testid="approval-level" data-state={level.state}>
          <div className="approval-level-head">
            <span className="strong">
              {index + 1}. {level.name}
            </span>
            <span className={`chip approval-${level.state}`}>{LEVEL_STATE[level.state]}</span>
            <span className="muted small">needs {modeText(level)}</span>
            {level.dueAt && level.state === 'pending' && <span className="muted small">· due {formatDateTime(level.dueAt)}</span>}
            {level.escalatedAt && <span className="muted small">· escalated {formatDateTime(level.escalatedAt)}</span>}
          </div>
          <ul className="approvers">
            {level.approvers.map((a) => (
              <li key={a.user} className="approver" data-testid="approver" data-user={a.user} data-state={a.state}>
                <span className="approver-name">{a.user}</span>
                <span className={`chip approver-${a.state}`}>{APPROVER_STATE[a.state]}</span>
                {a.delegatedTo && <span className="small">delegated to {a.delegatedTo}</span>}
                {a.decidedBy && <span className="small">decided by {a.decidedBy}</span>}
                {a.decidedAt && <span className="muted small">{formatDateTime(a.decidedAt)}</span>}
                {a.comment && <q className="approver-comment">{a.comment}</q>}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
