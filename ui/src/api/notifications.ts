import { request } from './http';

// Event types come from the domain the server runs, so the labels cannot drift.
import type { TicketEventType } from '../../../domain/notification/event';

export { TICKET_EVENT_TYPES } from '../../../domain/notification/event';
export type { TicketEventType } from '../../../domain/notification/event';

/** One of my in-app notifications. The id contains slashes: it is URL-encoded in paths. */
export interface AppNotification {
  id: string;
  type: TicketEventType;
  ticket: string;
  title: string;
  text: string;
  at: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: AppNotification[];
  nextCursor: string | null;
}

export function listNotifications({ unread = false, limit = 50, cursor, signal }: { unread?: boolean; limit?: number; cursor?: string | null; signal?: AbortSignal } = {}): Promise<NotificationPage> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (unread) query.set('unread', 'true');
  if (cursor) query.set('cursor', cursor);
  return request<NotificationPage>('GET', `/me/notifications?${query}`, { signal });
}

export async function unreadNotificationCount(signal?: AbortSignal): Promise<number> {
  return (await request<{ unread: number }>('GET', '/me/notifications/unread-count', { signal })).unread;
}

export function markNotificationRead(id: string): Promise<AppNotification> {
  return request<AppNotification>('POST', `/me/notifications/${encodeURIComponent(id)}/read`);
}

/** Resolves with how many were unread. */
export async function markAllNotificationsRead(): Promise<number> {
  return (await request<{ updated: number }>('POST', '/me/notifications/read-all')).updated;
}

/** Where a notification leads: its ticket. */
export function ticketPath(number: string): string {
  return `/tickets/${encodeURIComponent(number)}`;
}

/** A delivery record, as agents see them on a ticket. */
export interface NotificationDelivery {
  id: string;
  event: string;
  type: TicketEventType;
  ticket: string;
  channel: 'in_app' | 'email' | 'webhook';
  recipient: string;
  state: 'delivered' | 'failed';
  attempts: number;
  error: string | null;
  at: string;
}

export function listNotificationDeliveries(ticket: string, { limit = 100, cursor, signal }: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {}): Promise<{ items: NotificationDelivery[]; nextCursor: string | null }> {
  const query = new URLSearchParams({ ticket, limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return request('GET', `/notification-deliveries?${query}`, { signal });
}
