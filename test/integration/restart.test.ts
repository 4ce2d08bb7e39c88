import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../runtime/config';
import { canConnect, freePort } from '../../runtime/ports';
import { type Stack, startStack } from '../../runtime/stack';
import { addUser, testLogger } from '../setup/harness';

// The whole embedded stack, as `npm start` runs it, on its own data directory and ports.
let dataDir: string;
let config: ReturnType<typeof loadConfig>;
const messages: string[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-restart-'));
  config = loadConfig({
    FLOWDESK_DATA_DIR: dataDir,
    FLOWDESK_PORT: String(await freePort()),
    FLOWDESK_TEMPORAL_PORT: String(await freePort()),
    FLOWDESK_TEMPORAL_UI_PORT: String(await freePort()),
    FLOWDESK_MONGO_PORT: String(await freePort()),
  });
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function start(): Promise<Stack> {
  return startStack(config, {
    say: (m) => messages.push(m),
    logger: testLogger(),
    api: true,
    worker: true,
    zones: [],
    workflowBundle: { codePath: process.env.FLOWDESK_TEST_WORKFLOW_BUNDLE! },
  });
}

let authorization = '';

async function post(stack: Stack, url: string, body: unknown) {
  const res = await fetch(`${stack.apiUrl}/api/v1${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  return { status: res.status, body: ((await res.json()) as any) };
}

it('keeps incidents and their running workflows across a full stop and start', async () => {
  let stack = await start();
  authorization = (await addUser(stack.db, 'agent', ['group_manager'], ['service-desk'])).bearer;
  await addUser(stack.db, 'alice', ['agent'], ['service-desk']);
  const created = await post(stack, '/incidents', { title: 'survives restarts', description: '', impact: 2, urgency: 1, assignmentGroup: 'service-desk' });
  expect(created.status).toBe(201);
  const number: string = created.body.number;
  expect((await post(stack, `/tickets/${number}/actions/assign`, { assignee: 'alice' })).status).toBe(200);
  await stack.stop();

  // Nothing is left listening: the embedded servers really stopped.
  expect(await canConnect('127.0.0.1', config.FLOWDESK_TEMPORAL_PORT)).toBe(false);
  expect(await canConnect('127.0.0.1', config.FLOWDESK_MONGO_PORT)).toBe(false);
  expect(fs.readdirSync(path.join(dataDir, 'logs')).sort()).toEqual(['ferretdb.log', 'temporal.log']);

  stack = await start();
  try {
    // The API token issued before the restart still works: users and tokens are in the store.
    const read = await fetch(`${stack.apiUrl}/api/v1/tickets/${number}`, { headers: { authorization } });
    expect(((await read.json()) as any)).toMatchObject({ number, assignee: 'alice', state: 'new', version: 2 });
    const started = await post(stack, `/tickets/${number}/actions/start`, {});
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'in_progress', version: 3 });
    // The counter survived too: the next incident gets the next number.
    const next = await post(stack, '/incidents', { title: 'after restart', description: '', impact: 3, urgency: 3, assignmentGroup: 'service-desk' });
    expect(Number(next.body.number.slice(3))).toBe(Number(number.slice(3)) + 1);
  } finally {
    await stack.stop();
  }
});

it('says which port is taken and how to change it', async () => {
  const blocker = await startBlocker(config.FLOWDESK_MONGO_PORT);
  try {
    await expect(start()).rejects.toThrow(`port ${config.FLOWDESK_MONGO_PORT} on 127.0.0.1 is taken by another program. Stop that program, or choose another port with FLOWDESK_MONGO_PORT=<port>.`);
    // The half-started stack cleaned up after itself.
    expect(await canConnect('127.0.0.1', config.FLOWDESK_TEMPORAL_PORT)).toBe(false);
  } finally {
    blocker.close();
  }
});

function startBlocker(port: number): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
