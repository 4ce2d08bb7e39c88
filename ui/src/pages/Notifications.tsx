import { useCallback, useEffect, useState } from 'react';
import { type Problem, toProblem } from '../api/http';
import { type AppNotification, listNotifications, markAllNotificationsRead, markNotificationRead, ticketPath } from '../api/notifications';
import { PageHeader, ProblemView, Spinner, SuccessNotice } from '../components';
import { EVENT_LABELS, notificationsChanged } from '../components/NotificationBell';
import { formatDateTime, formatRelative } from '../format';
import { Link, useLocation } from '../router';

const PAGE_SIZE = 50;

/** All my notifications, newest first, with an unread filter (?unread=true) and "mark all read". */
export function NotificationsPage() {
  const { search } = useLocation();
  const unreadOnly = search.get('unread') === 'true';
  const [items, setItems] = useState<AppNotification[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    document.title = `${unreadOnly ? 'Unread notifications' : 'Notifications'} · FlowDesk`;
  }, [unreadOnly]);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    listNotifications({ unread: unreadOnly, limit: PAGE_SIZE, signal: controller.signal })
      .then((page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
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
  }, [unreadOnly, reloads]);

  const loadMore = useCallback(async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await listNotifications({ unread: unreadOnly, limit: PAGE_SIZE, cursor: nextCursor });
      setItems((current) => [...current, ...page.items.filter((n) => !current.some((c) => c.id === n.id))]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, unreadOnly]);

  async function markRead(item: AppNotification) {
    try {
      const read = await markNotificationRead(item.id);
      // In the unread view a read notification stays until the next reload, so the list does not jump.
      setItems((current) => current.map((n) => (n.id === read.id ? read : n)));
      notificationsChanged();
    } catch (e) {
      setError(toProblem(e));
    }
  }

  async function markAll() {
    try {
      const updated = await markAllNotificationsRead();
      const now = new Date().toISOString();
      setItems((current) => current.map((n) => (n.readAt ? n : { ...n, readAt: now })));
      setNotice(updated === 1 ? '1 notification marked read.' : `${updated} notifications marked read.`);
      notificationsChanged();
    } catch (e) {
      setError(toProblem(e));
    }
  }

  const anyUnread = items.some((n) => !n.readAt);
  const now = Date.now();

  return (
    <div className="page">
      <PageHeader
        title="Notifications"
        subtitle="What happened on tickets you opened, work on, watch or must approve. Newest first."
        actions={
          <>
            <button type="button" className="btn btn-ghost" onClick={() => setReloads((n) => n + 1)} disabled={loading}>
              Refresh
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => void markAll()} disabled={loading || !anyUnread} data-testid="read-all">
              Mark all read
            </button>
          </>
        }
      />

      <nav className="filters" aria-label="Filter notifications">
        <Link to="/notifications" className="filter" aria-current={unreadOnly ? undefined : 'page'} data-testid="filter-all">
          All
        </Link>
        <Link to="/notifications?unread=true" className="filter" aria-current={unreadOnly ? 'page' : undefined} data-testid="filter-unread">
          Unread
        </Link>
      </nav>

      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {error && <ProblemView problem={error} onDismiss={() => setError(null)} />}

      <div className="card table-card">
        {loading ? (
          <Spinner label="Loading notifications…" />
        ) : items.length === 0 && !error ? (
          <div className="empty">
            <p className="empty-title">{unreadOnly ? 'All caught up' : 'No notifications yet'}</p>
            <p className="muted">{unreadOnly ? 'Nothing unread.' : 'You will hear here about tickets you opened, work on or watch.'}</p>
          </div>
        ) : (
          <ul className="notification-list" data-testid="notification-list">
            {items.map((item) => (
              <li key={item.id} className={`notification-row${item.readAt ? '' : ' unread'}`} data-testid="notification-row" data-id={item.id}>
                <span className="notification-dot" aria-label={item.readAt ? undefined : 'Unread'} />
                <div className="notification-body">
                  <Link to={ticketPath(item.ticket)} className="notification-text" onClick={() => !item.readAt && void markRead(item)}>
                    {item.text}
                  </Link>
                  <span className="muted small">
                    {EVENT_LABELS[item.type] ?? item.type} · {item.ticket} · {item.title} ·{' '}
                    <time dateTime={item.at} title={formatDateTime(item.at)}>
                      {formatRelative(item.at, now)}
                    </time>
                  </span>
                </div>
                {!item.readAt && (
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => void markRead(item)} data-testid="mark-read">
                    Mark read
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>

      {!loading && (items.length > 0 || nextCursor) && (
        <div className="list-foot">
          <span className="muted">
            Showing {items.length} notification{items.length === 1 ? '' : 's'}
            {nextCursor ? '' : ' · end of list'}
          </span>
          {nextCursor && (
            <button type="button" className="btn btn-secondary" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
