import { createAlertGroupActivities } from './alerts/groupActions';
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Catalog } from '../runtime/catalog';
import type { MasterKeySource } from '../runtime/masterKey';
import { createAlertRunActivities, DEFAULT_ALERT_ROLE } from './automation/alertRuns';
import { createAutomationRunActivities } from './automation/runs';
import { createScheduledRunActivities } from './automation/scheduledRuns';
import { createTicketEvidenceActivities } from './automation/ticketEvidence';
import { createPollingActivities } from './collection/polling';
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
  /** For activities that start or signal workflows (scheduled and alert runs, run results to tickets). */
  temporal: Client;
  /** The role runs started by alerts are requested with (FLOWDESK_ALERT_AUTOMATION_ROLE); default automation_operator. */
  alertRole?: string;
}

/** All activities the core worker registers, built from real clients. */
export function createActivities({ db, notifications, catalog, masterKey, temporal, alertRole = DEFAULT_ALERT_ROLE }: ActivityDeps) {
  return {
    ...createTicketActivities(db, catalog),
    ...createNotificationActivities(db, notifications),
    ...createDiscoveryActivities(db, catalog, masterKey),
    ...createAutomationRunActivities(db, catalog, masterKey),
    ...createScheduledRunActivities(db, masterKey, catalog.runPolicy),
    ...createAlertRunActivities({ db, masterKey, temporal, role: alertRole, policy: catalog.runPolicy }),
    ...createTicketEvidenceActivities(db, temporal, notifications.publicUrl),
    ...createAlertGroupActivities(db, temporal, catalog),
    ...createPollingActivities(db, catalog, temporal),
  };
}
