import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import Long from 'long';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Connection as StoreConnection } from 'mongoose';
import { alertIntake } from '../../api/alertCenter';
import { createApp } from '../../api/app';
import { cmdbAccess } from '../../api/cmdb';
import { loadCatalog } from '../../runtime/catalog';
import type { Catalog } from '../../runtime/catalog';
import type { NotificationSettings } from '../../activities/notifications';
import { createLogger, type Logger } from '../../runtime/log';
import { MasterKey, type MasterKeySource } from '../../runtime/masterKey';
import { hashPassword } from '../../api/auth/passwords';
import type { SsoSettings } from '../../api/auth/sso';
import { permissionsOf } from '../../domain/identity/permissions';
import { createCoreWorker, createZoneWorker } from '../../runtime/worker';
import type { ZoneWorkerSettings } from '../../activities/automation/hostSteps';
import { connectStore } from '../../store/connection';
import { groupModel } from '../../store/groups';
import { roleDefinitions } from '../../store/roles';
import { issueToken } from '../../store/tokens';
import { insertUser } from '../../store/users';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through Jest's integration project (npm test)`);
  return value;
}

export const temporalAddress = () => env('FLOWDESK_TEST_TEMPORAL_ADDRESS');
export const mongoUri = () => env('FLOWDESK_TEST_MONGODB_URI');

/** A name unique to this test file and run: its database and task queue. */
export function isolationName(prefix = 't'): string {
  const file = path.basename(expect.getState().testPath ?? 'test').replace(/\W+/g, '_').slice(0, 30);
  return `${prefix}_${file}_${randomBytes(4).toString('hex')}`;
}

export function testLogger() {
  return createLogger(process.env.FLOWDESK_TEST_LOG_LEVEL ?? 'silent');
}

let runtimeInstalled = false;
function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const verbose = process.env.FLOWDESK_TEST_LOG_LEVEL !== undefined;
  const print = (m: string, meta?: unknown) => process.stderr.write(`[temporal-sdk] ${m} ${meta ? JSON.stringify(meta) : ''}\n`);
  Runtime.install({
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: verbose ? print : () => undefined, error: print },
  });
}

/**
 * Registers a namespace for one test file. Workflow IDs are business IDs
 * (`ticket/INC0000001`) and every file's numbering starts at 1, so files must not
 * share a namespace; a dev-server namespace is usable as soon as it is registered.
 */
export async function createNamespace(name: string): Promise<void> {
  const connection = await Connection.connect({ address: temporalAddress() });
  try {
    await connection.workflowService.registerNamespace({ namespace: name, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) } });
  } finally {
    await connection.close();
  }
}

export interface TestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** Notifications of a test worker: by default in-app only (no mail server, no webhooks); the catalog by default from catalog/. */
export type TestNotificationOptions = Partial<NotificationSettings> & { masterKey?: MasterKeySource; catalog?: Catalog };

/** A real core worker on the shared server, using the bundle built once in global setup. */
export async function startTestWorker(db: StoreConnection, taskQueue: string, namespace: string, options: TestNotificationOptions = {}): Promise<TestWorker> {
  quietTemporalRuntime();
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const { masterKey = testMasterKey(), catalog, ...notificationOptions } = options;
  const notifications: NotificationSettings = { smtp: null, webhooks: [], publicUrl: 'http://127.0.0.1:8080', ...notificationOptions };
  const worker = await createCoreWorker({ connection, namespace, taskQueue, db, workflowBundle: { codePath: env('FLOWDESK_TEST_WORKFLOW_BUNDLE') }, notifications, masterKey, catalog });
  const running = worker.run();
  running.catch((error: Error) => process.stderr.write(`[test worker] ${taskQueue} stopped with an error: ${error.stack}\n`));
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** A real zone worker (automation host activities on `flowdesk-automation-<zone>`) on the shared server. */
export async function startZoneWorker(db: StoreConnection, namespace: string, zone: string, masterKey: MasterKey, settings: ZoneWorkerSettings = {}): Promise<TestWorker> {
  quietTemporalRuntime();
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const { worker, run } = await createZoneWorker({ connection, namespace, zone, db, masterKey: testMasterKey(masterKey), settings });
  const running = run();
  running.catch((error: Error) => process.stderr.write(`[zone worker] ${zone} stopped with an error: ${error.stack}\n`));
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}

export interface TestUser {
  username: string;
  password: string;
  /** `Authorization` header value carrying all of the user's permissions. */
  bearer: string;
}

/** A local user with `roles` (and `groups`), a known password and an API token. */
export async function addUser(db: StoreConnection, username: string, roles: string[], groups: string[] = []): Promise<TestUser> {
  const password = `Pw-${username}-${randomBytes(6).toString('hex')}`;
  await insertUser(db, { username, displayName: username[0]!.toUpperCase() + username.slice(1), roles, passwordHash: await hashPassword(password) });
  const now = new Date().toISOString();
  for (const group of groups) {
    await groupModel(db).updateOne({ _id: group }, { $addToSet: { members: username }, $setOnInsert: { displayName: group, manager: null, createdAt: now, updatedAt: now } }, { upsert: true }).exec();
  }
  const permissions = permissionsOf(roles, await roleDefinitions(db));
  const { token } = await issueToken(db, username, 'test', [...permissions], null);
  return { username, password, bearer: `Bearer ${token}` };
}

/** A fresh random master key, given to the app as it is (no FLOWDESK_MASTER_KEY, no key file). */
export function testMasterKey(key = new MasterKey(randomBytes(32))): MasterKeySource {
  return async () => key;
}

export interface TestApi {
  baseUrl: string;
  db: StoreConnection;
  /** The key the app seals credentials with. */
  masterKey: MasterKey;
  client: Client;
  taskQueue: string;
  /** Also the Temporal namespace. */
  dbName: string;
  stop(): Promise<void>;
}

/** The API and a core worker against the shared servers, isolated by namespace, database and task queue; both run by `catalog` when given. */
export async function startTestApi(
  options: { sso?: SsoSettings; port?: number; logger?: Logger; corsOrigins?: string[]; catalog?: Catalog; /** Apply silences and windows as they start and end, as `npm start` does. */ suppressionClock?: boolean } = {},
): Promise<TestApi> {
  const masterKey = new MasterKey(randomBytes(32));
  const name = isolationName();
  await createNamespace(name);
  const db = await connectStore(mongoUri(), name);
  const worker = await startTestWorker(db, name, name, { masterKey: testMasterKey(masterKey), catalog: options.catalog });
  const connection = await Connection.connect({ address: temporalAddress() });
  const client = new Client({ connection, namespace: name });
  const logger = options.logger ?? testLogger();
  const catalog = options.catalog ?? loadCatalog();
  const intake = alertIntake({ db, temporal: client, taskQueue: name, logger, catalog, cmdb: cmdbAccess(db, catalog.cmdb) });
  const clock = options.suppressionClock ? intake.startSuppressionClock() : null;
  const app = createApp({ db, temporal: client, namespace: name, taskQueue: name, logger, uiDir: path.resolve(__dirname, '../../ui/dist'), sso: options.sso, corsOrigins: options.corsOrigins, masterKey: testMasterKey(masterKey), catalog, alertIntake: intake });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    masterKey,
    client,
    taskQueue: name,
    dbName: name,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await clock?.stop();
      await worker.stop();
      await connection.close();
      await db.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}

/** Reads until `read` gives a value (anything but undefined, null or false), every 250 ms, failing after `timeoutMs` with what it waited for. */
export async function eventually<T>(what: string, read: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
