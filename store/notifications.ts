import { type Connection, Schema } from 'mongoose';
import type { TicketEventType } from '../domain/notification/event';

/**
 * An in-app notification: one per user per event. `_id` is the delivery id
 * (`<event id>/in_app/<user>`), so a retried delivery finds the one it already wrote.
 */
export interface NotificationDocument {
  _id: string;
  user: string;
  type: TicketEventType;
  ticket: string;
  /** The ticket's title when the event happened. */
  title: string;
  /** The rendered subject of the event's template. */
  text: string;
  at: string;
  readAt: string | null;
}

const schema = new Schema<NotificationDocument>(
  {
    _id: String,
    user: { type: String, required: true },
    type: { type: String, required: true },
    ticket: { type: String, required: true },
    title: { type: String, required: true },
    text: { type: String, required: true },
    at: { type: String, required: true },
    readAt: { type: String, default: null },
  },
  { collection: 'notifications', versionKey: false },
);
// The bell and the list: a user's notifications newest first, and the unread ones.
schema.index({ user: 1, at: -1, _id: -1 });
schema.index({ user: 1, readAt: 1 });

export function notificationModel(db: Connection) {
  return db.models.Notification ?? db.model<NotificationDocument>('Notification', schema);
}

const DUPLICATE_KEY = 11000;

/** Writes the notification unless it exists: a retry never resets `readAt`. */
export async function insertNotification(db: Connection, notification: Omit<NotificationDocument, 'readAt'>): Promise<void> {
  // An insert rather than an upsert with $setOnInsert, which FerretDB 1.24 stores without its null fields.
  try {
    await notificationModel(db).create({ ...notification, readAt: null });
  } catch (error) {
    if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
  }
}

/** A position in a user's list: the last notification of the previous page. */
export interface NotificationPosition {
  at: string;
  id: string;
}

export async function listNotifications(
  db: Connection,
  user: string,
  { unread, limit, after }: { unread: boolean; limit: number; after?: NotificationPosition },
): Promise<NotificationDocument[]> {
  const filter = {
    user,
    ...(unread && { readAt: null }),
    ...(after && { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] }),
  };
  return notificationModel(db).find(filter).sort({ at: -1, _id: -1 }).limit(limit).lean<NotificationDocument[]>().exec();
}

export async function unreadCount(db: Connection, user: string): Promise<number> {
  return notificationModel(db).countDocuments({ user, readAt: null }).exec();
}

/** Marks one of `user`'s notifications read (keeping the first time); null if they have no such notification. */
export async function markRead(db: Connection, user: string, id: string, at = new Date().toISOString()): Promise<NotificationDocument | null> {
  const notifications = notificationModel(db);
  await notifications.updateOne({ _id: id, user, readAt: null }, { $set: { readAt: at } }).exec();
  return notifications.findOne({ _id: id, user }).lean<NotificationDocument>().exec();
}

/** Marks all of `user`'s unread notifications read; returns how many changed. */
export async function markAllRead(db: Connection, user: string, at = new Date().toISOString()): Promise<number> {
  const result = await notificationModel(db).updateMany({ user, readAt: null }, { $set: { readAt: at } }).exec();
  return result.modifiedCount;
}
