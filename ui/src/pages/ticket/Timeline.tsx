import { useState } from 'react';
import type { TicketState, TimelineEntry } from '../../api';
import { formatDateTime, formatRelative, STATE_LABELS } from '../../format';

const KIND_LABELS: Record<TimelineEntry['kind'], string> = {
  created: 'Opened',
  assigned: 'Assignment',
  state_changed: 'State',
  comment: 'Comment',
  work_note: 'Work note',
  sla: 'SLA',
  approval: 'Approval',
  link: 'Link',
  task: 'Task',
  priority_changed: 'Priority',
  automation: 'Automation',
};

const CONVERSATION: ReadonlySet<TimelineEntry['kind']> = new Set(['comment', 'work_note']);

/** The ticket's history, oldest first so the latest is next to the comment box; filterable to the conversation. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const [conversationOnly, setConversationOnly] = useState(false);
  const shown = conversationOnly ? entries.filter((e) => CONVERSATION.has(e.kind)) : entries;
  const now = Date.now();
  return (
    <>
      <div className="timeline-head">
        <h2 id="timeline-heading" className="card-title">
          Timeline
        </h2>
        <div className="segmented" role="group" aria-label="Show in the timeline">
          <button type="button" aria-pressed={!conversationOnly} onClick={() => setConversationOnly(false)}>
            Everything
          </button>
          <button type="button" aria-pressed={conversationOnly} onClick={() => setConversationOnly(true)} data-testid="timeline-conversation">
            Comments &amp; notes
          </button>
        </div>
      </div>
      {shown.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {shown.map((entry, i) => (
            <li key={`${entry.at}-${i}`} className={`timeline-entry timeline-${entry.kind}`} data-testid="timeline-entry" data-kind={entry.kind} data-to={entry.to}>
              <span className={`timeline-dot ${entry.kind === 'state_changed' && entry.to ? `state-${entry.to}` : `kind-${entry.kind}`}`} aria-hidden="true" />
              <div className="timeline-content">
                <p className="timeline-text">
                  <span className={`timeline-kind timeline-kind-${entry.kind}`}>{KIND_LABELS[entry.kind]}</span>
                  {entry.kind === 'state_changed' && entry.from && entry.to ? <StateChange entry={entry} /> : <span className="timeline-body">{entry.text}</span>}
                </p>
                <p className="timeline-meta">
                  <span>{entry.actor}</span> ·{' '}
                  <time dateTime={entry.at} title={formatDateTime(entry.at)}>
                    {formatRelative(entry.at, now)}
                  </time>
                </p>
              </div>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

/** "In progress → On hold: awaiting caller", read out as the server's sentence. */
function StateChange({ entry }: { entry: TimelineEntry }) {
  const label = (state: string) => STATE_LABELS[state as TicketState] ?? state;
  const why = /: (.+)$/.exec(entry.text)?.[1];
  return (
    <>
      <span className="sr-only">{entry.text}</span>
      <span aria-hidden="true" className="timeline-body">
        <span className={`chip state-${entry.from}`}>{label(entry.from!)}</span> → <span className={`chip state-${entry.to}`}>{label(entry.to!)}</span>
        {why && <span className="muted"> · {why}</span>}
      </span>
    </>
  );
}
