import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { addUser, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';
import { startZoneWorkerProcess, type ZoneWorkerProcess } from '../setup/zoneWorkerProcess';

// A zone worker that dies mid-command. The zone's only worker is `flowdesk worker --zone
// dc-k` in a process of its own, SIGKILLed while a `sleep` runs on two hosts of a real sshd.
// The step is not idempotent, so nothing may run it again by itself: when the heartbeat
// times out (30 s) its outcome is unknown and each host waits for an operator, whose
// decisions (retry on one host, skip on the other) the run honours and the audit trail keeps.

let api: TestApi;
let sshd: Sshd;
let ops: TestUser;
let auditor: TestUser;
let doomed: ZoneWorkerProcess | undefined;
let fresh: TestWorker | undefined;

interface Res {
  status: number;
  body: any;
}
async function call(user: TestUser, method: string, route: string, body?: unknown): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: user.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  [api, sshd] = await Promise.all([startTestApi(), startSshd()]);
  ops = await addUser(api.db, 'ops', ['automation_admin', 'cmdb_editor']);
  auditor = await addUser(api.db, 'vera', ['auditor']);
  const credential = await call(ops, 'POST', '/credentials', { name: 'lab-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  expect(credential.status).toBe(201);
  for (const name of ['host-r', 'host-s']) {
    const ci = await call(ops, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name, hostname: name, primary_ip: '127.0.0.1', zone: 'dc-k', ssh_port: sshd.port, ssh_credential: credential.body.id }, tags: ['doomed'] });
    expect(ci.status).toBe(201);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([doomed?.stop(), fresh?.stop()]);
  await Promise.all([api?.stop(), sshd?.stop()]);
});

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const hostsOf = async (id: string): Promise<any[]> => (await call(ops, 'GET', `/automation/runs/${id}/hosts`)).body.items;
const hostOf = async (id: string, seq: number): Promise<any> => (await call(ops, 'GET', `/automation/runs/${id}/hosts/${seq}`)).body;
/** The live log's "work (ssh.command) on host-r …, attempt 1" lines: one per time the step was started on the host. */
const startsOf = async (id: string, seq: number): Promise<number> => (await call(ops, 'GET', `/automation/runs/${id}/logs?seq=${seq}`)).body.items.filter((l: any) => l.stream === 'system' && l.text.startsWith('work (ssh.command) on')).length;
const sleeps = (marker: string) => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.trim() === `sleep ${marker}`).length;

test('a zone worker killed mid-command leaves the step unknown; the operator retries one host and skips the other, audited', async () => {
  const marker = `5.${randomBytes(3).readUIntBE(0, 3)}`;
  const draft = await call(ops, 'PUT', '/automation/runbooks/slow-step/draft', {
    name: 'A slow step',
    risk: 'low',
    allowedRoles: ['automation_admin'],
    targets: { selector: { class: 'host', tags: ['doomed'] } },
    steps: [
      { id: 'work', type: 'ssh.command', command: `sleep ${marker}; echo done`, timeout: '2m' },
      { id: 'after', type: 'ssh.command', command: 'echo after {{target.name}}' },
    ],
  });
  expect(draft.status).toBeLessThan(300);
  expect((await call(ops, 'POST', '/automation/runbooks/slow-step/publish', { note: 'test' })).status).toBe(201);

  doomed = await startZoneWorkerProcess(api, 'dc-k');
  const started = await call(ops, 'POST', '/automation/runs', { runbook: 'slow-step' });
  expect(started.status).toBe(201);
  const id: string = started.body.id;
  await until(async () => sleeps(marker) === 2, 'the sleep to run on both hosts', 60_000);
  await doomed.kill();
  // A worker polls the zone again at once: a blind retry of the step would reach it.
  fresh = await startZoneWorker(api.db, api.dbName, 'dc-k', api.masterKey, { workerName: 'worker-fresh' });

  const stuck = await until(async () => {
    const hosts = await hostsOf(id);
    return hosts.every((h) => h.status === 'awaiting_decision') && hosts;
  }, 'both hosts to await a decision');
  for (const h of stuck) {
    expect(h.decision).toMatchObject({ step: 'work', reason: expect.stringMatching(/may or may not have run/) });
    expect(h.steps.work).toMatchObject({ status: 'unknown', error: expect.stringMatching(/Heartbeat timeout/i) });
    expect(h.steps.after).toBeUndefined();
  }
  const waiting = (await call(ops, 'GET', `/automation/runs/${id}`)).body;
  expect(waiting).toMatchObject({ status: 'waiting', waiting: [expect.objectContaining({ reason: 'decision', step: 'work' })] });
  // Nothing ran the step again: each host saw it start once, and no sleep of it is left.
  expect([await startsOf(id, 0), await startsOf(id, 1), sleeps(marker)]).toEqual([1, 1, 0]);

  expect((await call(auditor, 'POST', `/automation/runs/${id}/hosts/0/decision`, { decision: 'retry' })).status).toBe(403);
  const retried = await call(ops, 'POST', `/automation/runs/${id}/hosts/0/decision`, { decision: 'retry', comment: 'the worker was killed; sleeping twice is harmless' });
  expect(retried.status).toBe(200);
  expect(retried.body).toMatchObject({ seq: 0, name: 'host-r' });
  expect((await call(ops, 'POST', `/automation/runs/${id}/hosts/0/decision`, { decision: 'skip' })).status).toBe(409);
  expect((await call(ops, 'POST', `/automation/runs/${id}/hosts/1/decision`, { decision: 'skip' })).status).toBe(200);

  const run = await until(async () => {
    const found = (await call(ops, 'GET', `/automation/runs/${id}`)).body;
    return ['succeeded', 'failed', 'stopped', 'cancelled'].includes(found.status) && found;
  }, 'the run to finish');
  expect(run).toMatchObject({ status: 'succeeded', hosts: { succeeded: 2, failed: 0, awaiting_decision: 0 } });
  expect(run.waiting).toBeUndefined();
  const [r, s] = [await hostOf(id, 0), await hostOf(id, 1)];
  expect(r.steps.work).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: 'done\n', worker: 'worker-fresh' });
  expect(r.steps.after).toMatchObject({ status: 'succeeded', stdout: 'after host-r\n' });
  expect(s.steps.work).toMatchObject({ status: 'skipped', error: 'skipped by an operator after an unknown outcome' });
  expect(s.steps.after).toMatchObject({ status: 'succeeded', stdout: 'after host-s\n' });
  expect([await startsOf(id, 0), await startsOf(id, 1)]).toEqual([2, 1]);

  const audit = await call(auditor, 'GET', `/audit?action=automation.run.decide&targetId=${id}`);
  expect(audit.status).toBe(200);
  // Newest first; ops called with an API token, so the actor is the token, named for ops.
  expect(audit.body.items.map((e: any) => [e.actor.type, e.actor.name, e.target, e.outcome, e.detail])).toEqual([
    ['token', 'ops', { type: 'run', id }, 'success', 'skip step work on host-s (#1)'],
    ['token', 'ops', { type: 'run', id }, 'success', 'retry step work on host-r (#0): the worker was killed; sleeping twice is harmless'],
  ]);
}, 240_000);
