import type { Connection } from 'mongoose';
import { z } from 'zod';
import { type DeliveryDocument, listDeliveries } from '../../store/deliveries';
import { listNotifications, markAllRead, markRead, type NotificationDocument, unreadCount } from '../../store/notifications';
import { InputError, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import {
  deliveryPage,
  listDeliveriesQuery,
  listNotificationsQuery,
  notification,
  notificationId,
  notificationPage,
  readAllResult,
  unreadCount as unreadCountSchema,
} from '../schemas/notification';

/** The caller's own in-app notifications, and the delivery records agents look at. */
export function notificationRoutes({ db }: { db: Connection }): AnyRoute[] {
  const list = defineRoute({
    method: 'get',
    path: '/me/notifications',
    operationId: 'listMyNotifications',
    summary: 'My notifications, newest first, with cursor pagination',
    tag: 'notifications',
    permission: 'authenticated',
    query: listNotificationsQuery,
    responses: { 200: { description: 'A page of notifications', schema: notificationPage } },
    async handler({ query, req, res }) {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const docs = await listNotifications(db, req.principal!.username, { unread: query.unread === 'true', limit: query.limit + 1, after });
      const page = docs.slice(0, query.limit);
      const last = page[page.length - 1];
      res.json({ items: page.map(shown), nextCursor: docs.length > query.limit && last ? encodeCursor(last) : null });
    },
  });

  const count = defineRoute({
    method: 'get',
    path: '/me/notifications/unread-count',
    operationId: 'countMyUnreadNotifications',
    summary: 'How many of my notifications are unread (the bell polls this)',
    tag: 'notifications',
    permission: 'authenticated',
    responses: { 200: { description: 'The unread count', schema: unreadCountSchema } },
    async handler({ req, res }) {
      res.json({ unread: await unreadCount(db, req.principal!.username) });
    },
  });

  const read = defineRoute({
    method: 'post',
    path: '/me/notifications/:id/read',
    operationId: 'readMyNotification',
    summary: 'Mark one of my notifications read (reading it again keeps the first time)',
    tag: 'notifications',
    permission: 'authenticated',
    params: z.strictObject({ id: notificationId }),
    responses: { 200: { description: 'The notification, read', schema: notification } },
    async handler({ params, req, res }) {
      const found = await markRead(db, req.principal!.username, params.id);
      // Someone else's notification answers exactly like a missing one.
      if (!found) throw new NotFoundError(`you have no notification ${params.id}`);
      res.json(shown(found));
    },
  });

  const readAll = defineRoute({
    method: 'post',
    path: '/me/notifications/read-all',
    operationId: 'readAllMyNotifications',
    summary: 'Mark all my notifications read',
    tag: 'notifications',
    permission: 'authenticated',
    responses: { 200: { description: 'How many were unread', schema: readAllResult } },
    async handler({ req, res }) {
      res.json({ updated: await markAllRead(db, req.principal!.username) });
    },
  });

  const deliveries = defineRoute({
    method: 'get',
    path: '/notification-deliveries',
    operationId: 'listNotificationDeliveries',
    summary: "A ticket's notification deliveries, newest first: who was told, over which channel, and what failed",
    tag: 'notifications',
    permission: 'ticket.act',
    query: listDeliveriesQuery,
    responses: { 200: { description: 'A page of delivery records', schema: deliveryPage } },
    async handler({ query, res }) {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const docs = await listDeliveries(db, query.ticket, { limit: query.limit + 1, after });
      const page = docs.slice(0, query.limit);
      const last = page[page.length - 1];
      res.json({ items: page.map(deliveryShown), nextCursor: docs.length > query.limit && last ? encodeCursor(last) : null });
    },
  });

  return [list, count, readAll, read, deliveries];
}

function shown({ _id, user: _user, ...rest }: NotificationDocument) {
  return { id: _id, ...rest };
}

function deliveryShown({ _id, ...rest }: DeliveryDocument) {
  return { id: _id, ...rest };
}

/** Both lists page by (at, id), newest first: the cursor is the last item of the page. */
function encodeCursor({ _id, at }: { _id: string; at: string }): string {
  return Buffer.from(JSON.stringify({ at, id: _id })).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { at?: unknown; id?: unknown };
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // fall through
  }
  throw new InputError('cursor is not one this API returned; use nextCursor from a previous page', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}
