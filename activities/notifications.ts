import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import type { TicketEvent } from '../domain/notification/event';
import { deliveriesFor, type Delivery, type Directory, type DirectoryUser, peopleOf } from '../domain/notification/subscriptions';
import { webhookPayload } from '../domain/notification/webhookFormats';
import type { Webhook } from '../runtime/catalog/webhooks';
import { type DeliveryDocument, saveDelivery } from '../store/deliveries';
import { groupModel, type GroupDocument } from '../store/groups';
import { insertNotification } from '../store/notifications';
import { userModel, type UserDocument } from '../store/users';
import { createMailer, type SmtpSettings } from './notify';
import { loadTemplates, UnknownTemplate } from './templates';
import { postWebhook } from './webhook';

/** How the worker reaches people: mail server, webhooks, and the address links point to. */
export interface NotificationSettings {
  /** null: email is disabled and no email deliveries are planned. */
  smtp: SmtpSettings | null;
  webhooks: Webhook[];
  /** FLOWDESK_PUBLIC_URL: links in messages are `<publicUrl>/tickets/<number>`. */
  publicUrl: string;
  /** Default: catalog/templates. */
  templatesDir?: string;
}

/** What the notification workflow records per delivery. */
export interface DeliveryOutcome {
  delivery: Pick<Delivery, 'id' | 'channel' | 'recipient'> & { event: Pick<TicketEvent, 'id' | 'type'> & { ticket: Pick<TicketEvent['ticket'], 'number'> } };
  state: 'delivered' | 'failed';
  attempts: number;
  error: string | null;
  at: string;
}

/** Thrown to the workflow with each failure, so it can record how many attempts were made. */
export interface AttemptDetail {
  attempt: number;
}

export function createNotificationActivities(db: Connection, settings: NotificationSettings) {
  const render = loadTemplates(settings.templatesDir);
  const mailer = settings.smtp && createMailer({ smtp: settings.smtp, render });
  const webhooks = new Map(settings.webhooks.map((webhook) => [webhook.name, webhook]));
  const baseUrl = settings.publicUrl.replace(/\/+$/, '');

  const contextOf = (event: TicketEvent, recipient?: { username: string; name: string }) => ({
    event,
    ticket: event.ticket,
    actor: event.actor,
    detail: event.detail,
    url: `${baseUrl}/tickets/${encodeURIComponent(event.ticket.number)}`,
    ...(recipient && { recipient }),
  });

  /** The subject line of an event; an unknown template is a permanent failure. */
  const subjectOf = (delivery: Delivery, recipient?: { username: string; name: string }) => {
    try {
      return render(delivery.event.type, contextOf(delivery.event, recipient)).subject;
    } catch (error) {
      if (error instanceof UnknownTemplate) throw ApplicationFailure.nonRetryable(error.message, 'UnknownTemplate');
      throw error;
    }
  };

  async function send(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    switch (delivery.channel) {
      case 'in_app':
        await insertNotification(db, {
          _id: delivery.id,
          user: delivery.recipient,
          type: event.type,
          ticket: event.ticket.number,
          title: event.ticket.title,
          text: subjectOf(delivery, { username: delivery.recipient, name: delivery.name }),
          at: event.at,
        });
        return;
      case 'email': {
        if (!mailer) throw ApplicationFailure.nonRetryable('email is disabled on this worker (FLOWDESK_SMTP_URL is not set)', 'ChannelDisabled');
        const recipient = { username: delivery.recipient, name: delivery.name };
        await mailer.sendEmail({ deliveryId: delivery.id, event: event.type, to: delivery.address, context: contextOf(event, recipient) });
        return;
      }
      case 'webhook': {
        const webhook = webhooks.get(delivery.recipient);
        // The configuration changed between planning and delivery (a worker restarted without it).
        if (!webhook) throw ApplicationFailure.nonRetryable(`webhook '${delivery.recipient}' is not configured on this worker`, 'ChannelDisabled');
        const { url } = contextOf(event);
        const payload = webhookPayload(webhook.format, { event, subject: subjectOf(delivery), url });
        await postWebhook(webhook, { deliveryId: delivery.id, eventType: event.type, payload });
        return;
      }
    }
  }

  return {
    /** Who hears about the event, over which channels: reads the people and the group it names. */
    async planDeliveries(event: TicketEvent): Promise<Delivery[]> {
      return deliveriesFor(event, await directoryFor(db, event), { email: mailer !== null, webhooks: [...webhooks.values()] });
    },

    /** Sends one delivery; retried by the workflow's policy. Resolves with the attempt that succeeded. */
    async deliver(delivery: Delivery): Promise<{ attempts: number }> {
      const attempt = currentAttempt();
      try {
        await send(delivery);
      } catch (error) {
        throw withAttempt(error, attempt);
      }
      return { attempts: attempt };
    },

    async recordDelivery({ delivery, state, attempts, error, at }: DeliveryOutcome): Promise<void> {
      const record: DeliveryDocument = {
        _id: delivery.id,
        event: delivery.event.id,
        type: delivery.event.type,
        ticket: delivery.event.ticket.number,
        channel: delivery.channel,
        recipient: delivery.recipient,
        state,
        attempts,
        error,
        at,
      };
      await saveDelivery(db, record);
    },
  };
}

/** The directory the subscription rules need: the ticket's group and every person the event may reach. */
async function directoryFor(db: Connection, event: TicketEvent): Promise<Directory> {
  const groupName = event.ticket.assignmentGroup;
  const groupDoc = groupName ? await groupModel(db).findById(groupName).lean<GroupDocument>().exec() : null;
  const group = groupDoc ? { name: groupDoc._id, members: groupDoc.members, manager: groupDoc.manager } : null;
  const docs = await userModel(db)
    .find({ _id: { $in: peopleOf(event, group) } }, { displayName: 1, email: 1, active: 1 })
    .lean<Pick<UserDocument, '_id' | 'displayName' | 'email' | 'active'>[]>()
    .exec();
  const users: Record<string, DirectoryUser> = {};
  for (const doc of docs) users[doc._id] = { username: doc._id, displayName: doc.displayName, email: doc.email ?? null, active: doc.active !== false };
  return { users, group };
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (a test calling the function directly)
  }
}

/** The same failure, carrying the attempt number, so the workflow can record it. */
function withAttempt(error: unknown, attempt: number): ApplicationFailure {
  const details: AttemptDetail[] = [{ attempt }];
  if (error instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: error.message,
      type: error.type ?? 'DeliveryFailed',
      nonRetryable: error.nonRetryable ?? false,
      details,
      ...(error.nextRetryDelay != null && { nextRetryDelay: error.nextRetryDelay }),
    });
  }
  return ApplicationFailure.create({ message: error instanceof Error ? error.message : String(error), type: 'DeliveryFailed', nonRetryable: false, details });
}
