import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Connection } from 'mongoose';
import { createActivities } from '../../activities';
import { loadCatalog } from '../../runtime/catalog';
import { resolveTimeSkippingServer } from '../../runtime/testServer';
import { connectStore } from '../../store/connection';
import { isolationName, mongoUri, testMasterKey } from './harness';

/** The SDK gives the test server's JVM 5 s to listen; a loaded two-core machine can need more. */
const ATTEMPTS = 3;

/**
 * A time-skipping Temporal environment backed by the Java SDK's test server from the
 * per-user cache (fetched from Maven Central on first use), or TEMPORAL_TEST_SERVER_PATH.
 * Independent of the integration project's shared dev server. Call `teardown()` when done.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await resolveTimeSkippingServer((msg) => process.stderr.write(`[time-skipping] ${msg}\n`));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    } catch (error) {
      if (attempt >= ATTEMPTS || !/did not start within/.test((error as Error).message)) throw error;
      process.stderr.write(`[time-skipping] the test server was slow to start (attempt ${attempt} of ${ATTEMPTS}), trying again\n`);
    }
  }
}

export interface TicketTimeSkipping {
  env: TestWorkflowEnvironment;
  db: Connection;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A time-skipping environment with a worker running the ticket workflows and the real
 * activities on its own task queue and database (no mail, no webhooks).
 */
export async function startTicketTimeSkipping(name: string): Promise<TicketTimeSkipping> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await createTimeSkippingEnv();
  const db = await connectStore(mongoUri(), isolationName(name));
  const taskQueue = `${name}-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: createActivities({ db, catalog: loadCatalog(), notifications: { smtp: null, webhooks: [], publicUrl: 'http://flowdesk.test' }, masterKey: testMasterKey(), temporal: env.client }),
  });
  const running = worker.run();
  return {
    env,
    db,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await db.dropDatabase();
      await db.close();
      await env.teardown();
    },
  };
}
