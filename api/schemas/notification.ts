import { z } from 'zod';
import { TICKET_EVENT_TYPES } from '../../domain/notification/event';

const ticketNumber = z
  .string()
  .regex(/^(INC|REQ|CHG|PRB)\d{7,}$/, 'must be a ticket number like INC0000001')
  .meta({ example: 'INC0000001' });

/** A notification id is its delivery id: `<ticket>/<version>/<event type>[/…]/in_app/<user>`, URL-encoded in paths. */
export const notificationId = z
  .string()
  .max(400, 'is too long to be a notification id')
  .regex(/^(INC|REQ|CHG|PRB)\d{7,}(\/[^/\s]+)+\/in_app\/[^/\s]+$/, 'is not a notification id (ids look like INC0000001/3/assigned/in_app/dave)')
  .meta({ description: 'The notification id, URL-encoded (it contains slashes)', example: 'INC0000001/3/assigned/in_app/dave' });

export const notification = z
  .object({
    id: notificationId,
    type: z.enum(TICKET_EVENT_TYPES),
    ticket: ticketNumber,
    title: z.string().meta({ description: "The ticket's title when it happened" }),
    text: z.string().meta({ description: 'What happened, in one line' }),
    at: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notification' });

const nextCursor = z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' });
const page = { limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(300).optional() };

export const notificationPage = z.object({ items: z.array(notification), nextCursor }).meta({ id: 'NotificationPage' });

export const listNotificationsQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().meta({ description: 'true: only unread notifications' }),
  ...page,
});

export const unreadCount = z.object({ unread: z.number().int().min(0) }).meta({ id: 'UnreadCount' });

export const readAllResult = z.object({ updated: z.number().int().min(0).meta({ description: 'How many were unread' }) });

export const delivery = z
  .object({
    id: z.string(),
    event: z.string().meta({ description: 'The ticket event id' }),
    type: z.enum(TICKET_EVENT_TYPES),
    ticket: ticketNumber,
    channel: z.enum(['in_app', 'email', 'webhook']),
    recipient: z.string().meta({ description: "A user name, or the webhook's name" }),
    state: z.enum(['delivered', 'failed']),
    attempts: z.number().int().min(1),
    error: z.string().nullable().meta({ description: 'The last error of a failed delivery' }),
    at: z.iso.datetime(),
  })
  .meta({ id: 'NotificationDelivery' });

export const deliveryPage = z.object({ items: z.array(delivery), nextCursor }).meta({ id: 'NotificationDeliveryPage' });

export const listDeliveriesQuery = z.strictObject({ ticket: ticketNumber, ...page });
