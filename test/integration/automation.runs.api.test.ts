import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { addUser, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';

// Runs end to end: runbooks published through the library API, runs started through the
// runs API, executed by the run workflow on the shared Temporal server, host steps by two
// real zone workers against a real OpenSSH server, results read back from the store.

let api: TestApi;
let sshd: Sshd;
let ops: TestUser;
let boss: TestUser;
let viewer: TestUser;
let stranger: TestUser;
const workers: TestWorker[] = [];
let credential: string;
/** CI ids by host name; hosts a-d, a and b in dc-a, c and d in dc-b. */
const cis: Record<string, string> = {};

interface Res {
  status: number;
  body: any;
  headers: Headers;
}
async function call(user: TestUser | null, method: string, path: string, body?: unknown): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(user && { authorization: user.bearer }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

beforeAll(async () => {
  [api, sshd] = await Promise.all([startTestApi(), startSshd()]);
  ops = await addUser(api.db, 'ops', ['automation_admin', 'cmdb_editor']);
  boss = await addUser(api.db, 'boss', ['automation_admin']);
  viewer = await addUser(api.db, 'vera', ['auditor']);
  stranger = await addUser(api.db, 'sam', ['requester']);
  workers.push(await startZoneWorker(api.db, api.dbName, 'dc-a', api.masterKey, { workerName: 'worker-dc-a' }));
  workers.push(await startZoneWorker(api.db, api.dbName, 'dc-b', api.masterKey, { workerName: 'worker-dc-b' }));
  const made = await call(ops, 'POST', '/credentials', { name: 'lab-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  expect(made.status).toBe(201);
  credential = made.body.id;
  for (const [name, zone] of [['host-a', 'dc-a'], ['host-b', 'dc-a'], ['host-c', 'dc-b'], ['host-d', 'dc-b']]) {
    const ci = await call(ops, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name: name!, hostname: name!, primary_ip: '127.0.0.1', zone, ssh_port: sshd.port, ssh_credential: credential }, tags: ['lab'] });
    expect(ci.status).toBe(201);
    cis[name!] = ci.body.id;
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all([api?.stop(), sshd?.stop()]);
});

/** Publishes a runbook (draft, then version) through the library API. */
async function publish(id: string, definition: Record<string, unknown>): Promise<void> {
  const saved = await call(ops, 'PUT', `/automation/runbooks/${id}/draft`, { name: `Test ${id}`, risk: 'low', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host', tags: ['lab'] } }, ...definition });
  expect({ status: saved.status, body: saved.status < 300 ? null : saved.body }).toEqual({ status: expect.any(Number), body: null });
  const published = await call(ops, 'POST', `/automation/runbooks/${id}/publish`, { note: 'test' });
  expect(published.status).toBe(201);
}

async function waitFor(id: string, done: (run: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(ops, 'GET', `/automation/runs/${id}`);
    expect(res.status).toBe(200);
    if (done(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${id} did not get there: ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const finished = (run: any) => ['succeeded', 'failed', 'stopped', 'cancelled'].includes(run.status);

async function hosts(id: string): Promise<any[]> {
  const res = await call(ops, 'GET', `/automation/runs/${id}/hosts`);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function host(id: string, seq: number): Promise<any> {
  const res = await call(ops, 'GET', `/automation/runs/${id}/hosts/${seq}`);
  expect(res.status).toBe(200);
  return res.body;
}

test('the shipped uptime runbook runs on every lab host, each through the worker of its own zone', async () => {
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'uptime' });
  expect(started.status).toBe(201);
  expect(started.body.id).toMatch(/^RUN\d{7}$/);
  expect(started.headers.get('location')).toContain(`/automation/runs/${started.body.id}`);
  const run = await waitFor(started.body.id, finished);
  expect(run).toMatchObject({ status: 'succeeded', runbook: { id: 'uptime', version: 1 }, targets: { total: 4, byZone: { 'dc-a': 2, 'dc-b': 2 } }, hosts: { succeeded: 4, failed: 0 } });
  const listed = await hosts(run.id);
  expect(listed.map((h) => [h.name, h.zone, h.status])).toEqual([
    ['host-a', 'dc-a', 'succeeded'],
    ['host-b', 'dc-a', 'succeeded'],
    ['host-c', 'dc-b', 'succeeded'],
    ['host-d', 'dc-b', 'succeeded'],
  ]);
  expect(listed[0].steps.uptime.stdout).toBeUndefined(); // listings carry statuses, not outputs
  for (const [seq, h] of listed.entries()) {
    const full = await host(run.id, seq);
    expect(full.steps.uptime).toMatchObject({ status: 'succeeded', exitCode: 0, attempt: 1, worker: `worker-${h.zone}` });
    expect(full.steps.uptime.stdout).toMatch(/load average/);
    expect(full.steps.uptime.durationMs).toBeGreaterThanOrEqual(0);
  }
  // The host key was learnt on first use and recorded on the CI.
  const ci = await call(ops, 'GET', `/cmdb/cis/${cis['host-a']}`);
  expect(ci.body.attributes.ssh_host_key).toBe(sshd.hostKeyFingerprint);
  const logs = await call(viewer, 'GET', `/automation/runs/${run.id}/logs?seq=0`);
  expect(logs.status).toBe(200);
  expect(logs.body.items.map((l: any) => l.text).join('')).toMatch(/load average[\s\S]*exit code 0/);
});

test('parameters reach the host as quoted words, and secret ones are masked everywhere', async () => {
  const token = `tok-${randomBytes(6).toString('hex')}`;
  await publish('echo-params', {
    parameters: { type: 'object', required: ['message', 'token'], properties: { message: { type: 'string', title: 'Message' }, token: { type: 'string', title: 'Token' } } },
    secretParameters: ['token'],
    targets: { selector: { class: 'host', where: { name: 'host-a' } } },
    steps: [{ id: 'say', type: 'ssh.command', command: "printf '%s|%s|%s' {{params.message}} {{target.name}} {{params.token}}", env: { NOTE: '{{params.message}}' }, args: [] }],
  });
  const message = "it's $(id) `whoami` ; rm -rf /tmp/nothing";
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'echo-params', params: { message, token } });
  expect(started.status).toBe(201);
  expect(started.body.params).toEqual({ message, token: '••••••' });
  const run = await waitFor(started.body.id, finished);
  expect(run.status).toBe('succeeded');
  const result = (await host(run.id, 0)).steps.say;
  expect(result.stdout).toBe(`${message}|host-a|••••••`);
  const logs = await call(ops, 'GET', `/automation/runs/${run.id}/logs`);
  expect(JSON.stringify(logs.body)).not.toContain(token);
  expect(JSON.stringify(run)).not.toContain(token);
});

test('batches of one stop at the first failing host, and the hosts after it are not run', async () => {
  await publish('fail-on-b', {
    strategy: { serial: 1, maxFailPercentage: 0 },
    steps: [{ id: 'check', type: 'ssh.command', command: 'test {{target.name}} != host-b' }],
  });
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'fail-on-b' });
  const run = await waitFor(started.body.id, finished);
  expect(run.status).toBe('failed');
  expect(run.summary).toMatch(/batch 2 of 4: 1 of 1 hosts failed/);
  expect((await hosts(run.id)).map((h) => h.status)).toEqual(['succeeded', 'failed', 'not_run', 'not_run']);
  expect((await host(run.id, 1)).steps.check).toMatchObject({ status: 'failed', exitCode: 1 });
});

test('conditions over earlier results skip hosts, and continue-on-error goes on', async () => {
  await publish('branching', {
    steps: [
      { id: 'probe', type: 'ssh.command', command: 'echo {{target.name}}; test {{target.name}} = host-a -o {{target.name}} = host-c', onError: 'continue' },
      { id: 'only_a_c', type: 'condition', expression: 'steps.probe.exitCode = 0 and contains(steps.probe.stdout, "host-")', else: 'skip' },
      { id: 'after', type: 'ssh.command', command: 'echo reached {{target.name}}' },
    ],
  });
  const run = await waitFor((await call(ops, 'POST', '/automation/runs', { runbook: 'branching' })).body.id, finished);
  expect(run.status).toBe('succeeded');
  expect((await hosts(run.id)).map((h) => [h.name, h.status])).toEqual([
    ['host-a', 'succeeded'],
    ['host-b', 'skipped'],
    ['host-c', 'succeeded'],
    ['host-d', 'skipped'],
  ]);
  expect((await host(run.id, 0)).steps.after.stdout).toBe('reached host-a\n');
  expect((await host(run.id, 1)).steps.after).toBeUndefined();
});

test('cancelling a run kills the remote command: the sleep disappears from the host', async () => {
  const marker = `600.${randomBytes(3).readUIntBE(0, 3)}`;
  await publish('long-sleep', { targets: { selector: { class: 'host', where: { name: 'host-c' } } }, steps: [{ id: 'nap', type: 'ssh.command', command: `sleep ${marker}`, timeout: '20m' }] });
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'long-sleep' });
  const sleeping = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').some((line) => line.trim() === `sleep ${marker}`);
  await until(sleeping, 'the sleep to start on the host');
  const cancelled = await call(ops, 'POST', `/automation/runs/${started.body.id}/cancel`);
  expect(cancelled.status).toBe(202);
  await until(() => !sleeping(), 'the sleep to be killed');
  const run = await waitFor(started.body.id, finished);
  expect(run.status).toBe('cancelled');
  expect((await host(run.id, 0)).steps.nap.status).toBe('cancelled');
  expect((await call(ops, 'POST', `/automation/runs/${run.id}/cancel`)).status).toBe(409);
});

test('an approval step pauses the run until a second person approves', async () => {
  await publish('gated', {
    targets: { selector: { class: 'host', where: { name: 'host-d' } } },
    steps: [{ id: 'look', type: 'ssh.command', command: 'echo before' }, { id: 'ok', type: 'approval', message: 'go?' }, { id: 'act', type: 'ssh.command', command: 'echo after' }],
  });
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'gated' });
  const waiting = await waitFor(started.body.id, (r) => r.status === 'waiting');
  expect(waiting.waiting[0]).toMatchObject({ reason: 'approval', step: 'ok' });
  expect((await host(waiting.id, 0)).steps.look.stdout).toBe('before\n');
  const own = await call(ops, 'POST', `/automation/runs/${waiting.id}/approvals`, { step: 'ok', decision: 'approved' });
  expect(own.status).toBe(409);
  expect(own.body.detail).toMatch(/second person/);
  expect((await call(viewer, 'POST', `/automation/runs/${waiting.id}/approvals`, { step: 'ok', decision: 'approved' })).status).toBe(403);
  expect((await call(boss, 'POST', `/automation/runs/${waiting.id}/approvals`, { step: 'look', decision: 'approved' })).status).toBe(400);
  const approved = await call(boss, 'POST', `/automation/runs/${waiting.id}/approvals`, { step: 'ok', decision: 'approved', comment: 'fine' });
  expect(approved.status).toBe(200);
  const run = await waitFor(waiting.id, finished);
  expect(run).toMatchObject({ status: 'succeeded', approvals: [{ step: 'ok', decision: 'approved', by: 'boss', comment: 'fine' }] });
  expect((await host(run.id, 0)).steps.act.stdout).toBe('after\n');
});

