import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sshFingerprint } from '../../activities/clients/ssh';
import type { FanoutTargets } from './fanoutHosts';
import { FANOUT_COMMAND, FANOUT_OUTPUT, type HostFailure, type PeerResult } from './fanoutPeers';
import { type FlowDeskProcess, startFlowDeskProcess } from './flowdeskProcess';

/**
 * The FlowDesk side of the SSH fan-out bench (issue 6).
 *
 * `runFlowDesk` runs FANOUT_COMMAND (`uptime`) on every address of `hosts` with at most
 * `parallelism` targets in flight, through FlowDesk as a user would: on its first call it
 * starts the FlowDesk stack (kept for later calls; `stopFlowDesk` ends it), makes sure there
 * is a CI per address (and the SSH credential: `hosts.user`, `hosts.privateKeyPath`, host keys
 * from `hosts.knownHostsPath`, port `hosts.port`), then starts a run through the API and waits
 * for it to finish.
 *
 * - `wallMs` is timed inside: from the API call that starts the run to the moment the run is
 *   seen finished; stack start-up and CI creation are not in it. The bench warms every peer
 *   once (on the first targets) before it times anything.
 * - `ok` counts the targets whose command exited 0 with output matching FANOUT_OUTPUT;
 *   `failed` the others (`ok + failed === hosts.addresses.length`), with the first few in
 *   `failures`; `command` is the API request(s), e.g. `POST /api/v1/runs {…}`.
 * - It may be called several times, and with different `hosts.addresses` (the bench runs a
 *   200-target and a 1,000-target phase on one set of sshd listeners, same port and key).
 * - Throw when FlowDesk cannot run at all; the bench reports the peer as not available with
 *   the message and goes on with the others.
 *
 * How: `flowdesk start` in a child process (bench/lib/flowdeskProcess.ts), its zone worker
 * allowed as many handshakes at once as the parallelism (FLOWDESK_SSH_MAX_HANDSHAKES: the
 * targets' MaxStartups is far above it, as a user who raised it would set it). The CIs come
 * from POST /cmdb/import, 200 a request (`fanout-127-0-1-1` …, tag `fanout`, the known host
 * key on each); the runbook `fanout-p<parallelism>` (one ssh.command step,
 * strategy.parallelism) is published once, and each run names its targets' CI ids (explicit
 * targets). The run is watched through GET /automation/runs?runbook=… every 250 ms: each
 * call costs a few store reads, as the engine's own do (polling faster slowed the run it
 * watched), and the list carries no host counts, which GET /automation/runs/{id} adds at
 * the price of a pass over the stored hosts. Afterwards each host's step is read (GET
 * /automation/runs/{id}/hosts/{seq}) for its exit code and output.
 */

const TAG = 'fanout';
const POLL_MS = 250;
const RUN_TIMEOUT_MS = 15 * 60_000;
const READS_AT_ONCE = 8;
const IMPORT_PAGE = 200;

interface Session {
  flowdesk: FlowDeskProcess;
  /** FLOWDESK_SSH_MAX_HANDSHAKES: the first call's parallelism. */
  handshakes: number;
  /** By user and key file. */
  credentials: Map<string, string>;
  /** Runbook ids by parallelism. */
  runbooks: Map<number, string>;
}

let session: Promise<Session> | undefined;

export async function runFlowDesk(hosts: FanoutTargets, parallelism: number): Promise<PeerResult> {
  const { flowdesk, handshakes, credentials, runbooks } = await (session ??= startSession(parallelism));
  const credential = await credentialFor(flowdesk, credentials, hosts);
  const targets = await cisFor(flowdesk, hosts, credential);
  const runbook = await runbookFor(flowdesk, runbooks, parallelism);
  const body = { runbook, targets };
  const started = performance.now();
  const run = await flowdesk.call<{ id: string }>('POST', '/automation/runs', body);
  await finished(flowdesk, runbook, run.id);
  const wallMs = performance.now() - started;
  const { ok, failures } = await outcomes(flowdesk, run.id, hosts.addresses);
  return { wallMs, ok, failed: hosts.addresses.length - ok, failures: failures.slice(0, 10), command: `POST /api/v1/automation/runs ${JSON.stringify({ runbook, targets: [`<${targets.length} CI ids>`] })} (${handshakes} handshakes at once)` };
}

/** Ends whatever runFlowDesk started (the stack, its temp directory); the bench calls it once at the end, also after an error or a signal. */
export async function stopFlowDesk(): Promise<void> {
  const started = session;
  session = undefined;
  await started?.then((s) => s.flowdesk.stop(), () => undefined);
}

async function startSession(parallelism: number): Promise<Session> {
  const flowdesk = await startFlowDeskProcess({ env: { FLOWDESK_SSH_MAX_HANDSHAKES: String(parallelism) }, say: (line) => process.stdout.write(`[bench flowdesk] ${line}\n`) });
  return { flowdesk, handshakes: parallelism, credentials: new Map(), runbooks: new Map() };
}

async function credentialFor(flowdesk: FlowDeskProcess, known: Map<string, string>, hosts: FanoutTargets): Promise<string> {
  const key = `${hosts.user}|${hosts.privateKeyPath}`;
  let id = known.get(key);
  if (!id) {
    const made = await flowdesk.call<{ id: string }>('POST', '/credentials', { name: `fanout-${known.size + 1}`, kind: 'ssh_key', username: hosts.user, privateKey: fs.readFileSync(hosts.privateKeyPath, 'utf8') });
    known.set(key, (id = made.id));
  }
  return id;
}

