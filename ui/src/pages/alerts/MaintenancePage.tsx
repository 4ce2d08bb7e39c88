import { useCallback, useEffect, useState } from 'react';
import '../../alerts.css';
import { endMaintenance, listMaintenance, type MaintenanceOccurrence, type MaintenanceWindow, maintenanceOccurrences, type Problem, toProblem } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime } from '../../format';
import { hasPermission, useMe } from '../../session';
import { AlertTabs } from './AlertTabs';
import { MaintenanceWeek, weekDays, weekStart } from './MaintenanceCalendar';
import { MaintenanceForm } from './MaintenanceForm';

const STATE_TONE = { active: 'violet', pending: 'blue', expired: 'neutral' } as const;
const DAY_MS = 86_400_000;

const scopeText = (w: MaintenanceWindow) => ('cis' in w.scope ? w.scope.cis.join(', ') : `selector ${JSON.stringify(w.scope.selector)}`);
/** Not ended: open-ended, or ending later. */
const running = (w: MaintenanceWindow, now: number) => w.endsAt === undefined || Date.parse(w.endsAt) > now;

/**
 * The maintenance calendar: a week of occurrences (recurring windows expanded by the server,
 * GET /alerts/maintenance/occurrences) and the list of windows; opening and ending one needs
 * alert.silence, as the API says, and the buttons show only then.
 */
export function MaintenancePage() {
  const me = useMe();
  const canChange = hasPermission(me, 'alert.silence');
  const [start, setStart] = useState(() => weekStart(new Date()));
  const [windows, setWindows] = useState<MaintenanceWindow[] | null>(null);
  const [occurrences, setOccurrences] = useState<MaintenanceOccurrence[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [creating, setCreating] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    document.title = 'Maintenance · Alerts · FlowDesk';
  }, []);

  const load = useCallback(
    (signal?: AbortSignal) => {
      const end = weekDays(start)[7]!;
      return Promise.all([listMaintenance(signal), maintenanceOccurrences(start.toISOString(), end.toISOString(), signal)]).then(
        ([list, calendar]) => {
          setWindows(list);
          setOccurrences(calendar.items);
          setError(null);
        },
        (e: unknown) => !signal?.aborted && setError(toProblem(e)),
      );
    },
    [start],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load, reloads]);

  async function end(id: string) {
    setActionError(null);
    try {
      await endMaintenance(id);
      setReloads((n) => n + 1);
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  const shift = (weeks: number) => setStart(weekStart(new Date(start.getTime() + weeks * 7 * DAY_MS + DAY_MS / 2)));
  const now = Date.now();
  const last = weekDays(start)[6]!;
  return (
    <div className="page page-wide alerts">
      <PageHeader
        eyebrow="Alert center"
        title="Maintenance"
        subtitle="When CIs are worked on, their alerts are suppressed: listed, resolving, but not paging anyone."
        actions={
          canChange && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating((v) => !v)} data-testid="maintenance-new">
              New window
            </button>
          )
        }
      />
      <AlertTabs current="maintenance" />
      {creating && (
        <MaintenanceForm
          onCancel={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            setReloads((n) => n + 1);
          }}
        />
      )}
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {error ? (
        <ProblemView problem={error} onRetry={() => setReloads((n) => n + 1)} />
      ) : windows === null || occurrences === null ? (
        <Spinner label="Loading maintenance…" />
      ) : (
        <>
          <section className="card" aria-label="Week">
            <div className="mw-nav">
              <button type="button" className="btn btn-secondary btn-small" onClick={() => shift(-1)} aria-label="Previous week" data-testid="maintenance-prev">
                ←
              </button>
              <button type="button" className="btn btn-secondary btn-small" onClick={() => setStart(weekStart(new Date()))} data-testid="maintenance-this-week">
                This week
              </button>
              <button type="button" className="btn btn-secondary btn-small" onClick={() => shift(1)} aria-label="Next week" data-testid="maintenance-next">
                →
              </button>
              <h2 className="card-title" data-testid="maintenance-week-title">
                {start.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} – {last.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}
              </h2>
            </div>
            <MaintenanceWeek start={start} occurrences={occurrences} />
          </section>
          {windows.length === 0 ? (
            <section className="card empty">
              <p className="empty-title">No maintenance windows</p>
              <p className="muted">Open one for the CIs you work on; approved changes will open theirs.</p>
            </section>
          ) : (
            <section className="card table-card" aria-label="Maintenance windows">
              <table className="table" data-testid="maintenance-table">
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Covers</th>
                    <th scope="col">When</th>
                    <th scope="col">State</th>
                    <th scope="col">By</th>
                    <th scope="col" />
                  </tr>
                </thead>
                <tbody>
                  {windows.map((w) => (
                    <tr key={w.id} data-testid="maintenance-row" data-window={w.id} data-state={w.state}>
                      <td>
                        <strong>{w.title}</strong>
                        {(w.comment || w.change) && <div className="muted small">{[w.change, w.comment].filter(Boolean).join(' · ')}</div>}
                      </td>
                      <td className="small mono">{scopeText(w)}</td>
                      <td className="small">
                        {w.recurrenceText && <div>{w.recurrenceText}</div>}
                        <span className="nowrap">{formatDateTime(w.startsAt)}</span> – <span className="nowrap">{w.endsAt ? formatDateTime(w.endsAt) : 'until ended'}</span>
                      </td>
                      <td>
                        <Tag tone={STATE_TONE[w.state]}>{w.state}</Tag>
                      </td>
                      <td className="small">{w.createdBy}</td>
                      <td>
                        {canChange && running(w, now) && (
                          <button type="button" className="btn btn-secondary btn-small" onClick={() => void end(w.id)} data-testid="maintenance-end">
                            End now
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </div>
  );
}
