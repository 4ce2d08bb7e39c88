import { type FormEvent, useState } from 'react';
import { createSilence, type Problem, previewSilence, toProblem } from '../../api';
import { ErrorAlert, FieldMessage } from '../../components';

const HOURS = [1, 2, 4, 8, 24];

/** Matchers in Alertmanager's syntax from an alert's identifying labels. */
function matchersFrom(labels: Record<string, string>): string {
  const keep = Object.entries(labels).filter(([name]) => name === 'alertname' || name === 'instance' || name === 'host' || name === 'job' || name === 'service');
  const chosen = keep.length ? keep : Object.entries(labels).slice(0, 3);
  return `{${chosen.map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(', ')}}`;
}

/** A silence, prefilled from an alert, with a preview of the open alerts it would match. */
export function SilenceForm({ labels = {}, onDone }: { labels?: Record<string, string>; onDone: () => void }) {
  const [matchers, setMatchers] = useState(() => matchersFrom(labels));
  const [hours, setHours] = useState(2);
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<{ matches: string[]; scanned: number } | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const body = () => ({ matchers, comment, endsAt: new Date(Date.now() + hours * 3_600_000).toISOString() });
  const fieldErrors = error ? Object.fromEntries((error.errors ?? []).map((e) => [e.field.replace(/^body\./, ''), e.message])) : {};

  async function check() {
    setError(null);
    try {
      setPreview(await previewSilence({ ...body(), comment: comment || 'preview' }));
    } catch (e) {
      setError(toProblem(e));
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await createSilence(body());
      onDone();
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card silence-form" onSubmit={(e) => void submit(e)} aria-label="New silence" data-testid="silence-form">
      <h2 className="card-title">Silence</h2>
      <p className="muted small">Silenced alerts stay listed as suppressed and their resolves still flow: only notification and escalation are held back.</p>
      <div className="field">
        <label htmlFor="silence-matchers">Matchers</label>
        <input id="silence-matchers" className="mono" value={matchers} onChange={(e) => setMatchers(e.target.value)} aria-describedby="silence-matchers-error" data-testid="silence-matchers" />
        <FieldMessage id="silence-matchers-error" message={fieldErrors.matchers} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="silence-hours">For</label>
          <select id="silence-hours" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {HOURS.map((h) => (
              <option key={h} value={h}>
                {h} hour{h === 1 ? '' : 's'}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="silence-comment">Why</label>
          <input id="silence-comment" value={comment} placeholder="A change number or a reason" onChange={(e) => setComment(e.target.value)} aria-describedby="silence-comment-error" data-testid="silence-comment" />
          <FieldMessage id="silence-comment-error" message={fieldErrors.comment} />
        </div>
      </div>
      {error && !Object.keys(fieldErrors).length && <ErrorAlert problem={error} onDismiss={() => setError(null)} />}
      {preview && (
        <p className="small" data-testid="silence-preview">
          Matches <strong>{preview.matches.length}</strong> open alert{preview.matches.length === 1 ? '' : 's'} of the {preview.scanned} looked at.
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={() => void check()} data-testid="silence-preview-button">
          Preview
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="silence-create">
          Create silence
        </button>
      </div>
    </form>
  );
}
