import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDocumentStore, startTemporal } from '../../runtime/embedded';
import { resolveTool } from '../../runtime/tools';
import { ALERTMANAGER } from '../../runtime/versions';
import { freePort } from '../../runtime/ports';
import type { EmbeddedService } from '../../runtime/service';

/**
 * One Temporal dev server and one MongoDB-wire server for the whole run (or the
 * external ones from TEMPORAL_ADDRESS / MONGODB_URI), and one workflow bundle shared
 * by every test worker. Test files isolate themselves by database and task queue.
 */
export default async function globalSetup(): Promise<void> {
  const say = (message: string) => process.stderr.write(`[test setup] ${message}\n`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-test-'));
  const embedded = { dataDir, host: '127.0.0.1', timeoutMs: 180_000, say, ephemeral: true };
  const services: EmbeddedService[] = [];
  (globalThis as { __flowdesk?: unknown }).__flowdesk = { services, dataDir };

  const [temporalAddress, mongoUri, alertmanager] = await Promise.all([
    process.env.TEMPORAL_ADDRESS ??
      startTemporal({ ...embedded, port: await freePort(), namespace: 'default' }).then((t) => {
        services.push(t.service);
        return t.address;
      }),
    process.env.MONGODB_URI ??
      startDocumentStore({ ...embedded, port: await freePort() }).then((s) => {
        services.push(s.service);
        return s.uri;
      }),
    // A real peer for the alert center's tests, built once from its Go module like the servers above.
    resolveTool(ALERTMANAGER, say).then((t) => t.path),
  ]);
  say(`Temporal ${temporalAddress}, store ${mongoUri}, logs in ${path.join(dataDir, 'logs')}`);

  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);

  process.env.FLOWDESK_TEST_TEMPORAL_ADDRESS = temporalAddress;
  process.env.FLOWDESK_TEST_MONGODB_URI = mongoUri;
  process.env.FLOWDESK_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.FLOWDESK_TEST_DATA_DIR = dataDir;
  process.env.FLOWDESK_TEST_ALERTMANAGER = alertmanager;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
};
