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
import { addUser, startTestApi, temporalAddress, type TestApi } from '../setup/harness';

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
