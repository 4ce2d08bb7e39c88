import type { TicketKind } from '../ticketNumber';
import type { Priority } from '../priority';
import type { TicketEvent, TicketEventType } from './event';

/** A person as notifications see them: whether they can be reached, and how. */
export interface DirectoryUser {
  username: string;
  displayName: string;
  email: string | null;
  active: boolean;
}

/**
 * What subscriptions need to know beyond the event, passed in as data so that the rules
 * stay pure: the people the event names, and the ticket's assignment group.
 */
export interface Directory {
  users: Readonly<Record<string, DirectoryUser>>;
  group: { name: string; members: string[]; manager: string | null } | null;
}

/** Why someone is notified; several reasons collapse into one notification per channel. */
export type Reason = 'requester' | 'assignee' | 'group' | 'group_manager' | 'watcher' | 'approver';

export interface Recipient {
  user: DirectoryUser;
  reasons: Reason[];
}

const REQUESTER_EVENTS: readonly TicketEventType[] = ['created', 'commented', 'state_changed', 'resolved', 'approval_decided'];
const ASSIGNEE_EVENTS: readonly TicketEventType[] = ['assigned', 'commented', 'state_changed'];

/** The user names an event may reach, so a caller loads only those from the directory. */
export function peopleOf(event: TicketEvent, group: Directory['group']): string[] {
  const { ticket } = event;
  const names = [ticket.openedBy, ticket.assignee, ...ticket.watchers, ...stringList(event.detail.recipients), ...(group ? [...group.members, group.manager] : [])];
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name.length > 0))];
}

/**
 * Who hears about an event, and why. The actor never hears of their own action, inactive
 * and unknown users never hear anything, and each person appears once whatever the
 * number of rules that reach them.
 */
export function recipientsOf(event: TicketEvent, directory: Directory): Recipient[] {
  const { ticket, type } = event;
  const wanted: [string | null, Reason][] = [];
  const add = (names: readonly (string | null)[], reason: Reason) => names.forEach((name) => wanted.push([name, reason]));

  if (type === 'sla_warning' || type === 'sla_breach') {
    // The SLA policy's escalation action names the roles to notify.
    const roles = stringList(event.detail.notify);
    if (roles.includes('assignee')) add([ticket.assignee], 'assignee');
    if (roles.includes('group_manager')) add([directory.group?.name === ticket.assignmentGroup ? directory.group.manager : null], 'group_manager');
  } else if (type === 'approval_requested') {
    add(stringList(event.detail.recipients), 'approver');
  } else {
    if (REQUESTER_EVENTS.includes(type)) add([ticket.openedBy], 'requester');
    if (ASSIGNEE_EVENTS.includes(type)) add([ticket.assignee], 'assignee');
    // A ticket routed to a group nobody has picked up yet: the whole queue hears of it.
    if (type === 'assigned' && ticket.assignee === null && ticket.assignmentGroup !== null && directory.group?.name === ticket.assignmentGroup) {
      add(directory.group.members, 'group');
    }
  }
  add(ticket.watchers, 'watcher');

  const recipients = new Map<string, Recipient>();
  for (const [name, reason] of wanted) {
    if (!name || name === event.actor) continue;
    const user = directory.users[name];
    if (!user || !user.active) continue;
    const known = recipients.get(name);
    if (!known) recipients.set(name, { user, reasons: [reason] });
    else if (!known.reasons.includes(reason)) known.reasons.push(reason);
  }
  return [...recipients.values()];
}

/** An outgoing webhook's subscription: which events it receives (every filter given must match). */
export interface WebhookSubscription {
  name: string;
  events?: TicketEventType[];
  kinds?: TicketKind[];
  priorities?: Priority[];
  /** Assignment groups; a ticket without a group matches none. */
  groups?: string[];
}

export function webhookWants(webhook: WebhookSubscription, event: TicketEvent): boolean {
  const { ticket } = event;
  return (
    (!webhook.events || webhook.events.includes(event.type)) &&
    (!webhook.kinds || webhook.kinds.includes(ticket.kind)) &&
    (!webhook.priorities || webhook.priorities.includes(ticket.priority)) &&
    (!webhook.groups || (ticket.assignmentGroup !== null && webhook.groups.includes(ticket.assignmentGroup)))
  );
}

export type Channel = 'in_app' | 'email' | 'webhook';

/**
 * One message to one recipient over one channel. `id` is `<event.id>/<channel>/<recipient>`:
 * stable across retries and replays, so a delivery is stored and sent once.
 */
export type Delivery =
  | { id: string; channel: 'in_app'; recipient: string; name: string; event: TicketEvent }
  | { id: string; channel: 'email'; recipient: string; name: string; address: string; event: TicketEvent }
  /** `recipient` is the webhook's name: its URL and secret stay out of workflow history. */
  | { id: string; channel: 'webhook'; recipient: string; event: TicketEvent };

export function deliveryId(event: TicketEvent, channel: Channel, recipient: string): string {
  return `${event.id}/${channel}/${recipient}`;
}

export interface ChannelsAvailable {
  /** False when no mail server is configured: no email deliveries are planned. */
  email: boolean;
  webhooks: readonly WebhookSubscription[];
}

/** Every delivery an event causes: in-app always, email when the person has an address, and each webhook that wants it. */
export function deliveriesFor(event: TicketEvent, directory: Directory, channels: ChannelsAvailable): Delivery[] {
  const deliveries: Delivery[] = [];
  for (const { user } of recipientsOf(event, directory)) {
    const name = user.displayName || user.username;
    deliveries.push({ id: deliveryId(event, 'in_app', user.username), channel: 'in_app', recipient: user.username, name, event });
    if (channels.email && user.email) {
      deliveries.push({ id: deliveryId(event, 'email', user.username), channel: 'email', recipient: user.username, name, address: user.email, event });
    }
  }
  for (const webhook of channels.webhooks) {
    if (webhookWants(webhook, event)) deliveries.push({ id: deliveryId(event, 'webhook', webhook.name), channel: 'webhook', recipient: webhook.name, event });
  }
  return deliveries;
}

function stringList(value: TicketEvent['detail'][string] | undefined): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}
