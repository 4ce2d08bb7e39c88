import { Client } from '@temporalio/client';
import { type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Connection as StoreConnection } from 'mongoose';
import { createActivities } from '../activities';
import { createZoneActivities, type ZoneActivitySettings } from '../activities/automation/zoneActivities';
import { DEFAULT_SSH_POOL, SshPool } from '../activities/automation/sshPool';
import { HEARTBEAT_MS } from '../activities/automation/heartbeat';
import { zoneTaskQueue } from '../domain/automation/run';
import type { NotificationSettings } from '../activities/notifications';
import { smtpSettingsOf } from '../activities/notify';
import { type Catalog, loadCatalog } from './catalog';
import { type Config, loadConfig, publicUrlOf } from './config';
import type { MasterKeySource } from './masterKey';

export interface CoreWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: StoreConnection;
  /** A pre-built workflow bundle (tests share one); otherwise bundled from workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Mail server, webhooks and links of notifications; default: from the environment and catalog/notifications/webhooks.yaml. */
  notifications?: NotificationSettings;
  /** Default: loaded from catalog/. */
  catalog?: Catalog;
  /** The key stored credentials are sealed with (runtime/masterKey.ts). */
  masterKey: MasterKeySource;
  /** FLOWDESK_ALERT_AUTOMATION_ROLE: the role of runs alerts start; default automation_operator. */
  alertRole?: string;
}

/** The core worker: every workflow type plus the store and notification activities. */
export function createCoreWorker({ connection, namespace, taskQueue, db, workflowBundle, notifications, catalog = loadCatalog(), masterKey, alertRole }: CoreWorkerOptions): Promise<Worker> {
  // Activities that start or signal workflows share the worker's own connection.
  const temporal = new Client({ connection, namespace });
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities({ db, notifications: notifications ?? notificationSettingsOf(loadConfig(), catalog), catalog, masterKey, temporal, alertRole }),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    shutdownGraceTime: '10 seconds',
  });
}

/** Notification settings from the configuration and the catalog's webhooks; says once, at start, what is off. */
export function notificationSettingsOf(config: Config, catalog: Catalog, log: { warn(message: string): void } = Runtime.instance().logger): NotificationSettings {
  const smtp = config.FLOWDESK_SMTP_URL ? smtpSettingsOf(config.FLOWDESK_SMTP_URL, config.FLOWDESK_MAIL_FROM) : null;
  if (!smtp) log.warn('email notifications are disabled: FLOWDESK_SMTP_URL is not set');
  return { smtp, webhooks: catalog.webhooks, publicUrl: publicUrlOf(config) };
}

export interface ZoneWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The network zone whose hosts this worker reaches (`flowdesk-automation-<zone>`). */
  zone: string;
  db: StoreConnection;
  masterKey: MasterKeySource;
  settings?: ZoneActivitySettings;
  /** Host steps at once on this worker (ssh sessions in flight). */
  maxConcurrentActivities?: number;
}

/**
 * A zone worker: only the host activities of the automation center (SSH, upload, SNMP,
 * HTTP and cloud steps), polling
 * its zone's task queue. Place one inside each network zone, near the hosts; it needs the
 * store (results go straight there) and the master key (to open credentials).
 */
export async function createZoneWorker({ connection, namespace, zone, db, masterKey, settings = {}, maxConcurrentActivities = 200 }: ZoneWorkerOptions): Promise<ZoneWorker> {
  const pool = new SshPool({ ...DEFAULT_SSH_POOL, ...settings.pool });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: zoneTaskQueue(zone),
    activities: createZoneActivities(db, masterKey, pool, settings),
    maxConcurrentActivityTaskExecutions: maxConcurrentActivities,
    // Temporal sends beats at most every 80% of the heartbeat timeout by default (24 of 30 s),
    // so a beat delayed 6 s on a busy machine looked like a dead worker: send each one.
    maxHeartbeatThrottleInterval: HEARTBEAT_MS,
    shutdownGraceTime: '10 seconds',
  });
  return { worker, run: () => worker.run().finally(() => pool.close()) };
}

/** A zone worker and how to run it: its SSH connections close when it stops. */
export interface ZoneWorker {
  worker: Worker;
  run(): Promise<void>;
}
