import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasExited, readFile, spawnDaemon, stopDaemon, tail } from './daemon';
import { mongoUri, temporalAddress, type TestApi } from './harness';

/**
 * `flowdesk worker --zone <zone>` in a process of its own, as a zone is deployed, against
 * the test file's namespace, database and master key: a worker a test can really kill.
 * bin/cli.ts runs through tsx as bin/flowdesk.mjs runs it, without flowdesk.mjs's
 * dependency check (an `npm install` in the middle of a test run).
 */
export interface ZoneWorkerProcess {
  pid: number;
  logFile: string;
  /** SIGKILL: no shutdown, no graceful end of its activities, its sockets closed by the kernel. */
  kill(): Promise<void>;
  /** Ends it if it still runs (TERM, then KILL) and removes its directory. */
  stop(): Promise<void>;
}

const CLI = path.resolve(__dirname, '../../bin/cli.ts');
const READY_TIMEOUT_MS = 90_000;

export async function startZoneWorkerProcess(api: TestApi, zone: string): Promise<ZoneWorkerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-zone-worker-'));
  const logFile = path.join(dir, 'worker.log');
  const env = {
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_NAMESPACE: api.dbName,
    MONGODB_URI: mongoUri(),
    MONGODB_DATABASE: api.dbName,
    FLOWDESK_MASTER_KEY: api.masterKey.bytes.toString('hex'),
    FLOWDESK_DATA_DIR: dir,
    FLOWDESK_LOG_LEVEL: 'warn',
  };
  const child = spawnDaemon(process.execPath, ['--require', 'tsx/cjs', CLI, 'worker', '--zone', zone], logFile, { ...process.env, ...env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = () => stopDaemon(child, dir, 'zone worker');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!readFile(logFile).includes('[flowdesk] ready')) {
    if (hasExited(child) || Date.now() > deadline) {
      await stop();
      throw new Error(`flowdesk worker --zone ${zone} did not get ready. Log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(200);
  }
  return {
    pid: child.pid!,
    logFile,
    async kill() {
      process.kill(child.pid!, 'SIGKILL');
      await exited;
    },
    stop,
  };
}
