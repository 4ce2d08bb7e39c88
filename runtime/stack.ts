import { alertIntake } from '../api/alertCenter';
import { cmdbAccess } from '../api/cmdb';
import { startTrapReceiver, trapUsers } from '../api/snmpTrapReceiver';
import { syncPollingSchedules } from '../api/pollingSchedules';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Connection as StoreConnection } from 'mongoose';
import { createApp } from '../api/app';
import { ssoFromConfig } from '../api/auth/sso';
import { connectStore } from '../store/connection';
import { startQueueMaintenance } from '../store/ticketQueueMaintenance';
import type { Config } from './config';
import { startDocumentStore, startTemporal } from './embedded';
import type { Logger } from './log';
import type { Say } from './tools';
import { routeTemporalLogs } from './temporalLogging';
import { projectRoot } from './paths';
import { loadCatalog } from './catalog';
import { masterKeySource } from './masterKey';
import { createCoreWorker, createZoneWorker } from './worker';

export interface StackOptions {
  say: Say;
  logger: Logger;
  api: boolean;
  /** The core worker: every workflow, store and notification activities. */
  worker: boolean;
  /** Zones whose automation host steps this process runs (a zone worker each). */
  zones: string[];
  uiDir?: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export interface Stack {
  apiUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  storeUri: string;
  /** Zones whose automation workers run here. */
  zones: string[];
  db: StoreConnection;
  /** Stops in order: API stops accepting, worker drains, connections close, servers end. */
  stop(): Promise<void>;
}

export async function startStack(config: Config, opts: StackOptions): Promise<Stack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: Error) => opts.logger.warn({ err: error }, 'error during shutdown'));
    }
  };
  try {
    const embedded = { dataDir: config.dataDir, host: '127.0.0.1', timeoutMs: config.FLOWDESK_STARTUP_TIMEOUT_S * 1000, say: opts.say };
    const [temporalStart, storeStart] = await Promise.allSettled([
      config.TEMPORAL_ADDRESS
        ? { address: config.TEMPORAL_ADDRESS, uiUrl: undefined, service: undefined }
        : startTemporal({ ...embedded, port: config.FLOWDESK_TEMPORAL_PORT, uiPort: config.FLOWDESK_TEMPORAL_UI_PORT, namespace: config.TEMPORAL_NAMESPACE }),
      config.MONGODB_URI ? { uri: config.MONGODB_URI, service: undefined } : startDocumentStore({ ...embedded, port: config.FLOWDESK_MONGO_PORT }),
    ]);
    // Both starts are settled before either failure is raised, so nothing is left running.
    // Pushed before anything that uses them, so they stop last.
    if (storeStart.status === 'fulfilled' && storeStart.value.service) cleanups.push(() => storeStart.value.service!.stop());
    if (temporalStart.status === 'fulfilled' && temporalStart.value.service) cleanups.push(() => temporalStart.value.service!.stop());
    if (temporalStart.status === 'rejected') throw temporalStart.reason;
    if (storeStart.status === 'rejected') throw storeStart.reason;
    const [temporal, store] = [temporalStart.value, storeStart.value];

    // Read before anything connects: a mistake in catalog/ stops start-up naming the file and field.
    const catalog = loadCatalog(undefined, { warn: (message) => opts.logger.warn(message) });
    const db = await connectStore(store.uri, config.MONGODB_DATABASE);
    cleanups.push(() => db.close());

    // One source for worker and API: the development key file is made (and warned about) once.
    const masterKey = masterKeySource(config.FLOWDESK_MASTER_KEY, config.dataDir, opts.logger);

    if (opts.worker) {
      routeTemporalLogs(opts.logger);
      const connection = await NativeConnection.connect({ address: temporal.address });
      cleanups.push(() => connection.close());
      const worker = await createCoreWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.FLOWDESK_TASK_QUEUE, db, workflowBundle: opts.workflowBundle, catalog, masterKey, alertRole: config.FLOWDESK_ALERT_AUTOMATION_ROLE });
      const running = worker.run();
      cleanups.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });
      const queues = await startQueueMaintenance(db, { onError: (error) => opts.logger.warn({ err: error }, 'ticket queue compaction failed; it is retried') });
      cleanups.push(() => queues.stop());
    }

    if (opts.zones.length) {
      routeTemporalLogs(opts.logger);
      const connection = await NativeConnection.connect({ address: temporal.address });
      cleanups.push(() => connection.close());
      for (const zone of opts.zones) {
        const settings = { hostKeyPolicy: config.FLOWDESK_SSH_HOST_KEY_POLICY, pool: { maxHandshakes: config.FLOWDESK_SSH_MAX_HANDSHAKES } };
        const { worker, run } = await createZoneWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, zone, db, masterKey, settings });
        const running = run();
        cleanups.push(async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
        });
      }
    }

    let apiUrl: string | undefined;
    if (opts.api) {
      const connection = await Connection.connect({ address: temporal.address });
      cleanups.push(() => connection.close());
      const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
      // One Temporal Schedule per polling job of the catalog (docs/alerts-collection.md); a failure leaves the API serving.
      await syncPollingSchedules(client, config.FLOWDESK_TASK_QUEUE, catalog.polling.jobs, opts.logger).catch((error: unknown) =>
        opts.logger.warn({ err: error }, 'the polling jobs\' schedules could not be brought in line with the catalog; they are tried again at the next start'),
      );
      const publicUrl = config.FLOWDESK_PUBLIC_URL ?? `http://${config.FLOWDESK_HOST === '0.0.0.0' ? '127.0.0.1' : config.FLOWDESK_HOST}:${config.FLOWDESK_PORT}`;
      const sso = ssoFromConfig(config, publicUrl);
      const intake = alertIntake({ db, temporal: client, taskQueue: config.FLOWDESK_TASK_QUEUE, logger: opts.logger, catalog, cmdb: cmdbAccess(db, catalog.cmdb) });
      const app = createApp({ db, temporal: client, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.FLOWDESK_TASK_QUEUE, logger: opts.logger, uiDir: opts.uiDir, sso, corsOrigins: config.FLOWDESK_CORS_ORIGINS, catalog, masterKey, alertIntake: intake });
      const server = await listen(app, config.FLOWDESK_HOST, config.FLOWDESK_PORT);
      cleanups.push(() => closeServer(server));
      const clock = intake.startSuppressionClock();
      cleanups.push(() => clock.stop());
      intake.resumeGroupSignals().then(
        (resumed) => resumed && opts.logger.info({ resumed }, 'told alert groups of intake requests a previous run had stored but not signalled'),
        (error: unknown) => opts.logger.warn({ err: error }, 'could not resume telling alert groups of stored intake requests; their alerts reach the groups with their next change'),
      );
      if (config.FLOWDESK_SNMP_TRAP_PORT) {
        const traps = startTrapReceiver({ db, intake, rules: catalog.trapRules, host: config.FLOWDESK_HOST, port: config.FLOWDESK_SNMP_TRAP_PORT, communities: config.FLOWDESK_SNMP_TRAP_COMMUNITIES, users: await trapUsers(db, masterKey, config.FLOWDESK_SNMP_TRAP_USERS), logger: opts.logger });
        cleanups.push(async () => {
          await traps.close();
          await traps.idle();
        });
        opts.logger.info({ port: config.FLOWDESK_SNMP_TRAP_PORT }, 'receiving SNMP traps');
      }
      apiUrl = `http://${config.FLOWDESK_HOST === '0.0.0.0' ? '127.0.0.1' : config.FLOWDESK_HOST}:${(server.address() as { port: number }).port}`;
    }
    return { apiUrl, temporalAddress: temporal.address, temporalUiUrl: temporal.uiUrl, storeUri: store.uri, zones: opts.zones, db, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`the API cannot listen on ${host}:${port}: the port is taken. Stop the other program or set FLOWDESK_PORT=<port>.`)
          : error,
      );
    });
  });
}

/** Stops accepting connections; in-flight requests get a few seconds to finish. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 5000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export function defaultUiDir(): string {
  return path.join(projectRoot(), 'ui', 'dist');
}