const ciName = (address: string) => `fanout-${address.replace(/\./g, '-')}`;

/** A CI per address (imported: unchanged rows stay as they are), and their ids in address order. */
async function cisFor(flowdesk: FlowDeskProcess, hosts: FanoutTargets, credential: string): Promise<string[]> {
  const hostKeys = knownHostKeys(hosts.knownHostsPath);
  const cis = hosts.addresses.map((address) => ({
    class: 'virtual_machine',
    attributes: { name: ciName(address), hostname: ciName(address), domain: 'fanout.bench', primary_ip: address, ssh_port: hosts.port, ssh_credential: credential, ssh_host_key: hostKeys.get(`[${address}]:${hosts.port}`) },
    tags: [TAG],
  }));
  // In pages: the API takes a request body of a few hundred kilobytes.
  for (let i = 0; i < cis.length; i += IMPORT_PAGE) {
    const report = await flowdesk.call<{ cis: { rejected: number }; rows: unknown[] }>('POST', '/cmdb/import', { format: 'json', cis: cis.slice(i, i + IMPORT_PAGE) });
    if (report.cis.rejected > 0) throw new Error(`the CMDB refused ${report.cis.rejected} target CIs: ${JSON.stringify(report.rows.slice(0, 3))}`);
  }
  const ids = new Map<string, string>();
  for (let cursor: string | null = null; ; ) {
    const page: { items: Array<{ id: string; attributes: { primary_ip?: string } }>; nextCursor: string | null } = await flowdesk.call('POST', '/cmdb/query', { selector: { class: 'host', tags: [TAG] }, limit: 500, ...(cursor && { cursor }) });
    for (const ci of page.items) if (ci.attributes.primary_ip) ids.set(ci.attributes.primary_ip, ci.id);
    if (!(cursor = page.nextCursor)) break;
  }
  return hosts.addresses.map((address) => {
    const id = ids.get(address);
    if (!id) throw new Error(`no CI for ${address} after the import`);
    return id;
  });
}

/** `[address]:port` → the `SHA256:…` fingerprint of its host key, as the CI's ssh_host_key holds it. */
function knownHostKeys(file: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [host, , blob] = line.trim().split(/\s+/);
    if (host && blob) keys.set(host, sshFingerprint(Buffer.from(blob, 'base64')));
  }
  return keys;
}

async function runbookFor(flowdesk: FlowDeskProcess, known: Map<number, string>, parallelism: number): Promise<string> {
  let id = known.get(parallelism);
  if (!id) {
    id = `fanout-p${parallelism}`;
    await flowdesk.call('PUT', `/automation/runbooks/${id}/draft`, {
      name: `SSH fan-out: ${FANOUT_COMMAND}, ${parallelism} at a time`,
      risk: 'low',
      allowedRoles: ['automation_admin'],
      targets: { selector: { class: 'host', tags: [TAG] } },
      strategy: { parallelism },
      steps: [{ id: 'fanout', type: 'ssh.command', command: FANOUT_COMMAND, timeout: '60s' }],
    });
    await flowdesk.call('POST', `/automation/runbooks/${id}/publish`, { note: 'ssh-fanout bench' });
    known.set(parallelism, id);
  }
  return id;
}

const FINISHED = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

/** Until the run has ended (it is cancelled, and this throws, after RUN_TIMEOUT_MS). */
async function finished(flowdesk: FlowDeskProcess, runbook: string, runId: string): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const { items } = await flowdesk.call<{ items: Array<{ id: string; status: string }> }>('GET', `/automation/runs?runbook=${runbook}&limit=5`);
    if (FINISHED.has(items.find((r) => r.id === runId)?.status ?? '')) return;
    if (Date.now() > deadline) {
      await flowdesk.call('POST', `/automation/runs/${runId}/cancel`).catch(() => undefined);
      throw new Error(`run ${runId} did not finish within ${RUN_TIMEOUT_MS / 60_000} minutes; cancelled`);
    }
    await sleep(POLL_MS);
  }
}

interface HostStep {
  status: string;
  exitCode?: number | null;
  stdout?: string;
  error?: string;
}

/** Targets whose step exited 0 and printed FANOUT_OUTPUT, and why the others did not. */
async function outcomes(flowdesk: FlowDeskProcess, runId: string, addresses: string[]): Promise<{ ok: number; failures: HostFailure[] }> {
  let ok = 0;
  const failures: HostFailure[] = [];
  let next = 0;
  const lane = async () => {
    while (next < addresses.length) {
      const seq = next++;
      type Host = { address: string | null; status: string; steps: Record<string, HostStep> };
      const host = await flowdesk.call<Host>('GET', `/automation/runs/${runId}/hosts/${seq}`).catch((error: Error): Host => ({ address: addresses[seq]!, status: error.message, steps: {} }));
      const step = host.steps.fanout;
      if (step?.status === 'succeeded' && step.exitCode === 0 && FANOUT_OUTPUT.test(step.stdout ?? '')) ok++;
      else failures.push({ host: host.address ?? `#${seq}`, reason: step ? `${step.status}, exit ${step.exitCode ?? '–'}${step.error ? `: ${step.error}` : ''}` : `host ${host.status}` });
    }
  };
  await Promise.all(Array.from({ length: READS_AT_ONCE }, lane));
  return { ok, failures };
}
