import { type FormEvent, useState } from 'react';
import { createMaintenance, type NewMaintenanceWindow, type Problem, toProblem } from '../../api';
import { ErrorAlert, FieldMessage } from '../../components';
import { isoToLocal, localToIso } from '../../format';

const DAYS = [
  ['mon', 'Mon'],
  ['tue', 'Tue'],
  ['wed', 'Wed'],
  ['thu', 'Thu'],
  ['fri', 'Fri'],
  ['sat', 'Sat'],
  ['sun', 'Sun'],
] as const;

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * A new maintenance window: what is worked on (CI ids, or a CMDB selector as JSON), when
 * (from–to, or weekly windows in a time zone from a start, optionally until an end), and why.
 * The server checks it (a selector against the CMDB model) and names each wrong field.
 */
export function MaintenanceForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [title, setTitle] = useState('');
  const [scopeKind, setScopeKind] = useState<'cis' | 'selector'>('cis');
  const [cis, setCis] = useState('');
  const [selector, setSelector] = useState('{ "class": "host", "tags": [] }');
  const [startsAt, setStartsAt] = useState(() => isoToLocal(new Date().toISOString()));
  const [endsAt, setEndsAt] = useState(() => isoToLocal(new Date(Date.now() + 2 * 3_600_000).toISOString()));
  const [recurring, setRecurring] = useState(false);
  const [days, setDays] = useState<string[]>(['sun']);
  const [from, setFrom] = useState('02:00');
  const [to, setTo] = useState('04:00');
  const [timeZone, setTimeZone] = useState(browserZone);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Problem | null>(null);
  const [localError, setLocalError] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const fieldErrors: Record<string, string> = { ...Object.fromEntries((error?.errors ?? []).map((e) => [e.field.replace(/^body\./, '').replace(/\[\d+\].*$/, ''), e.message])), ...localError };
  const fieldError = (prefix: string) => Object.entries(fieldErrors).find(([field]) => field === prefix || field.startsWith(`${prefix}.`))?.[1];

  function body(): NewMaintenanceWindow | null {
    let scope: NewMaintenanceWindow['scope'];
    if (scopeKind === 'cis') scope = { cis: cis.split(/[\s,]+/).filter(Boolean) };
    else {
      try {
        scope = { selector: JSON.parse(selector) as unknown };
      } catch {
        setLocalError({ scope: 'the selector is not valid JSON' });
        return null;
      }
    }
    setLocalError({});
    return {
      title,
      scope,
      ...(startsAt && { startsAt: localToIso(startsAt) }),
      ...(endsAt && { endsAt: localToIso(endsAt) }),
      ...(recurring && { recurrence: { timeZone, windows: [{ days, start: from, end: to }] } }),
      ...(comment && { comment }),
    };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const b = body();
    if (!b) return;
    setBusy(true);
    setError(null);
    try {
      await createMaintenance(b);
      onDone();
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card maintenance-form" onSubmit={(e) => void submit(e)} aria-label="New maintenance window" data-testid="maintenance-form">
      <h2 className="card-title">New maintenance window</h2>
      <p className="muted small">Alerts on the CIs it covers are suppressed while it is open: they stay listed and their resolves still flow; only notification and escalation are held back.</p>
      <div className="field">
        <label htmlFor="mw-title">Title</label>
        <input id="mw-title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Patch the web servers" aria-describedby="mw-title-error" data-testid="maintenance-title" />
        <FieldMessage id="mw-title-error" message={fieldError('title')} />
      </div>
      <fieldset className="field">
        <legend>Covers</legend>
        <div className="chip-row" role="radiogroup" aria-label="Scope">
          <label className="inline-choice">
            <input type="radio" name="mw-scope" checked={scopeKind === 'cis'} onChange={() => setScopeKind('cis')} /> CIs by id
          </label>
          <label className="inline-choice">
            <input type="radio" name="mw-scope" checked={scopeKind === 'selector'} onChange={() => setScopeKind('selector')} data-testid="maintenance-scope-selector" /> CMDB selector
          </label>
        </div>
        {scopeKind === 'cis' ? (
          <input aria-label="CI ids" value={cis} onChange={(e) => setCis(e.target.value)} placeholder="CI ids, separated by commas" aria-describedby="mw-scope-error" data-testid="maintenance-cis" />
        ) : (
          <textarea aria-label="CMDB selector" className="mono" rows={3} value={selector} onChange={(e) => setSelector(e.target.value)} aria-describedby="mw-scope-error" data-testid="maintenance-selector" />
        )}
        <FieldMessage id="mw-scope-error" message={fieldError('scope')} />
      </fieldset>
      <div className="field-row">
        <div className="field">
          <label htmlFor="mw-starts">Starts</label>
          <input id="mw-starts" type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} aria-describedby="mw-starts-error" data-testid="maintenance-starts" />
          <FieldMessage id="mw-starts-error" message={fieldError('startsAt')} />
        </div>
        <div className="field">
          <label htmlFor="mw-ends">Ends{recurring && ' (empty: until ended)'}</label>
          <input id="mw-ends" type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} aria-describedby="mw-ends-error" data-testid="maintenance-ends" />
          <FieldMessage id="mw-ends-error" message={fieldError('endsAt')} />
        </div>
      </div>
      <label className="inline-choice">
        <input
          type="checkbox"
          checked={recurring}
          onChange={(e) => {
            setRecurring(e.target.checked);
            // A weekly window is most often a standing slot: until ended, unless an end is given.
            if (e.target.checked) setEndsAt('');
          }}
          data-testid="maintenance-recurring"
        />{' '}
        Repeats every week
      </label>
      {recurring && (
        <fieldset className="field recurrence-fields">
          <legend>Every week, between Starts and Ends</legend>
          <div className="chip-row" role="group" aria-label="Days">
            {DAYS.map(([day, label]) => (
              <label key={day} className="inline-choice">
                <input type="checkbox" checked={days.includes(day)} onChange={() => setDays(days.includes(day) ? days.filter((d) => d !== day) : [...days, day])} data-testid={`maintenance-day-${day}`} /> {label}
              </label>
            ))}
          </div>
          <div className="field-row">
            <div className="field">
              <label htmlFor="mw-from">From</label>
              <input id="mw-from" type="time" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="maintenance-from" />
            </div>
            <div className="field">
              <label htmlFor="mw-to">To (past midnight: the next day)</label>
              <input id="mw-to" type="time" value={to} onChange={(e) => setTo(e.target.value)} data-testid="maintenance-to" />
            </div>
            <div className="field grow">
              <label htmlFor="mw-zone">Time zone</label>
              <input id="mw-zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} data-testid="maintenance-zone" />
            </div>
          </div>
          <FieldMessage id="mw-recurrence-error" message={fieldError('recurrence')} />
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="mw-comment">Why</label>
        <input id="mw-comment" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="A change number or a reason" data-testid="maintenance-comment" />
      </div>
      {error && !error.errors?.length && <ErrorAlert problem={error} onDismiss={() => setError(null)} />}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="maintenance-create">
          Open the window
        </button>
      </div>
    </form>
  );
}
