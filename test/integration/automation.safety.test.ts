import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from '../../runtime/catalog';
import { addUser, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';

// The high-risk check in real runs: the rule set read and changed by admins through the API,
// runs blocked before anything executes, four-eyes approval of high-risk commands by a
// second person, and the check on each host right before a step executes. Runs go through
// the run workflow on the shared Temporal server and a zone worker against a real sshd.
// The commands the tests make dangerous are test rules' own names (fd-self-destruct,
// fd-lab-reboot): nothing on the machine is at risk if the check were wrong.

let api: TestApi;
let sshd: Sshd;
let ops: TestUser;
let boss: TestUser;
let root: TestUser;
let viewer: TestUser;
let worker: TestWorker;
let credentialId: string;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-safety-'));

interface Res {
  status: number;
  body: any;
  headers: Headers;
}
async function call(user: TestUser | null, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(user && { authorization: user.bearer }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const TEST_RULES = [
  { id: 'fd-self-destruct', severity: 'critical', description: 'The lab self-destruct: never run.', pattern: '^fd-self-destruct(?:\\s|$)', examples: ['fd-self-destruct --now'], counterExamples: ['fd-self-destructive'] },
  { id: 'fd-lab-reboot', severity: 'high', description: 'Reboots the lab: a second person approves.', pattern: '^fd-lab-reboot(?:\\s|$)', examples: ['fd-lab-reboot'] },
];

beforeAll(async () => {
  // The shipped run policy, plus a custom role limited to dc-a's test systems.
  const shipped = loadCatalog();
  const runPolicy = { roles: { ...shipped.runPolicy.roles, lab_test: { maxRisk: 'high' as const, scope: { zones: ['dc-a'], environments: ['test'] } } } };
  [api, sshd] = await Promise.all([startTestApi({ catalog: { ...shipped, runPolicy } }), startSshd()]);
  ops = await addUser(api.db, 'ops', ['automation_admin', 'cmdb_editor']);
  boss = await addUser(api.db, 'boss', ['automation_admin']);
  root = await addUser(api.db, 'root-admin', ['admin']);
  viewer = await addUser(api.db, 'vera', ['auditor']);
  worker = await startZoneWorker(api.db, api.dbName, 'dc-a', api.masterKey, { workerName: 'worker-dc-a' });
  const credential = await call(ops, 'POST', '/credentials', { name: 'lab-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  expect(credential.status).toBe(201);
  credentialId = credential.body.id;
  const ci = await call(ops, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name: 'lab-1', primary_ip: '127.0.0.1', zone: 'dc-a', ssh_port: sshd.port, ssh_credential: credentialId }, tags: ['safety'] });
  expect(ci.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all([api?.stop(), sshd?.stop()]);
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function publish(id: string, definition: Record<string, unknown>): Promise<void> {
  const saved = await call(ops, 'PUT', `/automation/runbooks/${id}/draft`, { name: `Test ${id}`, risk: 'high', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host', tags: ['safety'] } }, ...definition });
  expect({ status: saved.status, body: saved.status < 300 ? null : saved.body }).toEqual({ status: expect.any(Number), body: null });
  expect((await call(ops, 'POST', `/automation/runbooks/${id}/publish`, { note: 'test' })).status).toBe(201);
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
const hostOf = async (id: string) => (await call(ops, 'GET', `/automation/runs/${id}/hosts/0`)).body;
const start = async (runbook: string, params?: Record<string, unknown>, by: TestUser = ops) => {
  const res = await call(by, 'POST', '/automation/runs', { runbook, ...(params && { params }) });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

describe('the rule set, read and changed through the API', () => {
  it('is the shipped file at revision 0 until an admin changes it', async () => {
    const res = await call(viewer, 'GET', '/automation/high-risk-rules');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(res.body).toMatchObject({ revision: 0, source: 'shipped', ruleSet: { policy: { critical: 'block', high: 'approval', medium: 'approval' } } });
    expect(res.body.ruleSet.rules.map((r: any) => r.id)).toEqual(expect.arrayContaining(['rm-root', 'mkfs', 'fork-bomb', 'shutdown-reboot', 'firewall-flush', 'sql-drop-database']));
  });

  it('checks a script against the rules in force without running it', async () => {
    const res = await call(viewer, 'POST', '/automation/high-risk-rules/check', { script: 'echo patching\nsudo   /sbin/re"boot"', variables: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ decision: 'approval', findings: [expect.objectContaining({ ruleId: 'shutdown-reboot', line: 2, form: 'reboot' })] });
    const bad = await call(viewer, 'POST', '/automation/high-risk-rules/check', { script: 42 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refuses a change from anyone but an admin, and audits the refusal', async () => {
    const current = (await call(root, 'GET', '/automation/high-risk-rules')).body.ruleSet;
    const res = await call(boss, 'PUT', '/automation/high-risk-rules', current);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/automation\.rules/);
    const audit = await call(root, 'GET', '/audit?action=access.denied');
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'boss' }), outcome: 'denied', detail: 'needs automation.rules' })]);
  });

  it('refuses a rule set with problems, naming each, and changes nothing', async () => {
    const current = (await call(root, 'GET', '/automation/high-risk-rules')).body.ruleSet;
    const n = current.rules.length;
    const res = await call(root, 'PUT', '/automation/high-risk-rules', { ...current, rules: [...current.rules, { id: 'bad-one', severity: 'high', description: 'x', pattern: '^(unclosed' }] });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ detail: 'the rule set has 1 problem; nothing was changed', errors: [{ field: `body.rules.${n}.pattern`, message: expect.stringMatching(/bad-one.*pattern/) }] });
    const example = await call(root, 'PUT', '/automation/high-risk-rules', { ...current, rules: [...current.rules, { ...TEST_RULES[0], examples: ['fd-other', 'fd-self-destruct'], counterExamples: ['fd-self-destruct -x'] }] });
    expect(example.body.errors).toEqual([
      { field: `body.rules.${n}.examples.0`, message: expect.stringMatching(/"fd-other" is not flagged by this rule/) },
      { field: `body.rules.${n}.counterExamples.0`, message: expect.stringMatching(/"fd-self-destruct -x" is flagged by this rule/) },
    ]);
    expect((await call(root, 'PUT', '/automation/high-risk-rules', { ...current, extra: true })).status).toBe(400);
    expect((await call(viewer, 'GET', '/automation/high-risk-rules')).body.revision).toBe(0);
  });

  it('takes an admin change, guarded by If-Match, and audits it', async () => {
    const current = (await call(root, 'GET', '/automation/high-risk-rules')).body.ruleSet;
    const next = { ...current, rules: [...current.rules, ...TEST_RULES] };
    expect((await call(root, 'PUT', '/automation/high-risk-rules', next, { 'if-match': '"7"' })).status).toBe(412);
    const res = await call(root, 'PUT', '/automation/high-risk-rules', next, { 'if-match': '"0"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({ revision: 1, source: 'edited', updatedBy: 'root-admin' });
    expect((await call(root, 'PUT', '/automation/high-risk-rules', next, { 'if-match': '"0"' })).status).toBe(412);
    const audit = await call(root, 'GET', '/audit?action=automation.rules.update');
    expect(audit.body.items).toEqual([expect.objectContaining({ outcome: 'success', detail: expect.stringMatching(/^revision 1: \d+ rules/) })]);
    const check = await call(viewer, 'POST', '/automation/high-risk-rules/check', { script: '"$T" --now', variables: { T: 'fd-self-destruct' } });
    expect(check.body).toMatchObject({ decision: 'block', findings: [{ ruleId: 'fd-self-destruct', form: 'fd-self-destruct --now' }] });
  });
});

describe('runs under the check (after the rules above are in force)', () => {
  it('blocks a run before anything executes when a parameter makes a step dangerous', async () => {
    const marker = path.join(scratch, 'blocked-ran');
    await publish('self-destruct', {
      parameters: { type: 'object', properties: { tool: { type: 'string', title: 'Tool' } } },
      steps: [
        { id: 'first', type: 'ssh.command', command: `touch ${marker}` },
        { id: 'destroy', type: 'ssh.command', command: '"$TOOL" --now', env: { TOOL: '{{params.tool}}' } },
      ],
    });
    const run = await waitFor(await start('self-destruct', { tool: 'fd-self-destruct' }), finished);
    expect(run.status).toBe('failed');
    expect(run.summary).toMatch(/^the high-risk check blocked the run before anything executed: step destroy line 1 `fd-self-destruct --now`: fd-self-destruct/);
    expect(run.risk).toMatchObject({ decision: 'block', findings: [{ step: 'destroy', ruleId: 'fd-self-destruct', action: 'block', hosts: 1, text: `export TOOL='fd-self-destruct'; "$TOOL" --now` }] });
    expect(run.hosts).toMatchObject({ not_run: 1 });
    expect(fs.existsSync(marker)).toBe(false);
    // The same runbook with a harmless value runs.
    const fine = await waitFor(await start('self-destruct', { tool: 'true' }), finished);
    expect(fine).toMatchObject({ status: 'succeeded', risk: { decision: 'allow', findings: [] } });
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('makes a run with high-risk commands wait for a second person, who sees the findings', async () => {
    await publish('lab-reboot', { steps: [{ id: 'reboot', type: 'ssh.command', command: 'fd-lab-reboot() { echo rebooting the lab; }; fd-lab-reboot' }] });
    const id = await start('lab-reboot');
    const waiting = await waitFor(id, (r) => r.status === 'waiting');
    expect(waiting.waiting[0]).toMatchObject({ reason: 'approval', step: 'high-risk', detail: expect.stringMatching(/a second person must approve its high-risk commands: step reboot line 1 `fd-lab-reboot`: fd-lab-reboot/) });
    expect(waiting.risk).toMatchObject({ decision: 'approval', approvalRules: { reboot: ['fd-lab-reboot'] } });
    expect((await hostOf(id)).steps).toEqual({}); // nothing ran yet
    const own = await call(ops, 'POST', `/automation/runs/${id}/approvals`, { step: 'high-risk', decision: 'approved' });
    expect(own.status).toBe(409);
    expect(own.body.detail).toMatch(/second person/);
    expect((await call(viewer, 'POST', `/automation/runs/${id}/approvals`, { step: 'high-risk', decision: 'approved' })).status).toBe(403);
    const approved = await call(boss, 'POST', `/automation/runs/${id}/approvals`, { step: 'high-risk', decision: 'approved', comment: 'lab window' });
    expect(approved.status).toBe(200);
    const run = await waitFor(id, finished);
    expect(run).toMatchObject({ status: 'succeeded', approvals: [{ step: 'high-risk', decision: 'approved', by: 'boss', comment: 'lab window' }] });
    expect((await hostOf(id)).steps.reboot).toMatchObject({ status: 'succeeded', stdout: 'rebooting the lab\n' });
    const audit = await call(root, 'GET', `/audit?action=automation.run.approve&targetId=${id}`);
    expect(audit.body.items).toEqual([expect.objectContaining({ outcome: 'success', detail: 'step high-risk: lab window' })]);
  });

  it('stops a run whose high-risk commands are rejected, with nothing run', async () => {
    const id = await start('lab-reboot');
    await waitFor(id, (r) => r.status === 'waiting');
    expect((await call(boss, 'POST', `/automation/runs/${id}/approvals`, { step: 'high-risk', decision: 'rejected' })).status).toBe(200);
    const run = await waitFor(id, finished);
    expect(run).toMatchObject({ status: 'stopped', summary: 'its high-risk commands were not approved; nothing ran', hosts: { not_run: 1 } });
  });

  it('refuses an approval of high-risk commands for a run that has none', async () => {
    const id = await start('self-destruct', { tool: 'true' });
    const res = await call(boss, 'POST', `/automation/runs/${id}/approvals`, { step: 'high-risk', decision: 'approved' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'body.step' });
    await waitFor(id, finished);
  });

  it("checks on each host what a step really sends: a command made of an earlier step's output is blocked there", async () => {
    const marker = path.join(scratch, 'late-ran');
    await publish('late-danger', {
      steps: [
        { id: 'pick', type: 'ssh.command', command: 'echo fd-self-destruct' },
        { id: 'act', type: 'ssh.command', command: `"$T" --now; touch ${marker}`, env: { T: '{{steps.pick.stdout}}' } },
      ],
    });
    const run = await waitFor(await start('late-danger'), finished);
    expect(run).toMatchObject({ status: 'failed', risk: { decision: 'allow', uncheckedSteps: ['act'] } });
    const steps = (await hostOf(run.id)).steps;
    expect(steps.pick.status).toBe('succeeded');
    expect(steps.act).toMatchObject({ status: 'blocked', error: expect.stringMatching(/^the high-risk check blocked it: line 1 `fd-self-destruct --now`: fd-self-destruct/) });
    expect(steps.act.output.findings).toEqual([expect.objectContaining({ ruleId: 'fd-self-destruct' })]);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('blocks on a host a finding that needs approval nobody gave at the start', async () => {
    await publish('late-reboot', {
      steps: [
        { id: 'pick', type: 'ssh.command', command: 'echo fd-lab-reboot' },
        { id: 'act', type: 'ssh.command', command: '"$T"', env: { T: '{{steps.pick.stdout}}' } },
      ],
    });
    const run = await waitFor(await start('late-reboot'), finished);
    expect(run.status).toBe('failed');
    expect((await hostOf(run.id)).steps.act).toMatchObject({ status: 'blocked', error: expect.stringMatching(/needs a second person's approval that the run did not get .*fd-lab-reboot/) });
  });
});

describe('who may run what: risk levels and target scopes per role', () => {
  let operator: TestUser;
  let labbie: TestUser;
  let lab2: string;

  beforeAll(async () => {
    const role = await call(root, 'PUT', '/roles/lab_test', { description: 'Runs runbooks on the test systems of dc-a', permissions: ['automation.read', 'automation.run', 'cmdb.read'] });
    expect(role.status).toBe(200);
    operator = await addUser(api.db, 'opal', ['automation_operator']);
    labbie = await addUser(api.db, 'labbie', ['lab_test']);
    const ci = await call(ops, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name: 'lab-2', primary_ip: '127.0.0.1', zone: 'dc-a', environment: 'test', ssh_port: sshd.port, ssh_credential: credentialId }, tags: ['scoped'] });
    expect(ci.status).toBe(201);
    lab2 = ci.body.id;
    const roles = ['automation_operator', 'lab_test', 'automation_admin'];
    await publish('scoped-echo', { risk: 'low', allowedRoles: roles, targets: { selector: { class: 'host' } }, steps: [{ id: 'hello', type: 'ssh.command', command: 'echo hello from $(hostname)' }] });
    await publish('high-echo', { risk: 'high', allowedRoles: roles, targets: { selector: { class: 'host', tags: ['scoped'] } }, steps: [{ id: 'hello', type: 'ssh.command', command: 'echo high' }] });
  });

  it('refuses a runbook above the risk level of the caller’s role, and audits the refusal', async () => {
    const res = await call(operator, 'POST', '/automation/runs', { runbook: 'high-echo' });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toBe('runbook high-echo is high risk; your roles that may run it take runbooks automation_operator up to medium');
    const audit = await call(root, 'GET', '/audit?action=automation.run.start&targetId=high-echo');
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'opal' }), target: { type: 'runbook', id: 'high-echo' }, outcome: 'denied', detail: res.body.detail })]);
    // Within their level the same operator runs on every target: automation_operator has no scope.
    expect((await waitFor(await start('scoped-echo', undefined, operator), finished)).status).toBe('succeeded');
  });

  it('refuses a run whose targets leave the caller’s scope, naming them and why, and audits it', async () => {
    const res = await call(labbie, 'POST', '/automation/runs', { runbook: 'scoped-echo' });
    expect(res.status).toBe(403);
    expect(res.body.detail).toBe('1 of 2 targets are outside your target scope: lab-1 (environment (none) is not test); narrow the run with targets, or ask someone whose scope covers them');
    const audit = await call(root, 'GET', '/audit?action=automation.run.start&targetId=scoped-echo');
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'labbie' }), outcome: 'denied', detail: res.body.detail })]);
    expect((await call(root, 'GET', '/automation/runs?runbook=scoped-echo')).body.items.every((r: any) => r.requestedBy !== 'labbie')).toBe(true);
  });

  it('runs within the scope: the targets narrowed to it, and a high-risk runbook the role takes', async () => {
    const narrowed = await call(labbie, 'POST', '/automation/runs', { runbook: 'scoped-echo', targets: [lab2] });
    expect(narrowed.status).toBe(201);
    const run = await waitFor(narrowed.body.id, finished);
    expect(run).toMatchObject({ status: 'succeeded', targets: { total: 1 } });
    expect((await waitFor(await start('high-echo', undefined, labbie), finished)).status).toBe('succeeded');
  });

  it('never limits admins', async () => {
    const res = await call(root, 'POST', '/automation/runs', { runbook: 'scoped-echo' });
    expect(res.status).toBe(201);
    expect((await waitFor(res.body.id, finished)).targets.total).toBe(2);
  });
});

