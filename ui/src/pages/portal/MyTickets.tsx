import { useEffect, useState } from 'react';
import { listTickets, type Problem, type Ticket, toProblem } from '../../api';
import { ticketPath } from '../../api/notifications';
import { PageHeader, ProblemView, Spinner, StateBadge } from '../../components';
import { formatDateTime, formatRelative, KIND_LABELS } from '../../format';
import { Link } from '../../router';
import { useCan } from '../../session';
import { isOpen } from '../../../../domain/ticket/ticket';
import '../../console.css';

const PAGE_SIZE = 50;

/** What is happening with a ticket, in the requester's words. */
function whereItIs(ticket: Ticket): string {
  if (ticket.kind === 'request' && ticket.state === 'pending_approval' && ticket.approval) {
    const level = ticket.approval.levels[ticket.approval.current];
    const waiting = level?.approvers.filter((a) => a.state === 'pending').map((a) => a.delegatedTo ?? a.user) ?? [];
    return waiting.length ? `Waiting for ${waiting.join(', ')}` : 'Waiting for approval';
  }
  if (ticket.kind === 'incident' && ticket.state === 'on_hold' && ticket.holdReason === 'awaiting_caller') return 'Waiting for your reply';
  if (ticket.kind === 'request' && ticket.state === 'in_fulfilment') {
    const done = ticket.tasks.filter((t) => t.state !== 'open').length;
    return `${done} of ${ticket.tasks.length} tasks done`;
  }
  return ticket.assignmentGroup ? `With ${ticket.assignmentGroup}` : '';
}

/** The requester's own requests and incidents (queue=opened), most recently updated first. */
export function MyTickets() {
  const canReport = useCan()('ticket.create');
  const [items, setItems] = useState<Ticket[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [openOnly, setOpenOnly] = useState(true);

  useEffect(() => {
    document.title = 'My requests · FlowDesk';
    const controller = new AbortController();
    listTickets('opened', {}, { limit: PAGE_SIZE, signal: controller.signal })
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, []);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await listTickets('opened', {}, { limit: PAGE_SIZE, cursor: nextCursor });
      setItems((current) => [...(current ?? []), ...page.items.filter((t) => !current?.some((c) => c.number === t.number))]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setLoadingMore(false);
    }
  }

  const shown = items?.filter((t) => !openOnly || isOpen(t)) ?? [];
  const now = Date.now();

  return (
    <div className="page portal">
      <PageHeader
        title="My requests"
        subtitle="Everything you ordered or reported, most recently updated first."
        actions={
          <>
            <Link to="/portal/catalog" className="btn btn-secondary">
              Order something
            </Link>
            {canReport && (
              <Link to="/tickets/new?kind=incident" className="btn btn-primary">
                Report an incident
              </Link>
            )}
          </>
        }
      />
      <nav className="filters" aria-label="Show">
        <button type="button" className="filter" aria-pressed={openOnly} onClick={() => setOpenOnly(true)} data-testid="mine-open">
          Open
        </button>
        <button type="button" className="filter" aria-pressed={!openOnly} onClick={() => setOpenOnly(false)} data-testid="mine-all">
          All
        </button>
      </nav>
      {error && <ProblemView problem={error} onDismiss={() => setError(null)} />}
      <div className="card table-card">
        {!items && !error ? (
          <Spinner label="Loading your requests…" />
        ) : shown.length === 0 ? (
          <div className="empty">
            <p className="empty-title">{openOnly ? 'Nothing open' : 'Nothing yet'}</p>
            <p className="muted">Order from the catalog, or report something that is broken.</p>
          </div>
        ) : (
          <ul className="mine-list" data-testid="my-tickets">
            {shown.map((ticket) => (
              <li key={ticket.number} className="mine-row" data-testid="my-ticket" data-number={ticket.number}>
                <div className="mine-main">
                  <Link to={ticketPath(ticket.number)} className="mine-title">
                    {ticket.title}
                  </Link>
                  <span className="muted small">
                    <span className="mono">{ticket.number}</span> · {KIND_LABELS[ticket.kind]} · {whereItIs(ticket)}
                  </span>
                </div>
                <StateBadge state={ticket.state} />
                <span className="cell-time small" title={formatDateTime(ticket.updatedAt)}>
                  Updated {formatRelative(ticket.updatedAt, now)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {nextCursor && (
        <div className="list-foot">
          <span className="muted small">Older ones follow.</span>
          <button type="button" className="btn btn-secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}
