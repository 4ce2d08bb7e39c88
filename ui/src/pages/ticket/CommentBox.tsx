import { type FormEvent, type RefObject, useState } from 'react';
import { ActionProblem, useAct } from './actionKit';
import { useTicketScope } from './ticketContext';

/**
 * A comment (the caller and agents see it) or, for agents, a work note (agents only). The
 * draft lives in the page, so a live update never replaces the ticket under a half-typed comment.
 */
export function CommentBox({ draft, setDraft, textRef }: { draft: string; setDraft: (text: string) => void; textRef: RefObject<HTMLTextAreaElement | null> }) {
  const { ticket, me, agent } = useTicketScope();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [workNote, setWorkNote] = useState(false);
  const awaitingMe = ticket.kind === 'incident' && ticket.state === 'on_hold' && ticket.holdReason === 'awaiting_caller' && ticket.openedBy === me.user.username;
  const error = fieldErrors.text;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const note = agent && workNote;
    if (await run('comment', { text: draft, workNote: note }, note ? 'Work note added.' : awaitingMe ? 'Reply sent; the ticket is back with the service desk.' : 'Comment posted.')) setDraft('');
  }

  return (
    <form className={`comment-box${workNote ? ' is-work-note' : ''}`} onSubmit={(e) => void submit(e)} noValidate data-testid="comment-box">
      {awaitingMe && (
        <p className="awaiting-you" data-testid="awaiting-you">
          The service desk is waiting for your reply.
        </p>
      )}
      {problem && !error && <ActionProblem problem={problem} onDismiss={dismiss} />}
      <div className={`field${error ? ' has-error' : ''}`}>
        <label htmlFor="comment-text">{workNote ? 'Work note (agents only)' : awaitingMe ? 'Your reply' : 'Comment'}</label>
        <textarea
          id="comment-text"
          ref={textRef}
          rows={3}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder={workNote ? 'What you found or did; the caller does not see this' : agent ? 'Visible to the caller and to agents' : 'Visible to the service desk'}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'comment-error' : undefined}
          aria-keyshortcuts="c"
        />
        {error && (
          <p className="field-error" id="comment-error" data-testid="field-error-comment">
            {error}
          </p>
        )}
      </div>
      <div className="comment-actions">
        {agent && (
          <label className="checkbox">
            <input type="checkbox" checked={workNote} onChange={(e) => setWorkNote(e.target.checked)} data-testid="work-note" /> Work note
          </label>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy !== null} data-testid="post-comment">
          {busy ? 'Posting…' : workNote ? 'Add work note' : awaitingMe ? 'Send reply' : 'Post comment'}
        </button>
      </div>
    </form>
  );
}
