import { Fragment, useCallback, useEffect, useState } from 'react';
import '../../automation.css';
import { type Problem, toProblem } from '../../api';
import { deleteSchedule, getSchedule, type LibrarySummary, listLibrary, listSchedules, pauseSchedule, type RunSchedule, triggerSchedule } from '../../api/automation';
import { ErrorAlert, PageHeader, ProblemView, Spinner, SuccessNotice, Tag } from '../../components';
import { formatDateTime, formatRelative } from '../../format';
import { Link } from '../../router';
import { useCan } from '../../session';
import { AutomationTabs } from './AutomationTabs';
import { RunStatusBadge } from './badges';
import { ScheduleEditor } from './ScheduleEditor';

const when = (s: RunSchedule) => [...(s.spec.cron ?? []), ...(s.spec.calendars?.length ? [`${s.spec.calendars.length} calendar spec${s.spec.calendars.length === 1 ? '' : 's'}`] : [])].join(', ') + ` (${s.spec.timezone ?? 'UTC'})`;

/** Runbooks on a timetable (Temporal Schedules): when each fires next, pause and resume, fire now, and what the latest firings made. */
export function SchedulesPage() {
  const can = useCan();
  const manage = can('automation.schedule');
  const [schedules, setSchedules] = useState<RunSchedule[] | null>(null);
  const [runbooks, setRunbooks] = useState<LibrarySummary[]>([]);
  const [error, setError] = useState<Problem | null>(null);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<RunSchedule | 'new' | null>(null);
  const [open, setOpen] = useState<RunSchedule | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setSchedules((await listSchedules({ signal })).items);
      setError(null);
    } catch (e) {
      if (!signal?.aborted) setError(toProblem(e));
    }
  }, []);

  useEffect(() => {
    document.title = 'Schedules · Automation · FlowDesk';
    const controller = new AbortController();
    void load(controller.signal);
    listLibrary('runbook', { limit: 500, signal: controller.signal }).then((page) => setRunbooks(page.items), () => undefined);
    return () => controller.abort();
  }, [load]);

  async function act(schedule: RunSchedule, action: 'pause' | 'resume' | 'trigger' | 'delete') {
    setActionError(null);
    setNotice(null);
    try {
      if (action === 'delete') {
        if (!window.confirm(`Delete schedule ${schedule.id}? The runs it made stay.`)) return;
        await deleteSchedule(schedule.id);
        setNotice(`Schedule ${schedule.id} deleted.`);
        if (open?.id === schedule.id) setOpen(null);
      } else if (action === 'trigger') {
        await triggerSchedule(schedule.id);
        setNotice(`Schedule ${schedule.id} fired; its run appears under its latest runs in a moment.`);
      } else {
        const note = window.prompt(action === 'pause' ? 'Why pause it? (optional)' : 'Note for resuming (optional)') ?? undefined;
        await pauseSchedule(schedule.id, action === 'pause', note || undefined);
      }
      await load();
      if (open?.id === schedule.id && action !== 'delete') setOpen(await getSchedule(schedule.id));
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  async function toggle(schedule: RunSchedule) {
    if (open?.id === schedule.id) return setOpen(null);
    try {
      setOpen(await getSchedule(schedule.id));
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  return (
    <div className="page page-wide automation">
      <PageHeader
        eyebrow="Automation"
        title="Schedules"
        subtitle="Runbooks run on cron times as their owner: the next firings, pause and resume, fire now, and what the latest firings made."
        actions={manage && !editing && <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} data-testid="new-schedule">New schedule</button>}
      />
      <AutomationTabs current="schedules" />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {editing && (
        <ScheduleEditor
          schedule={editing === 'new' ? null : editing}
          runbooks={runbooks}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setNotice(`Schedule ${saved.id} saved.`);
            void load();
          }}
        />
      )}
      {error ? (
        <ProblemView problem={error} onRetry={() => void load()} />
      ) : schedules === null ? (
        <Spinner label="Loading schedules…" />
      ) : schedules.length === 0 ? (
        <section className="card empty" data-testid="schedules-empty">
          <p className="empty-title">No schedules yet</p>
          <p className="muted">{manage ? 'Create one to run a runbook every night, every hour, or on the first of the month.' : 'Someone with automation.schedule creates them.'}</p>
        </section>
      ) : (
        <section className="card table-card" aria-label="Schedules">
          <div className="table-scroll">
            <table className="table" data-testid="schedules-table">
              <thead>
                <tr>
                  <th scope="col">Schedule</th>
                  <th scope="col">Runbook</th>
                  <th scope="col">When</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Owner</th>
                  {manage && (
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {schedules.map((s) => (
                  <Fragment key={s.id}>
                    <tr data-testid="schedule-row" data-schedule={s.id}>
                      <td>
                        <button type="button" className="link-button strong mono" onClick={() => void toggle(s)} aria-expanded={open?.id === s.id}>
                          {s.id}
                        </button>
                        {s.note && <div className="muted small">{s.note}</div>}
                      </td>
                      <td>
                        <Link to={`/automation/runbooks/${encodeURIComponent(s.runbook)}`}>{s.runbook}</Link>
                        {s.version !== undefined && <span className="muted small"> v{s.version}</span>}
                      </td>
                      <td className="small mono">{when(s)}</td>
                      <td className="small">
                        {s.missing ? <Tag tone="red">Temporal schedule missing</Tag> : s.paused ? <Tag tone="amber" testId="schedule-paused">Paused</Tag> : s.nextRuns[0] ? <span title={formatDateTime(s.nextRuns[0])}>{formatRelative(s.nextRuns[0])}</span> : '—'}
                      </td>
                      <td className="small">{s.owner}</td>
                      {manage && (
                        <td className="nowrap cell-actions">
                          <button type="button" className="btn btn-sm btn-secondary" onClick={() => void act(s, 'trigger')} aria-label={`Run ${s.id} now`}>
                            Run now
                          </button>{' '}
                          <button type="button" className="btn btn-sm btn-ghost" onClick={() => void act(s, s.paused ? 'resume' : 'pause')} aria-label={`${s.paused ? 'Resume' : 'Pause'} ${s.id}`}>
                            {s.paused ? 'Resume' : 'Pause'}
                          </button>
                          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setEditing(s)} aria-label={`Edit ${s.id}`}>
                            Edit
                          </button>
                          <button type="button" className="btn btn-sm btn-ghost" onClick={() => void act(s, 'delete')} aria-label={`Delete ${s.id}`}>
                            Delete
                          </button>
                        </td>
                      )}
                    </tr>
                    {open?.id === s.id && (
                      <tr className="schedule-detail">
                        <td colSpan={manage ? 6 : 5}>
                          <ScheduleDetail schedule={open} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}

function ScheduleDetail({ schedule }: { schedule: RunSchedule }) {
  return (
    <div className="schedule-detail-body" data-testid="schedule-detail">
      <div>
        <h3 className="subheading">Next firings</h3>
        {schedule.nextRuns.length ? (
          <ul className="small">
            {schedule.nextRuns.map((t) => (
              <li key={t}>{formatDateTime(t)}</li>
            ))}
          </ul>
        ) : (
          <p className="muted small">{schedule.paused ? 'None while paused.' : 'None.'}</p>
        )}
      </div>
      <div>
        <h3 className="subheading">Latest firings</h3>
        {schedule.recentActions?.length ? (
          <ul className="small">
            {schedule.recentActions.map((a) => (
              <li key={a.workflowId}>
                {formatDateTime(a.takenAt)} · {a.runId ? <Link to={`/automation/runs/${encodeURIComponent(a.runId)}`}>{a.runId}</Link> : a.status}
                {a.error && <span className="field-error"> {a.error}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">It has not fired yet.</p>
        )}
      </div>
      <div>
        <h3 className="subheading">Latest runs</h3>
        {schedule.recentRuns?.length ? (
          <ul className="small">
            {schedule.recentRuns.map((r) => (
              <li key={r.id}>
                <Link to={`/automation/runs/${encodeURIComponent(r.id)}`}>{r.id}</Link> <RunStatusBadge status={r.status} /> {formatRelative(r.createdAt)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No runs yet.</p>
        )}
      </div>
    </div>
  );
}
