import { PageHeader, PriorityBadge, StateBadge, Tag } from '../../components';
import { SlaClocks } from '../../components/Sla';
import { HOLD_REASON_LABELS, KIND_LABELS } from '../../format';
import { Link } from '../../router';
import { useTicketScope } from './ticketContext';
import type { StreamState } from './useTicketStream';

const LIVE_LABELS: Record<StreamState, string> = { connecting: 'Connecting…', live: 'Live', offline: 'Offline — reconnecting' };

/** Number, kind, title, state, priority, who has it, and its SLA clocks. */
export function TicketHeader({ live }: { live: StreamState }) {
  const { ticket, agent } = useTicketScope();
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            {agent ? <Link to="/console">Console</Link> : <Link to="/portal/mine">My requests</Link>}
            <span aria-hidden="true"> / </span>
            <span data-testid="ticket-number">{ticket.number}</span> · {KIND_LABELS[ticket.kind]}
          </>
        }
        title={<span data-testid="ticket-title">{ticket.title}</span>}
        actions={
          <span className={`live live-${live}`} data-testid="live-status" data-state={live} title="Changes by others appear here as they happen">
            <span className="dot" aria-hidden="true" />
            {LIVE_LABELS[live]}
          </span>
        }
      />
      <section className="card ticket-summary" aria-label="Summary">
        <div className="ticket-badges">
          <StateBadge state={ticket.state} />
          {ticket.kind === 'incident' && ticket.holdReason && (
            <Tag tone="amber" testId="hold-reason">
              {HOLD_REASON_LABELS[ticket.holdReason]}
            </Tag>
          )}
          <PriorityBadge priority={ticket.priority} long />
        </div>
        <dl className="summary-fields">
          <div>
            <dt>Group</dt>
            <dd data-testid="assignment-group">{ticket.assignmentGroup ?? <span className="muted">None</span>}</dd>
          </div>
          <div>
            <dt>Assignee</dt>
            <dd data-testid="assignee">{ticket.assignee ?? <span className="muted">Unassigned</span>}</dd>
          </div>
          <div>
            <dt>Opened by</dt>
            <dd data-testid="opened-by">{ticket.openedBy}</dd>
          </div>
        </dl>
        <SlaClocks clocks={ticket.sla} />
      </section>
    </>
  );
}
