import { useCallback, useEffect, useRef, useState } from 'react';
import { listTickets, type Me, type Problem, type Ticket, type TicketFilters, toProblem } from '../../api';
import { ticketPath } from '../../api/notifications';
import { PageHeader, ProblemView, Spinner } from '../../components';
import { ShortcutHelp } from '../../components/ShortcutHelp';
import { usePendingApprovalCount } from '../../pendingApprovals';
import { Link, navigate, useLocation } from '../../router';
import { useShortcuts } from '../../useShortcuts';
import { type BulkAction, type RowResult, runBulk } from './bulk';
import { BulkBar } from './BulkBar';
import { BulkResults } from './BulkResults';
import { ConsoleFilters } from './ConsoleFilters';
import { ConsoleTabs } from './ConsoleTabs';
import { consolePath, parseConsoleQuery, QUEUE_TABS, queueLabel } from './queues';
import { useSavedViews } from './savedViews';
import { TicketTable } from './TicketTable';
import '../../console.css';

const PAGE_SIZE = 50;

const SHORTCUTS = [
  { keys: ['j'], does: 'Next ticket' },
  { keys: ['k'], does: 'Previous ticket' },
  { keys: ['x'], does: 'Select or unselect the ticket' },
  { keys: ['Enter'], does: 'Open the ticket' },
  { keys: ['/'], does: 'Search' },
  { keys: ['?'], does: 'Show these shortcuts' },
];

/** The agent's console: queues, filters, saved views, bulk actions, all by keyboard too. */
export function ConsolePage({ me }: { me: Me }) {
  const { search } = useLocation();
  const query = parseConsoleQuery(search);
  const queryKey = consolePath(query);
  const [items, setItems] = useState<Ticket[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [reloads, setReloads] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<Map<string, RowResult>>(new Map());
  const [running, setRunning] = useState(false);
  const [active, setActive] = useState(0);
  const [moves, setMoves] = useState(0);
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const { views, add, remove } = useSavedViews(me.user.username);
  const approvals = usePendingApprovalCount();

  useEffect(() => {
    document.title = `${queueLabel(query.queue)} · Console · FlowDesk`;
  }, [query.queue]);

  useEffect(() => {
    const controller = new AbortController();
    const { queue, filters } = parseConsoleQuery(new URL(queryKey, window.location.origin).searchParams);
    setLoading(true);
    setError(null);
    setSelected(new Set());
    listTickets(queue, filters, { limit: PAGE_SIZE, signal: controller.signal })
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setActive(0);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setItems([]);
        setNextCursor(null);
        setError(toProblem(e));
        setLoading(false);
      });
    return () => controller.abort();
  }, [queryKey, reloads]);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await listTickets(query.queue, query.filters, { limit: PAGE_SIZE, cursor: nextCursor });
      setItems((current) => [...current, ...page.items.filter((t) => !current.some((c) => c.number === t.number))]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setLoadingMore(false);
    }
  }

  const setFilters = useCallback((filters: TicketFilters) => navigate(consolePath({ queue: query.queue, filters }), { replace: true }), [query.queue]);

  const toggle = (number: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(number)) next.add(number);
      return next;
    });

  async function runAction(action: BulkAction) {
    const targets = items.filter((t) => selected.has(t.number));
    setRunning(true);
    await runBulk(targets, action, (number, result, updated) => {
      setResults((current) => new Map(current).set(number, result));
      if (updated) {
        setItems((current) => current.map((t) => (t.number === number ? updated : t)));
        // Done rows leave the selection; failed ones stay selected, ready for another try.
        setSelected((current) => {
          const next = new Set(current);
          next.delete(number);
          return next;
        });
      }
    });
    setRunning(false);
  }

  const activeTicket = items[active];
  useShortcuts(
    {
      j: () => {
        setActive((i) => Math.min(i + 1, items.length - 1));
        setMoves((n) => n + 1);
      },
      k: () => {
        setActive((i) => Math.max(i - 1, 0));
        setMoves((n) => n + 1);
      },
      x: () => activeTicket && toggle(activeTicket.number),
      Enter: () => activeTicket && navigate(ticketPath(activeTicket.number)),
      '/': () => searchRef.current?.focus(),
      '?': () => setHelp(true),
    },
    !help,
  );

  const tab = QUEUE_TABS.find((t) => t.queue === query.queue);
  const selectedTickets = items.filter((t) => selected.has(t.number));
  const filtered = Object.values(query.filters).some(Boolean);

  return (
    <div className="page page-console">
      <PageHeader
        title="Console"
        subtitle={`${tab?.label ?? query.queue} · ${tab?.sort ?? ''}`}
        actions={
          <>
            <button type="button" className="btn btn-ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?" data-testid="shortcut-button">
              Shortcuts <kbd>?</kbd>
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setReloads((n) => n + 1)} disabled={loading}>
              Refresh
            </button>
            <Link to="/tickets/new?kind=incident" className="btn btn-primary">
              New incident
            </Link>
          </>
        }
      />

      <ConsoleTabs query={query} views={views} approvals={approvals} onSave={(name) => add(name, query)} onDelete={(view) => remove(view.id)} />
      <ConsoleFilters filters={query.filters} onChange={setFilters} searchRef={searchRef} />

      {selectedTickets.length > 0 && <BulkBar me={me} selected={selectedTickets} running={running} onRun={(action) => void runAction(action)} onClear={() => setSelected(new Set())} />}
      {results.size > 0 && <BulkResults results={results} running={running} onDismiss={() => setResults(new Map())} />}
      {error && <ProblemView problem={error} onDismiss={() => setError(null)} />}

      <div className="card table-card">
        {loading ? (
          <Spinner label="Loading tickets…" />
        ) : items.length === 0 && !error ? (
          <div className="empty" data-testid="console-empty">
            <p className="empty-title">{filtered ? 'Nothing matches these filters' : 'This queue is empty'}</p>
            <p className="muted">{filtered ? 'Loosen a filter or clear them.' : 'Nothing waits here right now.'}</p>
          </div>
        ) : (
          <TicketTable items={items} selected={selected} results={results} active={active} moves={moves} onToggle={toggle} onToggleAll={() => setSelected((current) => (items.every((t) => current.has(t.number)) ? new Set() : new Set(items.map((t) => t.number))))} onActivate={setActive} />
        )}
      </div>

      <div className="list-foot">
        <span className="muted small" id="console-keys-hint">
          {!loading && `${items.length} ticket${items.length === 1 ? '' : 's'}${nextCursor ? '' : ' · end of list'} · `}
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · <kbd>Enter</kbd> open · <kbd>/</kbd> search · <kbd>?</kbd> all shortcuts
        </span>
        {nextCursor && !loading && (
          <button type="button" className="btn btn-secondary" onClick={() => void loadMore()} disabled={loadingMore} data-testid="load-more">
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
      {help && <ShortcutHelp shortcuts={SHORTCUTS} onClose={() => setHelp(false)} />}
    </div>
  );
}
