import type { SlaDisplay } from '../api';
import { formatDateTime, formatDuration, SLA_STATUS_LABELS } from '../format';

const LIVE: ReadonlySet<SlaDisplay['status']> = new Set(['on_track', 'warning', 'breached', 'paused']);

/** The clock that matters most in a list: the running or paused one with the least time left. */
function primarySla(clocks: SlaDisplay[]): SlaDisplay | null {
  const live = clocks.filter((c) => LIVE.has(c.status));
  return live.sort((a, b) => a.remainingBusinessMs - b.remainingBusinessMs)[0] ?? null;
}

function SlaChip({ sla }: { sla: SlaDisplay }) {
  return (
    <span className={`sla-chip sla-${sla.status}`} data-testid="sla-chip" data-status={sla.status}>
      {SLA_STATUS_LABELS[sla.status]}
    </span>
  );
}

/** "3h 20m left" / "45m overdue", in business time. */
function remainingText(sla: SlaDisplay): string {
  return sla.remainingBusinessMs < 0 ? `${formatDuration(-sla.remainingBusinessMs)} overdue` : `${formatDuration(sla.remainingBusinessMs)} left`;
}

/** A list cell: the primary clock's remaining business time and its status. */
export function SlaCell({ clocks }: { clocks: SlaDisplay[] }) {
  const sla = primarySla(clocks);
  if (!sla) return <span className="muted">—</span>;
  return (
    <span className="sla-cell" title={`${sla.name}: due ${formatDateTime(sla.dueAt)}`}>
      <span className="sla-remaining">{formatDuration(sla.remainingBusinessMs)}</span>
      <SlaChip sla={sla} />
    </span>
  );
}

/** Every clock of a ticket: what it measures, time left, due time and status; a paused clock says so. */
export function SlaClocks({ clocks }: { clocks: SlaDisplay[] }) {
  if (clocks.length === 0) return <p className="muted small">No SLA applies to this ticket.</p>;
  return (
    <ul className="sla-clocks" aria-label="SLA clocks">
      {clocks.map((sla) => (
        <li key={`${sla.metric}-${sla.name}`} className={`sla-clock sla-clock-${sla.status}`} data-testid="sla-clock" data-status={sla.status}>
          <span className="sla-clock-name">
            {sla.name} <span className="muted">· {sla.metric}</span>
          </span>
          <span className="sla-clock-time">
            {sla.status === 'completed' || sla.status === 'cancelled' ? (sla.breached ? 'Completed late' : 'Completed') : remainingText(sla)}
          </span>
          <SlaChip sla={sla} />
          <span className="sla-clock-due small">
            {sla.status === 'paused' ? 'Clock stopped while on hold; due time moves on resume' : `Due ${formatDateTime(sla.dueAt)}`}
          </span>
        </li>
      ))}
    </ul>
  );
}
