import { useEffect, useRef } from 'react';
import type { Ticket } from '../../api';
import { ticketPath } from '../../api/notifications';
import { PriorityBadge, StateBadge } from '../../components';
import { SlaCell } from '../../components/Sla';
import { formatDateTime, formatRelative, KIND_LABELS } from '../../format';
import { Link, navigate } from '../../router';
import type { RowResult } from './bulk';
import { failureText } from './BulkResults';

interface Props {
  items: Ticket[];
  selected: ReadonlySet<string>;
  results: ReadonlyMap<string, RowResult>;
  active: number;
  /** Changes when j/k move the cursor: the active row's link then takes the focus. */
  moves: number;
  onToggle: (number: string) => void;
  onToggleAll: () => void;
  onActivate: (index: number) => void;
}

/** The queue as a table; the active row (j/k) is outlined and kept in view. */
export function TicketTable({ items, selected, results, active, moves, onToggle, onToggleAll, onActivate }: Props) {
  const body = useRef<HTMLTableSectionElement>(null);
  const allSelected = items.length > 0 && items.every((t) => selected.has(t.number));
  const now = Date.now();

  useEffect(() => {
    body.current?.querySelector('tr[data-active="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  useEffect(() => {
    if (moves > 0) body.current?.querySelector<HTMLAnchorElement>('tr[data-active="true"] .cell-number a')?.focus({ preventScroll: true });
  }, [moves]);

  return (
    <div className="table-scroll">
      <table className="table table-console" data-testid="ticket-table" aria-describedby="console-keys-hint">
        <thead>
          <tr>
            <th scope="col" className="cell-select">
              <input type="checkbox" checked={allSelected} onChange={onToggleAll} aria-label="Select all shown tickets" data-testid="select-all" />
            </th>
            <th scope="col">Number</th>
            <th scope="col">Kind</th>
            <th scope="col">Title</th>
            <th scope="col">Priority</th>
            <th scope="col">State</th>
            <th scope="col">Group</th>
            <th scope="col">Assignee</th>
            <th scope="col">SLA</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody ref={body}>
          {items.map((ticket, index) => {
            const result = results.get(ticket.number);
            const isSelected = selected.has(ticket.number);
            return (
              <tr
                key={ticket.number}
                className={`row-link${isSelected ? ' row-selected' : ''}`}
                data-testid="ticket-row"
                data-number={ticket.number}
                data-active={index === active ? 'true' : undefined}
                onClick={(event) => {
                  if ((event.target as HTMLElement).closest('a, input, label')) return;
                  onActivate(index);
                  navigate(ticketPath(ticket.number));
                }}
              >
                <td className="cell-select">
                  <input type="checkbox" checked={isSelected} onChange={() => onToggle(ticket.number)} aria-label={`Select ${ticket.number}`} data-testid="row-select" />
                </td>
                <td className="cell-number">
                  <Link to={ticketPath(ticket.number)} onFocus={() => onActivate(index)}>
                    {ticket.number}
                  </Link>
                  {result && result.status !== 'running' && (
                    <span className={`row-result row-result-${result.status}`} data-testid="row-result" data-status={result.status} title={result.status === 'failed' ? failureText(result) : result.message}>
                      {result.status === 'done' ? '✓' : '!'}
                      <span className="sr-only">{result.status === 'failed' ? `failed: ${failureText(result)}` : result.message}</span>
                    </span>
                  )}
                </td>
                <td className="cell-kind">{KIND_LABELS[ticket.kind]}</td>
                <td className="cell-title">
                  <span className="title-text">{ticket.title}</span>
                </td>
                <td>
                  <PriorityBadge priority={ticket.priority} />
                </td>
                <td>
                  <StateBadge state={ticket.state} />
                </td>
                <td className={ticket.assignmentGroup ? undefined : 'muted'}>{ticket.assignmentGroup ?? '—'}</td>
                <td className={ticket.assignee ? undefined : 'muted'} data-testid="row-assignee">
                  {ticket.assignee ?? 'Unassigned'}
                </td>
                <td className="cell-sla">
                  <SlaCell clocks={ticket.sla} />
                </td>
                <td className="cell-time" title={formatDateTime(ticket.updatedAt)}>
                  {formatRelative(ticket.updatedAt, now)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
