import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { type Snmpd, startSnmpd } from '../setup/snmpd';
import { type Sshd, startSshd } from '../setup/sshd';

// Discovery end to end: jobs through the API, runs as Temporal workflows, probes against a
// real OpenSSH server and real Net-SNMP agents, records through identification and
// reconciliation into the real store; sync from a real HTTP feed; Temporal Schedules.

let api: TestApi;
let admin: TestUser;
let agent: TestUser;
let sshd: Sshd;
let hostAgent: Snmpd;
let switchAgent: Snmpd;
let feed: http.Server;
let feedUrl: string;
const feedBodies: Record<string, { type: string; body: string }> = {};
const FEED_TOKEN = 'feed-token-7f3a';
const credentials: Record<string, string> = {};

beforeAll(async () => {
  [api, sshd, hostAgent, switchAgent] = await Promise.all([startTestApi(), startSshd(), startSnmpd({ sysName: os.hostname() }), startSnmpd({ sysName: 'core-sw1', sysObjectId: '1.3.6.1.4.1.9.1.516' })]);
  admin = await addUser(api.db, 'disco', ['cmdb_admin', 'automation_admin']);
  agent = await addUser(api.db, 'andy', ['agent']);
  feed = http.createServer((req, res) => {
    const served = feedBodies[req.url ?? ''];
    if (req.headers.authorization !== `Bearer ${FEED_TOKEN}`) return void res.writeHead(401).end('no');
    if (!served) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': served.type }).end(served.body);
  });
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}`;
  const make = async (name: string, body: Record<string, unknown>) => {
    const res = await call(admin, 'POST', '/credentials', { name, ...body });
    expect(res.status).toBe(201);
    credentials[name] = res.body.id;
  };
  await make('lab-ssh', { kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  await make('lab-ssh-stranger', { kind: 'ssh_key', username: sshd.username, privateKey: sshd.strangerKey });
  await make('lab-snmp', { kind: 'snmp_community', community: hostAgent.community });
  await make('switch-v3', { kind: 'snmp_v3', username: switchAgent.v3.username, securityLevel: 'authPriv', authProtocol: 'sha', privProtocol: 'aes', authKey: switchAgent.v3.authKey, privKey: switchAgent.v3.privKey });
  await make('feed-token', { kind: 'http_bearer', token: FEED_TOKEN });
  await make('feed-wrong', { kind: 'http_bearer', token: 'not-the-token' });
}, 60_000);

afterAll(async () => {
  feed?.close();
  await Promise.all([api?.stop(), sshd?.stop(), hostAgent?.stop(), switchAgent?.stop()]);
});

interface Res {
  status: number;
  body: any;
  headers: Headers;
}
async function call(user: TestUser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: user.bearer, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function saveJob(name: string, body: Record<string, unknown>): Promise<Res> {
  return call(admin, 'PUT', `/cmdb/discovery/jobs/${name}`, body);
}

/** Starts a run and waits for its report. */
async function runJob(name: string): Promise<any> {
  const started = await call(admin, 'POST', `/cmdb/discovery/jobs/${name}/runs`);
  expect(started.status).toBe(202);
  expect(started.headers.get('location')).toContain(encodeURIComponent(started.body.id));
  return waitRun(started.body.id);
}

async function waitRun(id: string): Promise<any> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await call(agent, 'GET', `/cmdb/discovery/runs/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    if (res.body.status !== 'running') return res.body;
    if (Date.now() > deadline) throw new Error(`run ${id} still running: ${JSON.stringify(res.body.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ci = async (id: string) => (await call(agent, 'GET', `/cmdb/cis/${id}`)).body;
const query = async (selector: Record<string, unknown>) => (await call(agent, 'POST', '/cmdb/query', { selector, limit: 500 })).body.items as any[];

let hostId: string;

test('a sweep over SSH and SNMP finds this machine, with its facts, interfaces and host key; the other addresses do not answer', async () => {
  const saved = await saveJob('lab', {
    description: 'The lab loopback range',
    kind: 'network',
    network: { targets: ['127.0.0.1-127.0.0.3'], ssh: { credential: credentials['lab-ssh'], port: sshd.port }, snmp: { credential: credentials['lab-snmp'], port: hostAgent.port }, concurrency: 2, timeoutSeconds: 2 },
  });
  expect(saved.status).toBe(200);
  expect(saved.body).toMatchObject({ name: 'lab', kind: 'network', version: 1, updatedBy: 'disco', nextRunAt: null });
  expect(saved.body.network.ssh.port).toBe(sshd.port);

  const run = await runJob('lab');
  expect(run).toMatchObject({ job: 'lab', kind: 'network', trigger: 'user', requestedBy: 'disco', status: 'completed' });
  expect(run.counts.targets).toEqual({ total: 3, done: 3, discovered: 1, noResponse: 2, failed: 0 });
  expect(run.targets.map((t: any) => [t.address, t.status])).toEqual([
    ['127.0.0.1', 'discovered'],
    ['127.0.0.2', 'no_response'],
    ['127.0.0.3', 'no_response'],
  ]);
  const found = run.targets[0];
  expect({ protocols: found.protocols, errors: found.errors }).toEqual({ protocols: { ssh: 'ok', snmp: 'ok' }, errors: [] });
  expect(found.uptimeSeconds).toBeGreaterThanOrEqual(0);
  expect(run.counts.cis.created).toBe(found.cis.created);
  expect(found.cis.created).toBeGreaterThanOrEqual(2); // the host and at least one interface

  // SSH and SNMP both described one host: identified by its address, not duplicated.
  hostId = found.ci.id;
  const host = await ci(hostId);
  expect(['virtual_machine', 'physical_server']).toContain(host.class);
  expect(host.attributes).toMatchObject({
    hostname: os.hostname().split('.')[0],
    primary_ip: '127.0.0.1',
    kernel: os.release(),
    cpu_count: os.availableParallelism(),
    ssh_host_key: sshd.hostKeyFingerprint,
  });
  expect(Math.abs(host.attributes.memory_mb - os.totalmem() / 1024 / 1024)).toBeLessThan(2);
  expect(host.attributes.listening_ports).toEqual(expect.arrayContaining([`tcp/${sshd.port}`]));
  expect(host.sources.kernel).toBe('ssh');
  expect(await query({ class: 'host', where: { primary_ip: { eq: '127.0.0.1' } } })).toHaveLength(1);

  // Interfaces from the agent's ifTable, each contained by the host; loopback left out.
  const interfaces = await query({ class: 'network_interface', where: { device: { eq: hostId } } });
  // The agent's ifTable is the kernel's interface list.
  const kernelInterfaces = fs.readdirSync('/sys/class/net').filter((n) => n !== 'lo');
  expect(interfaces.map((i) => i.attributes.name.slice(os.hostname().length + 1)).sort()).toEqual(kernelInterfaces.sort());
  for (const i of interfaces) expect(i.attributes.name.startsWith(`${os.hostname()} `)).toBe(true);
  const relations = (await call(agent, 'GET', `/cmdb/cis/${hostId}/relations`)).body;
  expect(relations.outgoing.filter((r: any) => r.relation.type === 'contains').map((r: any) => r.other.id).sort()).toEqual(interfaces.map((i) => i.id).sort());

  // History says which run wrote it.
  const history = (await call(agent, 'GET', `/cmdb/cis/${hostId}/history`)).body.items;
  expect(history.map((entry: any) => entry.actor)).toContainEqual({ type: 'discovery', id: run.id });
  expect(history.every((entry: any) => entry.actor.type === 'discovery')).toBe(true);
}, 120_000);

test('a second run creates nothing: the same host and interfaces are found again', async () => {
  const run = await runJob('lab');
  expect(run.counts.cis.created).toBe(0);
  expect(run.targets[0].ci.id).toBe(hostId);
  // Interfaces and the agent's view do not move between runs; listening ports may (other tests open ports).
  expect(run.counts.cis.unchanged).toBeGreaterThanOrEqual(1);
  const list = (await call(agent, 'GET', '/cmdb/discovery/runs?job=lab')).body.runs;
  expect(list.map((r: any) => r.id)).toEqual(expect.arrayContaining([run.id]));
  expect(list[0].id).toBe(run.id);
}, 120_000);

test('SNMPv3 (authPriv) against an agent posing as a Cisco switch makes a network device with its interfaces', async () => {
  expect((await saveJob('switches', { kind: 'network', network: { targets: ['127.0.0.1'], snmp: { credential: credentials['switch-v3'], port: switchAgent.port }, timeoutSeconds: 2 } })).status).toBe(200);
  const run = await runJob('switches');
  expect(run.status).toBe('completed');
  expect(run.targets[0]).toMatchObject({ status: 'discovered', protocols: { snmp: 'ok' }, ci: { class: 'network_device', name: 'core-sw1' } });
  const device = await ci(run.targets[0].ci.id);
  expect(device.attributes).toMatchObject({ sys_name: 'core-sw1', sys_object_id: '1.3.6.1.4.1.9.1.516', vendor: 'Cisco', primary_ip: '127.0.0.1' });
  expect(device.attributes.sys_descr).toContain(os.release());
  const interfaces = await query({ class: 'network_interface', where: { device: { eq: device.id } } });
  expect(interfaces.length).toBeGreaterThan(0);
  expect(interfaces.every((i) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$|^$/.test(i.attributes.mac_address ?? ''))).toBe(true);
}, 120_000);

test('a refused key and a changed host key fail the target, saying why; nothing is written', async () => {
  expect((await saveJob('stranger', { kind: 'network', network: { targets: ['127.0.0.1'], ssh: { credential: credentials['lab-ssh-stranger'], port: sshd.port }, timeoutSeconds: 5 } })).status).toBe(200);
  const refused = await runJob('stranger');
  expect(refused.status).toBe('completed');
  expect(refused.targets[0]).toMatchObject({ status: 'failed', protocols: { ssh: 'failed' } });
  expect(refused.targets[0].errors[0]).toMatch(/refused the credential/);

  const before = await call(admin, 'GET', `/cmdb/cis/${hostId}`);
  const patched = await call(admin, 'PATCH', `/cmdb/cis/${hostId}`, { attributes: { ssh_host_key: 'SHA256:somebody-elses-key' } }, { 'if-match': before.headers.get('etag')! });
  expect(patched.status).toBe(200);
  const sshOnly = await saveJob('lab-ssh-only', { kind: 'network', network: { targets: ['127.0.0.1'], ssh: { credential: credentials['lab-ssh'], port: sshd.port }, timeoutSeconds: 5 } });
  expect(sshOnly.status).toBe(200);
  const mismatch = await runJob('lab-ssh-only');
  expect(mismatch.targets[0].status).toBe('failed');
  expect(mismatch.targets[0].errors[0]).toMatch(/host key of 127\.0\.0\.1 is SHA256:.* not the known SHA256:somebody-elses-key/);
  expect((await ci(hostId)).attributes.ssh_host_key).toBe('SHA256:somebody-elses-key');
}, 120_000);

test('sync from a JSON feed and a CSV feed with field mappings; a re-run changes nothing', async () => {
  feedBodies['/vms.json'] = { type: 'application/json', body: JSON.stringify({ result: { vms: [{ guest: { hostName: 'sync-vm-1', ip: '10.99.0.1' }, cpus: 2, powerState: 'on' }, { guest: { hostName: 'sync-vm-2', ip: '10.99.0.2' }, cpus: 4 }] } }) };
  const saved = await saveJob('vcenter', { kind: 'sync', sync: { url: `${feedUrl}/vms.json`, format: 'json', credential: credentials['feed-token'], mapping: { class: 'virtual_machine', itemsPath: 'result.vms', attributes: { name: 'guest.hostName', hostname: 'guest.hostName', primary_ip: 'guest.ip', cpu_count: 'cpus' }, tags: ['vcenter'] } } });
  expect(saved.status).toBe(200);
  const first = await runJob('vcenter');
  expect(first).toMatchObject({ kind: 'sync', status: 'completed', counts: { cis: { created: 2, updated: 0, unchanged: 0, rejected: 0 } } });
  expect(first.targets).toBeUndefined();
  const vms = await query({ tags: ['vcenter'] });
  expect(vms.map((v) => [v.attributes.hostname, v.attributes.cpu_count, v.sources.cpu_count]).sort()).toEqual([
    ['sync-vm-1', 2, 'sync'],
    ['sync-vm-2', 4, 'sync'],
  ]);
  const again = await runJob('vcenter');
  expect(again.counts.cis).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 0 });

  feedBodies['/hosts.csv'] = { type: 'text/csv', body: 'Host,IP,CPUs\nsync-vm-2,10.99.0.2,8\nbad host!,10.99.0.3,2\n' };
  expect((await saveJob('cmdb-csv', { kind: 'sync', sync: { url: `${feedUrl}/hosts.csv`, format: 'csv', credential: credentials['feed-token'], mapping: { class: 'virtual_machine', attributes: { name: 'Host', hostname: 'Host', primary_ip: 'IP', cpu_count: 'CPUs' } } } })).status).toBe(200);
  const csv = await runJob('cmdb-csv');
  expect(csv.counts.cis).toEqual({ created: 0, updated: 1, unchanged: 0, rejected: 1 });
  expect(csv.rejected[0].errors[0].field).toBe('attributes.hostname');
  expect(vms.length).toBe(2);
  expect((await query({ class: 'virtual_machine', where: { hostname: { eq: 'sync-vm-2' } } }))[0].attributes.cpu_count).toBe(8);
}, 120_000);

test('a feed that refuses the credential or is not JSON fails the run with the reason', async () => {
  feedBodies['/broken.json'] = { type: 'application/json', body: '{"vms": [' };
  const mapping = { class: 'virtual_machine', attributes: { name: 'n' } };
  expect((await saveJob('feed-401', { kind: 'sync', sync: { url: `${feedUrl}/vms.json`, format: 'json', credential: credentials['feed-wrong'], mapping } })).status).toBe(200);
  expect((await saveJob('feed-broken', { kind: 'sync', sync: { url: `${feedUrl}/broken.json`, format: 'json', credential: credentials['feed-token'], mapping } })).status).toBe(200);
  const [refused, broken] = await Promise.all([runJob('feed-401'), runJob('feed-broken')]);
  expect(refused).toMatchObject({ status: 'failed', error: expect.stringMatching(/answered 401/) });
  expect(broken).toMatchObject({ status: 'failed', error: 'the JSON feed is not valid JSON' });
}, 120_000);

test('a job whose credential was deleted fails its next run at once, naming the credential', async () => {
  const res = await call(admin, 'POST', '/credentials', { name: 'short-lived', kind: 'snmp_community', community: 'x' });
  expect((await saveJob('orphan', { kind: 'network', network: { targets: ['127.0.0.9'], snmp: { credential: res.body.id } } })).status).toBe(200);
  expect((await call(admin, 'DELETE', `/credentials/${res.body.id}`)).status).toBe(204);
  const run = await runJob('orphan');
  expect(run.status).toBe('failed');
  expect(run.error).toBe(`job 'orphan' uses credential ${res.body.id}, which no longer exists: edit the job`);
}, 60_000);

test('bad jobs are refused field by field; unknown jobs and runs are 404; only cmdb admins change jobs', async () => {
  const bad = await saveJob('bad', { kind: 'network', network: { targets: ['10.0.0.1/24', '10.0.0.0/15'], ssh: { credential: credentials['lab-snmp'] }, snmp: { credential: 'cred-missing' } } });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toContain('application/problem+json');
  expect(bad.body.errors).toEqual(
    expect.arrayContaining([
      { field: 'body.network.targets.0', message: expect.stringMatching(/host bits zero/) },
      { field: 'body.network.targets', message: expect.stringMatching(/at most 65536/) },
      { field: 'body.network.ssh.credential', message: 'credential lab-snmp is snmp_community; ssh takes ssh_key or ssh_password' },
      { field: 'body.network.snmp.credential', message: 'no credential cred-missing; create it under /credentials first' },
    ]),
  );
  const noProbe = await saveJob('bad', { kind: 'network', network: { targets: ['10.0.0.1'] } });
  expect(noProbe.status).toBe(400);
  expect(JSON.stringify(noProbe.body.errors)).toContain('a sweep needs ssh, snmp or both');
  const badSync = await saveJob('bad', { kind: 'sync', sync: { url: 'ftp://x/y', format: 'json', mapping: { class: 'host', attributes: { name: 'n' } } } });
  expect(badSync.status).toBe(400);
  const badMapping = await saveJob('bad', { kind: 'sync', sync: { url: `${feedUrl}/x`, format: 'json', mapping: { class: 'virtual_machine', attributes: { flavour: 'f' } } } });
  expect(badMapping.body.errors).toEqual([{ field: 'body.sync.mapping.attributes.flavour', message: "class 'virtual_machine' has no attribute 'flavour'" }]);
  expect((await saveJob('Bad Name', { kind: 'sync' })).status).toBe(400);
  expect((await call(admin, 'GET', '/cmdb/discovery/jobs/bad')).status).toBe(404);
  expect((await call(admin, 'POST', '/cmdb/discovery/jobs/nope/runs')).status).toBe(404);
  expect((await call(admin, 'GET', '/cmdb/discovery/runs/nope')).status).toBe(404);
  expect((await call(agent, 'PUT', '/cmdb/discovery/jobs/lab', { kind: 'network', network: { targets: ['127.0.0.1'], snmp: { credential: credentials['lab-snmp'] } } })).status).toBe(403);
  expect((await call(agent, 'POST', '/cmdb/discovery/jobs/lab/runs')).status).toBe(403);
  // If-Match guards a job like any other record.
  const stale = await call(admin, 'PUT', '/cmdb/discovery/jobs/lab', { kind: 'network', network: { targets: ['127.0.0.1'], snmp: { credential: credentials['lab-snmp'] } } }, { 'if-match': '"99"' });
  expect(stale.status).toBe(412);
});

test('a scheduled job has a Temporal Schedule that starts runs; pausing and deleting the job follow through', async () => {
  const body = { kind: 'network', network: { targets: ['127.0.0.1'], snmp: { credential: credentials['switch-v3'], port: switchAgent.port }, timeoutSeconds: 2 }, schedule: { every: '6h' } };
  const saved = await saveJob('nightly', body);
  expect(saved.status).toBe(200);
  expect(Date.parse(saved.body.nextRunAt)).toBeGreaterThan(Date.now());
  const handle = api.client.schedule.getHandle('discovery:nightly');
  expect((await handle.describe()).state.paused).toBe(false);

  await handle.trigger();
  let scheduled: any;
  const deadline = Date.now() + 60_000;
  while (!scheduled && Date.now() < deadline) {
    scheduled = (await call(agent, 'GET', '/cmdb/discovery/runs?job=nightly')).body.runs[0];
    if (!scheduled) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(scheduled).toMatchObject({ trigger: 'schedule', job: 'nightly' });
  expect(scheduled.id).toMatch(/^nightly-\d{4}-/);
  expect((await waitRun(scheduled.id)).status).toBe('completed');

  const paused = await call(admin, 'PUT', '/cmdb/discovery/jobs/nightly', { ...body, schedule: { every: '6h', paused: true } }, { 'if-match': saved.headers.get('etag')! });
  expect(paused.status).toBe(200);
  expect(paused.body.nextRunAt).toBeNull();
  expect((await handle.describe()).state.paused).toBe(true);

  expect((await call(admin, 'DELETE', '/cmdb/discovery/jobs/nightly')).status).toBe(204);
  await expect(handle.describe()).rejects.toThrow(/not found/i);
  // The run's report outlives its job.
  expect((await call(agent, 'GET', `/cmdb/discovery/runs/${encodeURIComponent(scheduled.id)}`)).status).toBe(200);
}, 120_000);

test('a sweep of 1,100 addresses continues as new past 1,000 and reports every target in order', async () => {
  // Nothing listens on 127.1.x.x:<sshd port>: every address refuses at once.
  expect((await saveJob('wide', { kind: 'network', network: { targets: ['127.1.0.0/22', '127.1.4.1-127.1.4.80'], exclude: ['127.1.1.0-127.1.1.5'], ssh: { credential: credentials['lab-ssh'], port: sshd.port }, concurrency: 64, timeoutSeconds: 1 } })).status).toBe(200);
  const run = await runJob('wide');
  expect(run.status).toBe('completed');
  const total = 1022 + 80 - 6;
  expect(run.counts.targets).toEqual({ total, done: total, discovered: 0, noResponse: total, failed: 0 });
  expect(run.targets).toHaveLength(total);
  expect(run.targets[0].address).toBe('127.1.0.1');
  expect(run.targets.at(-1).address).toBe('127.1.4.80');
  expect(run.targets.map((t: any) => t.address)).not.toContain('127.1.1.3');
  // The history was cut: the latest execution is one that an earlier one continued as.
  const history = await api.client.workflow.getHandle(`discovery/${run.id}`).fetchHistory();
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  expect(started.continuedExecutionRunId).toMatch(/^[0-9a-f-]{36}$/);
}, 180_000);
