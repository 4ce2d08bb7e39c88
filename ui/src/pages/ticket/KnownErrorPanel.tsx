import { useEffect, useState } from 'react';
import { type Problem, type ProblemTicketView, searchKnownErrors, toProblem } from '../../api';
import { ErrorAlert } from '../../components';
import { offered } from '../../ticketActions';
import { ActionProblem, useAct } from './actionKit';
import { TicketLink } from './TicketDetails';
import { useTicketScope } from './ticketContext';

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'not', 'does', 'doesn', 'cannot', 'can', 'from', 'when', 'after', 'every', 'since', 'this', 'that', 'are', 'was', 'has', 'have', 'our', 'all', 'any', 'out', 'into', 'very', 'again', 'error', 'issue', 'problem', 'broken']);
const SEARCH_DELAY_MS = 300;

/** The title's telling words: the known-error search wants every word to match, so fewer is better. */
function significantWords(title: string): string[] {
  const words = title.toLowerCase().split(/[^\p{L}\p{N}-]+/u).filter((w) => w.length >= 3 && !STOP_WORDS.has(w));
  return [...new Set(words)].slice(0, 3);
}

/** Known errors that may explain the incident: root cause, workaround, and linking to the problem. */
export function KnownErrorPanel() {
  const { ticket, me } = useTicketScope();
  const [q, setQ] = useState(() => significantWords(ticket.title).join(' '));
  const [items, setItems] = useState<ProblemTicketView[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const link = useAct();
  const linked = ticket.kind === 'incident' ? ticket.problem : null;
  const canLink = offered(me, ticket, 'link_problem');

  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      searchKnownErrors(q, controller.signal)
        .then((page) => {
          setItems(page.items);
          setError(null);
        })
        .catch((e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    }, SEARCH_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const words = q.split(/\s+/).filter(Boolean);

  return (
    <section className="card known-errors" aria-labelledby="known-errors-heading" data-testid="known-errors">
      <h2 id="known-errors-heading" className="card-title">
        Known errors
      </h2>
      <label htmlFor="known-error-search" className="sr-only">
        Search known errors
      </label>
      <input id="known-error-search" type="search" className="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Words in the cause or workaround" data-testid="known-error-search" />
      {error && <ErrorAlert problem={error} />}
      <ActionProblem problem={link.problem} onDismiss={link.dismiss} />
      {items && items.length === 0 && (
        <div className="muted small known-error-empty">
          <p>No known error matches {words.length > 1 ? 'all of these words' : 'this'}.</p>
          {words.length > 1 && (
            <p>
              Try one:{' '}
              {words.map((w) => (
                <button key={w} type="button" className="link-button" onClick={() => setQ(w)}>
                  {w}
                </button>
              ))}
            </p>
          )}
        </div>
      )}
      <ul className="known-error-list" aria-live="polite">
        {items?.map((ke) => (
          <li key={ke.number} className="known-error" data-testid="known-error" data-number={ke.number}>
            <p className="known-error-title">
              <TicketLink number={ke.number} /> {ke.title}
            </p>
            <p className="small">
              <span className="strong">Root cause:</span> {ke.rootCause}
            </p>
            <p className="small known-error-workaround">
              <span className="strong">Workaround:</span> {ke.workaround}
            </p>
            {linked === ke.number ? (
              <span className="small strong">Linked ✓</span>
            ) : (
              canLink && (
                <button type="button" className="btn btn-secondary btn-sm" disabled={link.busy !== null} onClick={() => void link.run('link_problem', { problem: ke.number }, `Linked to ${ke.number}.`)} data-testid="link-known-error">
                  Link to this problem
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
