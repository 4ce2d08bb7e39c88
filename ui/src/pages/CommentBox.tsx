import { type FormEvent, useState } from 'react';
import { act, ApiError, type Incident, type Problem, toProblem } from '../api';
import { ErrorAlert, FieldMessage } from '../components';

/**
 * Adds a comment (seen by the caller) or, for agents, a work note (seen by agents only)
 * under the timeline. Sent with the version on screen, so a concurrent change shows.
 */
export function CommentBox({ incident, canWorkNote, onPosted }: { incident: Incident; canWorkNote: boolean; onPosted: (next: Incident) => void }) {
  const [text, setText] = useState('');
  const [workNote, setWorkNote] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const fieldError = problem?.errors?.find((e) => e.field === 'body.text')?.message;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const next = await act(incident.number, 'comment', { text, workNote: canWorkNote && workNote }, incident.version);
      setText('');
      onPosted(next);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : toProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="comment-box" onSubmit={(e) => void submit(e)} noValidate data-testid="comment-box">
      {problem && !fieldError && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
      <div className={`field${fieldError ? ' has-error' : ''}`}>
        <label htmlFor="comment-text">{workNote ? 'Work note (agents only)' : 'Comment'}</label>
        <textarea
          id="comment-text"
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={workNote ? 'What you found or did; the caller does not see this' : 'Visible to the caller and to agents'}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'comment-error' : undefined}
        />
        <FieldMessage id="comment-error" message={fieldError} />
      </div>
      <div className="comment-actions">
        {canWorkNote && (
          <label className="checkbox">
            <input type="checkbox" checked={workNote} onChange={(e) => setWorkNote(e.target.checked)} data-testid="work-note" /> Work note
          </label>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="post-comment">
          {busy ? 'Posting…' : workNote ? 'Add work note' : 'Post comment'}
        </button>
      </div>
    </form>
  );
}
