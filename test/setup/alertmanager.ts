import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../runtime/ports';
import { hasExited, readFile, removeDir, spawnDaemon, stopDaemon, tail } from './daemon';

/**
 * A real Prometheus Alertmanager (built from its Go module by the test setup, pinned in
 * runtime/versions.ts) for one test file, on a free loopback port, its one route a webhook
 * receiver pointing at FlowDesk's intake with a bearer token. Alerts are posted to its own
 * API (`/api/v2/alerts`), as Prometheus does; Alertmanager groups them and notifies.
 */
export interface RealAlertmanager {
  url: string;
  logFile: string;
  /** POST /api/v2/alerts: what Prometheus sends each evaluation. */
  postAlerts(alerts: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** FlowDesk's Alertmanager intake URL. */
  webhookUrl: string;
  /** The intake token. */
  token: string;
  groupBy?: string[];
}

const READY_TIMEOUT_MS = 20_000;

export function alertmanagerBinary(): string {
  const binary = process.env.FLOWDESK_TEST_ALERTMANAGER;
  if (!binary) throw new Error('FLOWDESK_TEST_ALERTMANAGER is not set: the test setup (test/setup/global-setup.ts) builds Alertmanager and sets it');
  return binary;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<RealAlertmanager> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-alertmanager-'));
  const port = await freePort();
  const config = [
    'route:',
    '  receiver: flowdesk',
    `  group_by: [${(options.groupBy ?? ['alertname', 'instance']).map((l) => JSON.stringify(l)).join(', ')}]`,
    // Quick, for a test: notify at once and send changes within a second.
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: flowdesk',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(options.webhookUrl)}`,
    '        send_resolved: true',
    '        max_alerts: 10000',
    '        http_config:',
    `          authorization: { type: Bearer, credentials: ${JSON.stringify(options.token)} }`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const logFile = path.join(dir, 'alertmanager.log');
  const child = spawnDaemon(alertmanagerBinary(), [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=info'], logFile);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited(child)) throw new Error(`Alertmanager exited at start:\n${tail(readFile(logFile))}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stopDaemon(child, dir, 'alertmanager');
      throw new Error(`Alertmanager did not become ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail(readFile(logFile))}`);
    }
    await sleep(100);
  }
  return {
    url,
    logFile,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    stop: () => stopDaemon(child, dir, 'alertmanager'),
  };
}

/** The log, for a failure message. */
export const alertmanagerLog = (am: RealAlertmanager) => tail(readFile(am.logFile));

export { removeDir };
