import { useEffect, useState } from 'react';
import { listTickets, type Problem, type RequestTicket, type Ticket, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner } from '../../components';
import { approvalsChanged } from '../../pendingApprovals';
import { type BulkAction, type RowResult, runBulk } from '../console/bulk';
import { ApprovalCard } from './ApprovalCard';
import '../../console.css';

type Decision = 'approve' | 'reject';

function decision(choice: Decision, comment: string): BulkAction<'decide'> {
  return { type: 'decide', body: { decision: choice, comment }, done: choice === 'approve' ? 'Approved' : 'Rejected' };
}

/**
 * What waits for my decision (queue=approvals): each request with its item and answers,
 * decided one at a time or in a batch with one comment; every row keeps its own outcome.
 */
export function ApprovalsPage() {
  const [items, setItems] = useState<RequestTicket[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<Map<string, RowResult>>(new Map());
  const [running, setRunning] = useState(false);
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const missing = tried && !comment.trim();

  useEffect(() => {
    document.title = 'Approvals · FlowDesk';
    const controller = new AbortController();
    listTickets('approvals', {}, { limit: 100, signal: controller.signal })
      .then((page) => setItems(page.items.filter((t): t is RequestTicket => t.kind === 'request')))
      .catch((e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, []);

  async function runDecisions(tickets: Ticket[], action: BulkAction<'decide'>) {
    setRunning(true);
    await runBulk(tickets, action, (number, result, updated) => {
      setResults((current) => new Map(current).set(number, result));
      if (updated) {
        setItems((current) => current?.map((t) => (t.number === number && updated.kind === 'request' ? updated : t)) ?? null);
        setSelected((current) => {
          const next = new Set(current);
          next.delete(number);
          return next;
        });
      }
    });
    setRunning(false);
    approvalsChanged();
  }

  async function decideSelected(choice: Decision) {
    setTried(choice === 'reject');
    if (choice === 'reject' && !comment.trim()) return;
    await runDecisions(
      (items ?? []).filter((t) => selected.has(t.number)),
      decision(choice, comment),
    );
    setComment('');
  }

  const pending = items?.filter((t) => results.get(t.number)?.status !== 'done') ?? [];
  const allSelected = pending.length > 0 && pending.every((t) => selected.has(t.number));

  return (
    <div className="page portal">
      <PageHeader title="Approvals" subtitle="Requests waiting for your decision. Rejecting needs a comment: the requester is owed a reason." />
      {error && <ProblemView problem={error} onDismiss={() => setError(null)} />}
      {!items && !error && <Spinner label="Loading your approvals…" />}
      {items && items.length === 0 && (
        <div className="card empty" data-testid="approvals-empty">
          <p className="empty-title">Nothing to decide</p>
          <p className="muted">Requests that need your approval appear here.</p>
        </div>
      )}
      {items && items.length > 0 && (
        <>
          <section className="batch-bar" aria-label="Decide several at once" data-testid="batch-bar">
            <label className="check-row">
              <input type="checkbox" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(pending.map((t) => t.number)))} data-testid="select-all-approvals" /> Select all
            </label>
            <div className={`field batch-comment${missing ? ' has-error' : ''}`}>
              <label htmlFor="batch-comment">Comment for the selected</label>
              <input id="batch-comment" type="text" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Required to reject" aria-invalid={missing ? true : undefined} aria-describedby={missing ? 'batch-comment-error' : undefined} />
              {missing && (
                <p className="field-error" id="batch-comment-error">
                  Say why you reject them
                </p>
              )}
            </div>
            <div className="batch-buttons">
              <button type="button" className="btn btn-danger btn-sm" disabled={running || selected.size === 0} onClick={() => void decideSelected('reject')} data-testid="batch-reject">
                Reject {selected.size || ''}
              </button>
              <button type="button" className="btn btn-success btn-sm" disabled={running || selected.size === 0} onClick={() => void decideSelected('approve')} data-testid="batch-approve">
                Approve {selected.size || ''}
              </button>
            </div>
          </section>
          <ul className="approval-cards" aria-live="polite">
            {items.map((ticket) => (
              <ApprovalCard
                key={ticket.number}
                ticket={ticket}
                selected={selected.has(ticket.number)}
                result={results.get(ticket.number)}
                running={running}
                onToggle={() =>
                  setSelected((current) => {
                    const next = new Set(current);
                    if (!next.delete(ticket.number)) next.add(ticket.number);
                    return next;
                  })
                }
                onDecide={(choice, text) => runDecisions([ticket], decision(choice, text))}
              />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
