/**
 * The bell: my unread count, polled every 30 s and whenever the window regains focus,
 * and a dropdown with the latest notifications that marks them read and leads to their
 * tickets. Other views announce changes (e.g. "mark all read") with notificationsChanged().
 */
import '../notifications.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type Problem, toProblem } from '../api/http';
import { type AppNotification, listNotifications, markAllNotificationsRead, markNotificationRead, type TicketEventType, ticketPath, unreadNotificationCount } from '../api/notifications';
import { formatDateTime, formatRelative } from '../format';
import { Link, navigate } from '../router';
import { useDismiss } from '../useDismiss';

const POLL_MS = 30_000;
const LATEST = 8;
const CHANGED = 'flowdesk:notifications';

/** Tells every bell to re-read the count (after marking notifications read elsewhere). */
export function notificationsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

export const EVENT_LABELS: Record<TicketEventType, string> = {
  created: 'New ticket',
  assigned: 'Assigned',
  commented: 'Comment',
  state_changed: 'State changed',
  resolved: 'Resolved',
  sla_warning: 'SLA at risk',
  sla_breach: 'SLA breached',
  approval_requested: 'Approval needed',
  approval_decided: 'Approval decided',
};

export function NotificationBell() {
  const [unread, setUnread] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<AppNotification[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);

  const refreshCount = useCallback(async () => {
    try {
      setUnread(await unreadNotificationCount());
    } catch {
      // The badge keeps its last value; the next poll tries again (a 401 signs the user out).
    }
  }, []);

  useEffect(() => {
    void refreshCount();
    const timer = window.setInterval(() => {
      if (!document.hidden) void refreshCount();
    }, POLL_MS);
    const onFocus = () => void refreshCount();
    window.addEventListener('focus', onFocus);
    window.addEventListener(CHANGED, onFocus);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      window.removeEventListener(CHANGED, onFocus);
    };
  }, [refreshCount]);

  const loadLatest = useCallback(async () => {
    setProblem(null);
    try {
      setItems((await listNotifications({ limit: LATEST })).items);
    } catch (error) {
      setProblem(toProblem(error));
    }
  }, []);

  useEffect(() => {
    if (open) void loadLatest();
  }, [open, loadLatest]);

  useDismiss(open, close, ref, buttonRef);

  async function markRead(item: AppNotification) {
    if (item.readAt) return;
    try {
      const read = await markNotificationRead(item.id);
      setItems((current) => current?.map((n) => (n.id === read.id ? read : n)) ?? null);
      setUnread((count) => (count === null ? count : Math.max(0, count - 1)));
    } catch (error) {
      setProblem(toProblem(error));
    }
  }

  async function markAll() {
    try {
      await markAllNotificationsRead();
      const now = new Date().toISOString();
      setItems((current) => current?.map((n) => (n.readAt ? n : { ...n, readAt: now })) ?? null);
      setUnread(0);
      notificationsChanged();
    } catch (error) {
      setProblem(toProblem(error));
    }
  }

  function openTicket(item: AppNotification) {
    void markRead(item);
    setOpen(false);
    navigate(ticketPath(item.ticket));
  }

  const label = unread ? `Notifications, ${unread} unread` : 'Notifications';
  const now = Date.now();

  return (
    <div className="bell" ref={ref} data-testid="notification-bell">
      <button
        type="button"
        ref={buttonRef}
        className="bell-button"
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? 'bell-pop' : undefined}
        onClick={() => setOpen((o) => !o)}
        data-testid="bell-button"
      >
        <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unread ? (
          <span className="bell-count" data-testid="bell-count">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      {open && (
        <div className="bell-pop" id="bell-pop" role="dialog" aria-label="Notifications">
          <div className="bell-head">
            <span className="strong">Notifications</span>
            <button type="button" className="link-button" onClick={() => void markAll()} disabled={!unread} data-testid="bell-read-all">
              Mark all read
            </button>
          </div>
          {problem && <p className="bell-problem" role="alert">{problem.detail}</p>}
          {items === null && !problem ? (
            <p className="bell-empty muted">Loading…</p>
          ) : items && items.length === 0 ? (
            <p className="bell-empty muted">Nothing yet. You will hear here about tickets you opened, work on or watch.</p>
          ) : (
            <ul className="bell-list">
              {items?.map((item) => (
                <li key={item.id} className={`bell-item${item.readAt ? '' : ' unread'}`} data-testid="bell-item" data-id={item.id}>
                  <a
                    href={ticketPath(item.ticket)}
                    className="bell-link"
                    onClick={(event) => {
                      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
                      event.preventDefault();
                      openTicket(item);
                    }}
                  >
                    <span className="bell-meta">
                      {EVENT_LABELS[item.type] ?? item.type} · {item.ticket} ·{' '}
                      <time dateTime={item.at} title={formatDateTime(item.at)}>
                        {formatRelative(item.at, now)}
                      </time>
                    </span>
                    <span className="bell-text">{item.text}</span>
                  </a>
                  {!item.readAt && (
                    <button type="button" className="bell-mark" onClick={() => void markRead(item)} aria-label={`Mark read: ${item.text}`} title="Mark read" data-testid="bell-mark-read">
                      <span className="dot" aria-hidden="true" />
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          <div className="bell-foot">
            <Link to="/notifications" onClick={() => setOpen(false)} data-testid="bell-see-all">
              See all notifications
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
