import type { HostStatus, RunHost } from '../../api/automation';
import { HOST_LABEL, HostStatusBadge, StepChip } from './badges';
import { durationText } from './duration';

export interface StepInfo {
  id: string;
  name: string;
}

/** The run's hosts: status colour, each step's status and exit code, and how long each took. Choose one to read its output. */
export function HostsGrid({
  hosts,
  steps,
  selected,
  onSelect,
  filter,
  onFilter,
  counts,
}: {
  hosts: RunHost[];
  steps: StepInfo[];
  selected: number | null;
  onSelect: (seq: number) => void;
  filter: HostStatus | null;
  onFilter: (status: HostStatus | null) => void;
  counts: Partial<Record<HostStatus, number>>;
}) {
  const statuses = (Object.keys(HOST_LABEL) as HostStatus[]).filter((s) => (counts[s] ?? 0) > 0);
  return (
    <>
      {statuses.length > 1 && (
        <div className="filters host-filters" role="group" aria-label="Show hosts">
          <button type="button" className="filter" aria-pressed={filter === null} onClick={() => onFilter(null)}>
            All
          </button>
          {statuses.map((s) => (
            <button key={s} type="button" className="filter" aria-pressed={filter === s} onClick={() => onFilter(s)} data-testid={`host-filter-${s}`}>
              {HOST_LABEL[s]} <span className="count">{counts[s]}</span>
            </button>
          ))}
        </div>
      )}
      {hosts.length === 0 ? (
        <p className="muted empty-compact">{filter ? `No host is ${HOST_LABEL[filter].toLowerCase()} now.` : 'No hosts: the selector matched nothing when the run started.'}</p>
      ) : (
        <div className="table-scroll">
          <table className="table hosts-grid" data-testid="hosts-grid">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Host</th>
                <th scope="col">Zone</th>
                <th scope="col">Status</th>
                <th scope="col">Steps</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((h) => (
                <tr key={h.seq} className={`row-link host-row host-row-${h.status}${selected === h.seq ? ' host-row-selected' : ''}`} data-testid="host-row" data-seq={h.seq} data-status={h.status} onClick={() => onSelect(h.seq)}>
                  <td className="cell-number">{h.seq + 1}</td>
                  <td>
                    <button type="button" className="link-button strong" onClick={(e) => {
                        e.stopPropagation();
                        onSelect(h.seq);
                      }} aria-pressed={selected === h.seq} aria-label={`Show ${h.name}'s output`}>
                      {h.name}
                    </button>
                    {h.address && <div className="muted small mono">{h.address}</div>}
                  </td>
                  <td className="small mono">{h.zone}</td>
                  <td>
                    <HostStatusBadge status={h.status} />
                  </td>
                  <td>
                    <span className="step-chips">
                      {steps.map((s) => (
                        <StepChip key={s.id} id={s.id} title={s.name} status={h.steps[s.id]?.status} exitCode={h.steps[s.id]?.exitCode} />
                      ))}
                    </span>
                  </td>
                  <td className="small nowrap">{durationText(h.startedAt, h.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