describe('dry runs: what a run would do, with nothing stored or executed', () => {
  const dry = (user: TestUser, body: Record<string, unknown>) => call(user, 'POST', '/automation/runs/dry-run', body);
  const runCount = async () => (await call(root, 'GET', '/automation/runs?limit=200')).body.items.length;

  it('shows the targets, each step as the hosts would get it and the findings that would block it', async () => {
    const before = await runCount();
    const res = await dry(ops, { runbook: 'self-destruct', params: { tool: 'fd-self-destruct' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      runbook: { id: 'self-destruct', version: 1, risk: 'high' },
      targets: { total: 1, byZone: { 'dc-a': 1 }, listed: [{ name: 'lab-1', address: '127.0.0.1', zone: 'dc-a' }] },
      steps: [
        { id: 'first', type: 'ssh.command', renderings: [{ command: `touch ${path.join(scratch, 'blocked-ran')}`, hosts: 1, sample: ['lab-1'] }] },
        { id: 'destroy', renderings: [{ command: `export TOOL='fd-self-destruct'; "$TOOL" --now`, hosts: 1 }] },
      ],
      risk: { decision: 'block', findings: [{ step: 'destroy', ruleId: 'fd-self-destruct', action: 'block' }] },
    });
    expect(await runCount()).toBe(before);
  });

  it("says which steps wait for an earlier step's output, and masks secret parameters", async () => {
    const late = await dry(ops, { runbook: 'late-danger' });
    expect(late.body.steps[1]).toMatchObject({ id: 'act', unrendered: { hosts: 1, reason: expect.stringMatching(/steps/) } });
    expect(late.body.steps[1].renderings).toEqual([]);
    expect(late.body.risk).toMatchObject({ decision: 'allow', uncheckedSteps: ['act'] });
    await publish('secret-echo', {
      risk: 'low',
      parameters: { type: 'object', properties: { token: { type: 'string', title: 'Token' } }, required: ['token'] },
      secretParameters: ['token'],
      steps: [{ id: 'use', type: 'ssh.command', command: 'test -n "$TOKEN"', env: { TOKEN: '{{params.token}}' } }],
    });
    const secret = await dry(ops, { runbook: 'secret-echo', params: { token: 'hunter2-very-secret' } });
    expect(secret.status).toBe(200);
    expect(JSON.stringify(secret.body)).not.toContain('hunter2-very-secret');
    expect(secret.body.steps[0].renderings[0].command).toMatch(/^export TOKEN=.*; test -n "\$TOKEN"$/);
  });

  it('refuses what starting the run would refuse, with the same reasons', async () => {
    const labbie = await addUser(api.db, 'labbie-dry', ['lab_test']);
    const scoped = await dry(labbie, { runbook: 'scoped-echo' });
    expect(scoped.status).toBe(403);
    expect(scoped.body.detail).toMatch(/^1 of 2 targets are outside your target scope: lab-1/);
    expect((await dry(viewer, { runbook: 'scoped-echo' })).status).toBe(403);
    const missing = await dry(ops, { runbook: 'no-such-runbook' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const params = await dry(ops, { runbook: 'secret-echo', params: {} });
    expect(params.status).toBe(400);
    expect(params.body.errors).toEqual([expect.objectContaining({ field: expect.stringMatching(/^body\.params/) })]);
    const target = await dry(ops, { runbook: 'secret-echo', params: { token: 'x' }, targets: ['no-such-ci'] });
    expect(target.body.errors).toEqual([{ field: 'body.targets.0', message: 'no CI no-such-ci' }]);
    expect((await dry(ops, { runbook: 42 })).status).toBe(400);
  });
});
