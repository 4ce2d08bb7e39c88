import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findOnPath, cachedToolPath } from '../../runtime/tools';
import { freePort } from '../../runtime/ports';
import { TEMPORAL_CLI } from '../../runtime/versions';
import { userModel } from '../../store/users';
import { addUser, startTestApi, startZoneWorker, temporalAddress, type TestApi, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';
import { startZoneWorkerProcess, type ZoneWorkerProcess } from '../setup/zoneWorkerProcess';

// Records the histories that replay.test.ts replays. Runs only when asked:
//   RECORD_HISTORIES=1 npm test -- test/replay/record
// Re-record only on purpose: a history recorded by old code is what proves new code
// can still run the workflows that are in flight in production.
const recording = process.env.RECORD_HISTORIES === '1';
const historiesDir = path.join(__dirname, 'histories');

let api: TestApi;
let authorization = '';
let aliceBearer = '';
beforeAll(async () => {
  if (!recording) return;
  api = await startTestApi();
  authorization = (await addUser(api.db, 'recorder', ['group_manager'], ['service-desk'])).bearer;
  aliceBearer = (await addUser(api.db, 'alice', ['agent'], ['service-desk'])).bearer;
  await addUser(api.db, 'bob', ['agent'], ['service-desk']);
  await userModel(api.db).updateOne({ _id: 'recorder' }, { $set: { manager: 'alice' } }).exec();
});
afterAll(async () => {
  if (recording) await api.stop();
});

async function post(url: string, body: unknown) {
  const res = await fetch(`${api.baseUrl}/api/v1${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { number: string };
}

/** The history as the Temporal CLI exports it, the JSON form replay tools read. */
function save(name: string, number: string) {
  saveWorkflow(name, `ticket/${number}`);
}

function saveWorkflow(name: string, workflowId: string) {
  const cli = findOnPath('temporal') ?? cachedToolPath(TEMPORAL_CLI);
  const json = execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', temporalAddress(), '--namespace', api.dbName, '--output', 'json'], { encoding: 'utf8' });
  fs.writeFileSync(path.join(historiesDir, `${name}.json`), json);
}

async function postAs(bearer: string, url: string, body: unknown) {
  const res = await fetch(`${api.baseUrl}/api/v1${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: bearer }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { number: string };
}

(recording ? it : it.skip)('records an incident to closed, one in flight, a request through approval and a problem', async () => {
  const closed = await post('/incidents', { title: 'replay: closed', description: '', impact: 2, urgency: 2, assignmentGroup: 'service-desk' });
  await post(`/tickets/${closed.number}/actions/assign`, { assignee: 'alice' });
  await post(`/tickets/${closed.number}/actions/start`, {});
  await post(`/tickets/${closed.number}/actions/hold`, { reason: 'awaiting_caller', comment: 'which host?' });
  await post(`/tickets/${closed.number}/actions/comment`, { text: 'db-7', workNote: false });
  await post(`/tickets/${closed.number}/actions/resolve`, { resolutionCode: 'fixed', resolutionNotes: 'done' });
  await post(`/tickets/${closed.number}/actions/close`, {});
  await api.client.workflow.getHandle(`ticket/${closed.number}`).result();
  await save('incident-closed', closed.number);

  // Routed by the assignment rules, still running with its SLA timers.
  const open = await post('/incidents', { title: 'replay: VPN in progress', description: '', impact: 1, urgency: 1 });
  await post(`/tickets/${open.number}/actions/assign`, { assignee: 'bob', group: 'service-desk' });
  await post(`/tickets/${open.number}/actions/start`, {});
  await save('incident-in-progress', open.number);

  const answers = { accessType: 'Remote working (staff)', startDate: '2026-12-01', justification: 'On call for the payments platform every other week' };
  const request = await post('/requests', { item: 'vpn-access', answers });
  await postAs(aliceBearer, `/tickets/${request.number}/actions/decide`, { decision: 'approve', comment: 'ok' }); // alice is the recorder's manager
  await save('request-in-fulfilment', request.number);

  const problem = await post('/problems', { title: 'replay: VPN drops', description: '', impact: 2, urgency: 2, assignmentGroup: 'service-desk' });
  await post(`/tickets/${problem.number}/actions/assign`, { assignee: 'alice' });
  await post(`/tickets/${problem.number}/actions/start`, {});
  await post(`/tickets/${problem.number}/actions/analyse`, { rootCause: 'MTU', workaround: 'lower the MTU' });
  await post(`/tickets/${problem.number}/actions/publish_known_error`, {});
  await save('problem-known-error', problem.number);
});

(recording ? it : it.skip)('records a discovery sweep (nobody answers) and a sync from an HTTP feed', async () => {
  const admin = (await addUser(api.db, 'discoverer', ['cmdb_admin', 'automation_admin'])).bearer;
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${api.baseUrl}/api/v1${url}`, { method, headers: { 'content-type': 'application/json', authorization: admin }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as { id: string };
  };
  const feed = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ n: 'replay-vm-1' }, { n: 'replay-vm-2' }])));
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  try {
    const { privateKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const credential = await call('POST', '/credentials', { name: 'replay-ssh', kind: 'ssh_key', username: 'nobody', privateKey });
    await call('PUT', '/cmdb/discovery/jobs/replay-sweep', { kind: 'network', network: { targets: ['127.0.0.1-127.0.0.3'], ssh: { credential: credential.id, port: await freePort() }, concurrency: 2, timeoutSeconds: 1 } });
    const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/vms`;
    await call('PUT', '/cmdb/discovery/jobs/replay-sync', { kind: 'sync', sync: { url, format: 'json', mapping: { class: 'virtual_machine', attributes: { name: 'n', hostname: 'n' } } } });
    for (const job of ['replay-sweep', 'replay-sync']) {
      const run = await call('POST', `/cmdb/discovery/jobs/${job}/runs`);
      await api.client.workflow.getHandle(`discovery/${run.id}`).result();
      saveWorkflow(`discovery-${job.replace('replay-', '')}`, `discovery/${run.id}`);
    }
  } finally {
    feed.close();
  }
});

(recording ? it : it.skip)('records runs: two hosts through an ssh.command, one approved at its approval step, one decided after its zone worker died mid-command', async () => {
  const ops = (await addUser(api.db, 'operator', ['automation_admin', 'cmdb_editor'])).bearer;
  const approver = (await addUser(api.db, 'approver', ['automation_admin'])).bearer;
  const call = async (method: string, url: string, body?: unknown, bearer = ops) => {
    const res = await fetch(`${api.baseUrl}/api/v1${url}`, { method, headers: { 'content-type': 'application/json', authorization: bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as any;
  };
  const publish = async (id: string, tag: string, steps: unknown[]) => {
    await call('PUT', `/automation/runbooks/${id}/draft`, { name: id, risk: 'low', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host', tags: [tag] } }, steps });
    await call('POST', `/automation/runbooks/${id}/publish`, { note: 'replay' });
  };
  const until = async (check: () => Promise<boolean> | boolean, what: string) => {
    for (const deadline = Date.now() + 120_000; !(await check()); await new Promise((resolve) => setTimeout(resolve, 250))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    }
  };
  const finished = (runId: string) => api.client.workflow.getHandle(`run/${runId}`).result();

  let sshd: Sshd | undefined;
  let worker: TestWorker | undefined;
  let doomed: ZoneWorkerProcess | undefined;
  let fresh: TestWorker | undefined;
  try {
    sshd = await startSshd();
    const credential = await call('POST', '/credentials', { name: 'replay-lab-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
    for (const [name, zone, tag] of [['replay-a', 'replay', 'replay-lab'], ['replay-b', 'replay', 'replay-lab'], ['replay-k', 'replay-k', 'replay-doomed']]) {
      await call('POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name, hostname: name, primary_ip: '127.0.0.1', zone, ssh_port: sshd.port, ssh_credential: credential.id }, tags: [tag] });
    }
    worker = await startZoneWorker(api.db, api.dbName, 'replay', api.masterKey, { workerName: 'replay-worker' });

    await publish('replay-hello', 'replay-lab', [{ id: 'hello', type: 'ssh.command', command: 'echo hello {{target.name}}' }]);
    const succeeded = await call('POST', '/automation/runs', { runbook: 'replay-hello' });
    expect(await finished(succeeded.id)).toMatchObject({ status: 'succeeded' });
    saveWorkflow('run-succeeded', `run/${succeeded.id}`);
    saveWorkflow('run-succeeded-chunk', `run/${succeeded.id}/b0-s0-c0`);

    await publish('replay-gated', 'replay-lab', [
      { id: 'look', type: 'ssh.command', command: 'echo before' },
      { id: 'ok', type: 'approval' },
      { id: 'act', type: 'ssh.command', command: 'echo after' },
    ]);
    const gated = await call('POST', '/automation/runs', { runbook: 'replay-gated' });
    await until(async () => (await call('GET', `/automation/runs/${gated.id}`)).waiting?.[0]?.step === 'ok', 'the run to wait at its approval');
    await call('POST', `/automation/runs/${gated.id}/approvals`, { step: 'ok', decision: 'approved', comment: 'replay' }, approver);
    expect(await finished(gated.id)).toMatchObject({ status: 'succeeded' });
    saveWorkflow('run-approved', `run/${gated.id}`);

    // The zone's only worker is killed while the step sleeps: the chunk waits for a decision after the heartbeat timeout.
    const marker = `5.${Date.now() % 1_000_000}`;
    const sleeping = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').some((line) => line.trim() === `sleep ${marker}`);
    await publish('replay-slow', 'replay-doomed', [{ id: 'work', type: 'ssh.command', command: `sleep ${marker}; echo done` }]);
    doomed = await startZoneWorkerProcess(api, 'replay-k');
    const decided = await call('POST', '/automation/runs', { runbook: 'replay-slow' });
    await until(sleeping, 'the sleep to start');
    await doomed.kill();
    fresh = await startZoneWorker(api.db, api.dbName, 'replay-k', api.masterKey, { workerName: 'replay-fresh-worker' });
    await until(async () => (await call('GET', `/automation/runs/${decided.id}/hosts/0`)).status === 'awaiting_decision', 'the host to await a decision');
    await call('POST', `/automation/runs/${decided.id}/hosts/0/decision`, { decision: 'retry' });
    expect(await finished(decided.id)).toMatchObject({ status: 'succeeded' });
    // v1-run-decided-chunk.json, recorded before the patch `record-unknown-step` (workflows/runChunk.ts), stays beside it.
    saveWorkflow('run-decided-chunk', `run/${decided.id}/b0-s0-c0`);
  } finally {
    await Promise.all([doomed?.stop(), fresh?.stop(), worker?.stop()]);
    await sshd?.stop();
  }
}, 300_000);
