import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findOnPath, cachedToolPath } from '../../runtime/tools';
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
  const cli = findOnPath('temporal') ?? cachedToolPath(TEMPORAL_CLI);
  const json = execFileSync(cli, ['workflow', 'show', '--workflow-id', `ticket/${number}`, '--address', temporalAddress(), '--namespace', api.dbName, '--output', 'json'], { encoding: 'utf8' });
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
