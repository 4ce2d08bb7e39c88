import type { HostCounts, HostStatus } from '../../api/automation';
import { HOST_LABEL } from './badges';

/** Order of the bar's segments: done first, then what is moving, then what waits. */
const ORDER: HostStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled', 'not_run', 'awaiting_decision', 'running', 'pending'];
const OPEN: ReadonlySet<HostStatus> = new Set(['pending', 'running', 'awaiting_decision']);

/** Hosts per status as one bar, with the figures beside it. */
export function RunProgress({ counts, total }: { counts: HostCounts | undefined; total: number }) {
  const all = counts ?? ({ pending: total } as HostCounts);
  const sum = ORDER.reduce((n, s) => n + (all[s] ?? 0), 0) || total || 1;
  const done = ORDER.filter((s) => !OPEN.has(s)).reduce((n, s) => n + (all[s] ?? 0), 0);
  const shown = ORDER.filter((s) => (all[s] ?? 0) > 0);
  const text = `${done} of ${total} hosts done` + (shown.length ? `: ${shown.map((s) => `${all[s]} ${HOST_LABEL[s].toLowerCase()}`).join(', ')}` : '');
  return (
    <div className="run-progress" data-testid="run-progress">
      <div className="run-progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-valuetext={text} aria-label="Hosts done">
        {shown.map((s) => (
          <span key={s} className={`run-progress-segment host-tone-${s}`} style={{ width: `${((all[s] ?? 0) / sum) * 100}%` }} title={`${HOST_LABEL[s]}: ${all[s]}`} />
        ))}
      </div>
      <ul className="run-progress-legend small" data-testid="run-counts">
        <li className="strong">
          {done} / {total} done
        </li>
        {shown.map((s) => (
          <li key={s} data-status={s}>
            <span className={`legend-dot host-tone-${s}`} aria-hidden="true" />
            {HOST_LABEL[s]} {all[s]}
          </li>
        ))}
      </ul>
    </div>
  );
}
