import { type Connection, Schema } from 'mongoose';
import type { TicketEventType } from '../domain/notification/event';
import type { Channel } from '../domain/notification/subscriptions';

/**
 * The outcome of one notification delivery, delivered or failed for good: the evidence
 * of who was told what, and why someone was not. `_id` is the delivery id.
 */
export interface DeliveryDocument {
  _id: string;
  /** The ticket event's id. */
  event: string;
  type: TicketEventType;
  ticket: string;
  channel: Channel;
  /** A user name, or the webhook's name. */
  recipient: string;
  state: 'delivered' | 'failed';
  attempts: number;
  /** The last error of a failed delivery. */
  error: string | null;
  at: string;
}

const schema = new Schema<DeliveryDocument>(
  {
    _id: String,
    event: { type: String, required: true },
    type: { type: String, required: true },
    ticket: { type: String, required: true },
    channel: { type: String, required: true },
    recipient: { type: String, required: true },
    state: { type: String, required: true },
    attempts: { type: Number, required: true },
    error: { type: String, default: null },
    at: { type: String, required: true },
  },
  { collection: 'notification_deliveries', versionKey: false },
);
schema.index({ ticket: 1, at: -1, _id: -1 });

export function deliveryModel(db: Connection) {
  return db.models.NotificationDelivery ?? db.model<DeliveryDocument>('NotificationDelivery', schema);
}

/** Stores the outcome; idempotent, so a retried record writes the same document. */
export async function saveDelivery(db: Connection, delivery: DeliveryDocument): Promise<void> {
  const { _id, ...fields } = delivery;
  await deliveryModel(db).updateOne({ _id }, { $set: fields }, { upsert: true }).exec();
}

export interface DeliveryPosition {
  at: string;
  id: string;
}

/** A ticket's deliveries, newest first. */
export async function listDeliveries(db: Connection, ticket: string, { limit, after }: { limit: number; after?: DeliveryPosition }): Promise<DeliveryDocument[]> {
  const filter = { ticket, ...(after && { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] }) };
  return deliveryModel(db).find(filter).sort({ at: -1, _id: -1 }).limit(limit).lean<DeliveryDocument[]>().exec();
}
