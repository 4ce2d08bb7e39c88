import type { Connection } from 'mongoose';
import type { Catalog } from '../runtime/catalog';
import type { MasterKeySource } from '../runtime/masterKey';
import { createAutomationRunActivities } from './automation/runs';
import { createDiscoveryActivities } from './discovery';
import { createNotificationActivities, type NotificationSettings } from './notifications';
import { createTicketActivities } from './tickets';

export interface ActivityDeps {
  db: Connection;
  /** Mail server, webhooks and public URL of notifications. */
  notifications: NotificationSettings;
  /** SLA policies, assignment rules and service-desk settings the ticket workflows run by. */
  catalog: Catalog;
  /** Unseals the credentials discovery (and later automation) log in with. */
  masterKey: MasterKeySource;
}

/** All activities the core worker registers, built from real clients. */
export function createActivities({ db, notifications, catalog, masterKey }: ActivityDeps) {
  return {
    ...createTicketActivities(db, catalog),
    ...createNotificationActivities(db, notifications),
    ...createDiscoveryActivities(db, catalog, masterKey),
    ...createAutomationRunActivities(db, catalog, masterKey),
  };
}
