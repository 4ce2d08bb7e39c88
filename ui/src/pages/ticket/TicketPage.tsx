import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getTicket, type Me, type Problem, type Ticket, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner, SuccessNotice } from '../../components';
import { ShortcutHelp } from '../../components/ShortcutHelp';
import { flash } from '../../flash';
import { Link } from '../../router';
import { isAgent } from '../../ticketActions';
import { useShortcuts } from '../../useShortcuts';
import { ActionPanel } from './ActionPanel';
import { CommentBox } from './CommentBox';
import { KnownErrorPanel } from './KnownErrorPanel';
import { TicketDetails } from './TicketDetails';
import { TicketHeader } from './TicketHeader';
import { type FormName, TicketContext, type TicketScope } from './ticketContext';
import { Timeline } from './Timeline';
import { useTicketStream } from './useTicketStream';
import '../../console.css';

const AGENT_SHORTCUTS = [
  { keys: ['c'], does: 'Write a comment' },
  { keys: ['a'], does: 'Assign to me' },
  { keys: ['r'], does: 'Open the resolve form' },
  { keys: ['Esc'], does: 'Close the open form' },
  { keys: ['?'], does: 'Show these shortcuts' },
];
const REQUESTER_SHORTCUTS = [AGENT_SHORTCUTS[0]!, AGENT_SHORTCUTS[3]!, AGENT_SHORTCUTS[4]!];

/**
 * One ticket of any kind: header and SLA clocks, details, the timeline with a comment box,
 * the actions valid now, and — for incidents — known errors. It follows the ticket live:
 * a change by someone else reloads it, unless the user is mid-edit, who gets a banner instead.
 */
export function TicketPage({ number, me }: { number: string; me: Me }) {
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [loadError, setLoadError] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(() => flash.peek());
  const [form, setForm] = useState<FormName | null>(null);
  const [draft, setDraft] = useState('');
  const [stale, setStale] = useState(false);
  const [help, setHelp] = useState(false);
  const version = useRef(0);
  const editing = useRef(false);
  editing.current = form !== null || draft.trim() !== '';
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const agent = isAgent(me);

  useEffect(() => flash.clear(), []);
  useEffect(() => {
    document.title = `${number}${ticket ? ` · ${ticket.title}` : ''} · FlowDesk`;
  }, [number, ticket]);

  const show = useCallback((next: Ticket) => {
    version.current = Math.max(version.current, next.version);
    setTicket(next);
  }, []);

  const reload = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const fresh = await getTicket(number, signal);
        version.current = fresh.version;
        setTicket(fresh);
        setStale(false);
        setLoadError(null);
      } catch (e) {
        if (!signal?.aborted) setLoadError(toProblem(e));
      }
    },
    [number],
  );

  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    return () => controller.abort();
  }, [reload]);

  const live = useTicketStream(number, (announced) => {
    if (announced <= version.current) return;
    if (editing.current) setStale(true);
    else void reload();
  });

  useShortcuts(
    {
      c: () => commentRef.current?.focus(),
      Escape: () => setForm(null),
      '?': () => setHelp(true),
    },
    !help,
  );

  const scope = useMemo<TicketScope | null>(
    () =>
      ticket && {
        ticket,
        me,
        agent,
        form,
        setForm,
        reload: () => reload(),
        done: (next, message) => {
          show(next);
          setForm(null);
          setNotice(message);
        },
      },
    [ticket, me, agent, form, reload, show],
  );

  if (!scope) {
    return (
      <div className="page">
        <PageHeader eyebrow={agent ? <Link to="/console">← Console</Link> : <Link to="/portal/mine">← My requests</Link>} title={number} />
        {loadError ? <ProblemView problem={loadError} onRetry={() => void reload()} /> : <Spinner label={`Loading ${number}…`} />}
      </div>
    );
  }

  const open = !['closed', 'cancelled', 'rejected'].includes(scope.ticket.state);

  return (
    <TicketContext.Provider value={scope}>
      <div className="page page-ticket">
        <TicketHeader live={live} />
        <div aria-live="polite">{notice && <SuccessNotice>{notice}</SuccessNotice>}</div>
        {stale && (
          <div className="alert alert-info stale-banner" role="status" data-testid="stale-banner">
            <div className="alert-body">
              <p className="alert-detail">This ticket changed while you were editing — reload to see the changes. What you typed stays.</p>
            </div>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void reload()} data-testid="stale-reload">
              Reload
            </button>
          </div>
        )}
        {loadError && <ProblemView problem={loadError} onDismiss={() => setLoadError(null)} />}
        <div className="detail-grid">
          <div className="detail-main">
            <TicketDetails />
            <section className="card" aria-labelledby="timeline-heading">
              <Timeline entries={scope.ticket.timeline} />
              {open && <CommentBox draft={draft} setDraft={setDraft} textRef={commentRef} />}
            </section>
          </div>
          <aside className="detail-side" aria-label="Actions and known errors">
            <ActionPanel />
            {agent && scope.ticket.kind === 'incident' && open && <KnownErrorPanel />}
          </aside>
        </div>
        <p className="muted small keys-hint">
          {agent ? (
            <>
              <kbd>c</kbd> comment · <kbd>a</kbd> assign to me · <kbd>r</kbd> resolve · <kbd>Esc</kbd> close form · <kbd>?</kbd> shortcuts
            </>
          ) : (
            <>
              <kbd>c</kbd> comment · <kbd>?</kbd> shortcuts
            </>
          )}
        </p>
        {help && <ShortcutHelp shortcuts={agent ? AGENT_SHORTCUTS : REQUESTER_SHORTCUTS} onClose={() => setHelp(false)} />}
      </div>
    </TicketContext.Provider>
  );
}