test('a zone without a worker says so instead of leaving the run silently pending', async () => {
  const ci = await call(ops, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name: 'far-host', primary_ip: '127.0.0.1', zone: 'dc-z', ssh_port: sshd.port, ssh_credential: credential }, tags: ['far'] });
  expect(ci.status).toBe(201);
  await publish('far', { targets: { selector: { class: 'host', tags: ['far'] } }, steps: [{ id: 'x', type: 'ssh.command', command: 'true' }] });
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'far' });
  const run = await waitFor(started.body.id, (r) => r.waiting?.some((w: any) => w.reason === 'worker'));
  expect(run.waiting.find((w: any) => w.reason === 'worker').detail).toBe('no worker polls flowdesk-automation-dc-z: start one in that zone with `flowdesk worker --zone dc-z`');
  await call(ops, 'POST', `/automation/runs/${run.id}/cancel`);
  expect((await waitFor(run.id, finished)).status).toBe('cancelled');
});

test('bad requests are refused with the reason, and nothing starts', async () => {
  const listed = await call(ops, 'GET', '/automation/runs?limit=200');
  expect(listed.status).toBe(200);
  const before = listed.body.items.length;
  expect((await call(null, 'POST', '/automation/runs', { runbook: 'uptime' })).status).toBe(401);
  expect((await call(stranger, 'POST', '/automation/runs', { runbook: 'uptime' })).status).toBe(403);
  const missing = await call(ops, 'POST', '/automation/runs', { runbook: 'no-such-runbook' });
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
  const operator = await addUser(api.db, 'otto', ['automation_operator']);
  const badParams = await call(operator, 'POST', '/automation/runs', { runbook: 'restart-service', params: { service: 'nginx; reboot' } });
  expect(badParams.status).toBe(400);
  expect(badParams.body.errors).toEqual([{ field: 'body.params.service', message: 'Service (systemd unit) is not in the expected format' }]);
  const unknownField = await call(ops, 'POST', '/automation/runs', { runbook: 'uptime', target: 'everything' });
  expect(unknownField.status).toBe(400);
  expect((await call(ops, 'GET', '/automation/runs/RUN9999999')).status).toBe(404);
  expect((await call(ops, 'GET', '/automation/runs/not-a-run')).status).toBe(400);
  expect((await call(ops, 'GET', '/automation/runs?limit=200')).body.items.length).toBe(before);
});

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
