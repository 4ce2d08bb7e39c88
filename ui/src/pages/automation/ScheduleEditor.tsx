import { type FormEvent, useEffect, useState } from 'react';
import { type Problem, toProblem } from '../../api';
import { createSchedule, getLibraryEntry, type LibrarySummary, OVERLAP_POLICIES, type OverlapPolicy, type RunSchedule, type ScheduleDefinition, updateSchedule } from '../../api/automation';
import { ErrorAlert, FieldMessage } from '../../components';

const OVERLAP_LABEL: Record<OverlapPolicy, string> = {
  skip: 'Skip the firing while a run still runs',
  buffer_one: 'Run once more after it',
  allow_all: 'Run side by side',
  cancel_other: 'Cancel the running one',
};

/**
 * Creates or changes a schedule: which runbook with which parameters, at which cron times
 * in which time zone, and what a firing does while the previous run still runs. The
 * server checks it as a run with the editor's roles and says what is wrong, field by field.
 */
export function ScheduleEditor({ schedule, runbooks, onClose, onSaved }: { schedule: RunSchedule | null; runbooks: LibrarySummary[]; onClose: () => void; onSaved: (saved: RunSchedule) => void }) {
  const [id, setId] = useState(schedule?.id ?? '');
  const [runbook, setRunbook] = useState(schedule?.runbook ?? runbooks.find((r) => r.latestVersion !== null)?.id ?? '');
  const [cron, setCron] = useState((schedule?.spec.cron ?? ['0 3 * * *']).join('\n'));
  const [timezone, setTimezone] = useState(schedule?.spec.timezone ?? '');
  const [overlap, setOverlap] = useState<OverlapPolicy>(schedule?.overlap ?? 'skip');
  const [params, setParams] = useState(JSON.stringify(schedule?.params ?? {}, null, 2));
  const [paused, setPaused] = useState(schedule?.paused ?? false);
  const [note, setNote] = useState(schedule?.note ?? '');
  const [paramsError, setParamsError] = useState<string | undefined>();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saving, setSaving] = useState(false);

  // A new schedule's parameters start as the runbook's form, with its defaults.
  useEffect(() => {
    if (schedule || !runbook) return;
    const controller = new AbortController();
    getLibraryEntry('runbook', runbook, controller.signal).then(
      (entry) => {
        const properties = entry.latest?.definition.parameters?.properties ?? {};
        setParams(JSON.stringify(Object.fromEntries(Object.entries(properties).map(([name, field]) => [name, field.default ?? ''])), null, 2));
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [runbook, schedule]);

  async function save(event: FormEvent) {
    event.preventDefault();
    let answers: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(params || '{}');
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('give an object of parameter names and values');
      answers = Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== ''));
      setParamsError(undefined);
    } catch (e) {
      setParamsError(`Not valid JSON: ${(e as Error).message}`);
      return;
    }
    const definition: ScheduleDefinition = {
      runbook,
      params: answers,
      spec: { cron: cron.split('\n').map((l) => l.trim()).filter(Boolean), ...(timezone.trim() && { timezone: timezone.trim() }) },
      overlap,
      paused,
      note,
    };
    setSaving(true);
    setProblem(null);
    try {
      onSaved(schedule ? await updateSchedule(schedule.id, definition, schedule.revision) : await createSchedule(id.trim(), definition));
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="card schedule-editor" onSubmit={(e) => void save(e)} aria-label={schedule ? `Edit schedule ${schedule.id}` : 'New schedule'} data-testid="schedule-editor">
      <h2 className="card-title">{schedule ? `Edit ${schedule.id}` : 'New schedule'}</h2>
      {problem && (
        <ErrorAlert problem={problem} onDismiss={() => setProblem(null)}>
          {problem.errors && problem.errors.length > 0 && (
            <ul className="field-errors" data-testid="schedule-errors">
              {problem.errors.map((e) => (
                <li key={`${e.field}:${e.message}`}>
                  <code>{e.field.replace(/^body\./, '')}</code> {e.message}
                </li>
              ))}
            </ul>
          )}
        </ErrorAlert>
      )}
      <div className="schedule-fields">
        {!schedule && (
          <div className="field">
            <label htmlFor="schedule-id">Id</label>
            <input id="schedule-id" value={id} onChange={(e) => setId(e.target.value)} placeholder="nightly-uptime" required pattern="[a-z0-9]+(-[a-z0-9]+)*" maxLength={64} className="mono" />
          </div>
        )}
        <div className="field">
          <label htmlFor="schedule-runbook">Runbook</label>
          <select id="schedule-runbook" value={runbook} onChange={(e) => setRunbook(e.target.value)} required>
            {runbooks
              .filter((r) => r.latestVersion !== null || r.id === runbook)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({r.id})
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="schedule-cron">Cron (one per line)</label>
          <textarea id="schedule-cron" className="code-editor" rows={2} value={cron} onChange={(e) => setCron(e.target.value)} spellCheck={false} aria-describedby="schedule-cron-hint" />
          <p className="hint" id="schedule-cron-hint">
            minute hour day-of-month month day-of-week, or @daily, @hourly…
          </p>
        </div>
        <div className="field">
          <label htmlFor="schedule-timezone">
            Time zone <span className="optional">default UTC</span>
          </label>
          <input id="schedule-timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder={Intl.DateTimeFormat().resolvedOptions().timeZone} />
        </div>
        <div className="field">
          <label htmlFor="schedule-overlap">While the previous run still runs</label>
          <select id="schedule-overlap" value={overlap} onChange={(e) => setOverlap(e.target.value as OverlapPolicy)}>
            {OVERLAP_POLICIES.map((p) => (
              <option key={p} value={p}>
                {OVERLAP_LABEL[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="schedule-note">
            Note <span className="optional">optional</span>
          </label>
          <input id="schedule-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="schedule-params">Parameters (JSON)</label>
        <textarea id="schedule-params" className="code-editor" rows={4} value={params} onChange={(e) => setParams(e.target.value)} spellCheck={false} aria-describedby="schedule-params-error" />
        <FieldMessage id="schedule-params-error" message={paramsError} />
      </div>
      <label className="check small">
        <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> Paused
      </label>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving || !runbook} data-testid="save-schedule">
          {saving ? 'Saving…' : schedule ? 'Save schedule' : 'Create schedule'}
        </button>
      </div>
    </form>
  );
}
