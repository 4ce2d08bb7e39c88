import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findOnPath, cachedToolPath } from '../../runtime/tools';
import { TEMPORAL_CLI } from '../../runtime/versions';
import { addUser, startTestApi, temporalAddress, type TestApi } from '../setup/harness';

// Records the histories that replay.test.ts replays. Runs only when asked:
//   RECORD_HISTORIES=1 npm test -- test/replay/record
// Re-record only on purpose: a history recorded by old code is what proves new code
// can still run the workflows that are in flight in production.
const recording = process.env.RECORD_HISTORIES === '1';
const historiesDir = path.join(__dirname, 'histories');

let api: TestApi;
let authorization = '';
beforeAll(async () => {
  if (!recording) return;
  api = await startTestApi();
  authorization = (await addUser(api.db, 'recorder', ['group_manager'])).bearer;
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

(recording ? it : it.skip)('records an incident lifecycle to closed and one still in flight', async () => {
  const closed = await post('/incidents', { title: 'replay: closed', description: '', impact: 2, urgency: 2 });
  await post(`/tickets/${closed.number}/actions/assign`, { assignee: 'alice' });
  await post(`/tickets/${closed.number}/actions/start`, {});
  await post(`/tickets/${closed.number}/actions/resolve`, { resolutionCode: 'fixed', resolutionNotes: 'done' });
  await post(`/tickets/${closed.number}/actions/close`, {});
  await api.client.workflow.getHandle(`ticket/${closed.number}`).result();
  await save('incident-closed', closed.number);

  const open = await post('/incidents', { title: 'replay: in progress', description: '', impact: 1, urgency: 1 });
  await post(`/tickets/${open.number}/actions/assign`, { assignee: 'bob' });
  await post(`/tickets/${open.number}/actions/start`, {});
  await save('incident-in-progress', open.number);
});
