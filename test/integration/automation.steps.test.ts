import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../runtime/ports';
import { ContractServer, exchange } from '../fixtures/openstack/contractServer';
import { addUser, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Snmpd, startSnmpd } from '../setup/snmpd';
import { type Sshd, startSshd } from '../setup/sshd';

// The non-SSH-command step types end to end: runbooks published through the library API,
// runs started through the runs API, host steps on a real zone worker against a real
// snmpd (writable), a real local HTTP server, OpenStack's recorded contract (Keystone and
// Nova as their API reference records them) and a real sshd for uploads; results read back.

const SYS = '1.3.6.1.2.1.1';
const OID = { sysDescr: `${SYS}.1.0`, sysUpTime: `${SYS}.3.0`, sysName: `${SYS}.5.0`, sysLocation: `${SYS}.6.0` };
const SERVER = '5046e2f2-3b33-4041-b3cf-e085f73e78e7';

let api: TestApi;
let sshd: Sshd;
let agent: Snmpd;
let contract: ContractServer;
let web: http.Server;
let webUrl: string;
let ops: TestUser;
let worker: TestWorker;
let dir: string;
const credentials: Record<string, string> = {};
const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

interface Res {
  status: number;
  body: any;
}
async function call(method: string, route: string, body?: unknown): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: ops.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function credential(name: string, fields: Record<string, unknown>): Promise<string> {
  const made = await call('POST', '/credentials', { name, ...fields });
  expect({ status: made.status, body: made.status === 201 ? null : made.body }).toEqual({ status: 201, body: null });
  return made.body.id;
}

/** A small HTTP service: echoes what it got, answers any status asked for, records every request. */
function startWeb(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const status = /^\/status\/(\d{3})/.exec(req.url!)?.[1];
      if (status) res.writeHead(Number(status), { 'content-type': 'text/plain', 'retry-after': '1' }).end(`status ${status}\n`);
      else res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'session=secret', 'x-request-id': 'req-1' }).end(JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null, received: body ? JSON.parse(body) : null }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [api, sshd, agent, contract, web] = await Promise.all([startTestApi(), startSshd(), startSnmpd({ writable: true, sysName: 'steps-agent' }), ContractServer.start(), startWeb()]);
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-upload-'));
  ops = await addUser(api.db, 'ops', ['automation_admin', 'cmdb_editor']);
  worker = await startZoneWorker(api.db, api.dbName, 'dc-a', api.masterKey, { workerName: 'worker-dc-a' });
  credentials.ssh = await credential('lab-ssh', { kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  credentials.snmp = await credential('lab-snmp-rw', { kind: 'snmp_community', community: agent.rwCommunity });
  credentials.snmpRo = await credential('lab-snmp-ro', { kind: 'snmp_community', community: agent.community });
  credentials.bearer = await credential('lab-token', { kind: 'http_bearer', token: `tok-${randomBytes(8).toString('hex')}` });
  credentials.cloud = await credential('lab-cloud', { kind: 'openstack_password', authUrl: `${contract.url}/v3`, username: 'admin', password: 'devstacker', projectName: 'admin' });
  const cis = [
    { class: 'network_device', attributes: { name: 'sw-1', primary_ip: '127.0.0.1', zone: 'dc-a', snmp_credential: credentials.snmp }, tags: ['lab-net'] },
    { class: 'network_device', attributes: { name: 'sw-2', primary_ip: '127.0.0.1', zone: 'dc-a' }, tags: ['lab-net-ro'] },
    { class: 'virtual_machine', attributes: { name: 'vm-a', hostname: 'vm-a', primary_ip: '127.0.0.1', zone: 'dc-a', environment: 'test', ssh_port: sshd.port, ssh_credential: credentials.ssh, cloud_id: SERVER }, tags: ['lab-vm'] },
  ];
  for (const ci of cis) {
    const made = await call('POST', '/cmdb/cis', ci);
    expect({ status: made.status, body: made.status === 201 ? null : made.body }).toEqual({ status: 201, body: null });
  }
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all([api?.stop(), sshd?.stop(), agent?.stop(), contract?.close(), new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)))]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Publishes a runbook (draft, then version) through the library API; the response when it is refused. */
async function publish(id: string, definition: Record<string, unknown>): Promise<Res> {
  const saved = await call('PUT', `/automation/runbooks/${id}/draft`, { name: `Test ${id}`, risk: 'low', allowedRoles: ['automation_admin'], ...definition });
  if (saved.status >= 300) return saved;
  const published = await call('POST', `/automation/runbooks/${id}/publish`, { note: 'test' });
  expect(published.status).toBe(201);
  return published;
}

async function start(runbook: string, params?: Record<string, unknown>): Promise<string> {
  const started = await call('POST', '/automation/runs', { runbook, ...(params && { params }) });
  expect({ status: started.status, body: started.status === 201 ? null : started.body }).toEqual({ status: 201, body: null });
  return started.body.id;
}

/** The run once it has finished (or is waiting, with `waiting: true`), and its first host. */
async function settled(id: string, waiting = false): Promise<{ run: any; host: any }> {
  const deadline = Date.now() + 90_000;
  let waitingSince: number | undefined;
  for (;;) {
    const res = await call('GET', `/automation/runs/${id}`);
    if (['succeeded', 'failed', 'stopped', 'cancelled'].includes(res.body.status) || (waiting && res.body.status === 'waiting')) {
      const host = await call('GET', `/automation/runs/${id}/hosts/0`);
      return { run: res.body, host: host.body };
    }
    // A run that keeps waiting (for an approval or a decision nobody gives) will not finish by itself.
    waitingSince = res.body.status === 'waiting' ? (waitingSince ?? Date.now()) : undefined;
    if ((waitingSince !== undefined && Date.now() - waitingSince > 10_000) || Date.now() > deadline) throw new Error(`run ${id} did not finish: ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function runOf(runbook: string, params?: Record<string, unknown>): Promise<{ run: any; host: any }> {
  return settled(await start(runbook, params));
}

const net = { selector: { class: 'network_device', tags: ['lab-net'] } };
const vm = { selector: { class: 'virtual_machine', tags: ['lab-vm'] } };

describe('snmp steps', () => {
  test('get, a condition on its output, a set from templates, and a walk with a row limit', async () => {
    await publish('snmp-happy', {
      targets: net,
      parameters: { type: 'object', properties: { rack: { type: 'string', title: 'Rack' } } },
      steps: [
        { id: 'sys', type: 'snmp.get', oids: [OID.sysName, OID.sysUpTime], port: agent.port },
        { id: 'named', type: 'condition', expression: 'steps.sys.output.varbinds[1].value = "steps-agent"', else: 'fail' },
        { id: 'place', type: 'snmp.set', port: agent.port, varbinds: [{ oid: OID.sysLocation, type: 'OctetString', value: '{{params.rack}} / {{steps.sys.output.varbinds.[0].value}}' }] },
        { id: 'tree', type: 'snmp.walk', oid: SYS, maxRows: 3, port: agent.port },
      ],
    });
    const { run, host } = await runOf('snmp-happy', { rack: 'DC-A r7' });
    expect(run.status).toBe('succeeded');
    expect(host.steps.sys).toMatchObject({ status: 'succeeded', worker: 'worker-dc-a', output: { varbinds: [{ oid: OID.sysName, type: 'OctetString', value: 'steps-agent', encoding: 'text' }, { oid: OID.sysUpTime, type: 'TimeTicks' }] } });
    expect(host.steps.sys.stdout).toContain(`${OID.sysName} = steps-agent (OctetString)`);
    expect(host.steps.place.output.varbinds).toEqual([{ oid: OID.sysLocation, type: 'OctetString', value: 'DC-A r7 / steps-agent', encoding: 'text' }]);
    expect(host.steps.tree.output).toMatchObject({ root: SYS, truncated: true, stoppedBy: 'maxRows' });
    expect(host.steps.tree.output.rows.map((r: any) => r.oid)).toEqual([OID.sysDescr, `${SYS}.2.0`, OID.sysUpTime]);
    expect(host.steps.tree.stdout).toMatch(/^3 rows under 1\.3\.6\.1\.2\.1\.1 \(stopped by maxRows\)/);
    // The agent really has it.
    const again = await publish('snmp-read-back', { targets: net, steps: [{ id: 'loc', type: 'snmp.get', oids: [OID.sysLocation], port: agent.port }] });
    expect(again.status).toBe(201);
    expect((await runOf('snmp-read-back')).host.steps.loc.output.varbinds[0].value).toBe('DC-A r7 / steps-agent');
  });

  test("an agent's refusal fails the step with its reason; no answer is unreachable; the step's credential serves a CI without one", async () => {
    const dead = await freePort();
    await publish('snmp-failing', {
      targets: net,
      steps: [
        { id: 'rename', type: 'snmp.set', port: agent.port, onError: 'continue', varbinds: [{ oid: OID.sysName, type: 'OctetString', value: 'renamed' }] },
        { id: 'silent', type: 'snmp.get', oids: [OID.sysName], port: dead, requestTimeout: '1s', retries: 0 },
      ],
    });
    const { run, host } = await runOf('snmp-failing');
    expect(run.status).toBe('failed');
    expect(host.steps.rename).toMatchObject({ status: 'failed', error: expect.stringContaining('notWritable') });
    expect(host.steps.silent).toMatchObject({ status: 'unreachable', error: expect.stringContaining(`no SNMP answer from 127.0.0.1:${dead}`) });

    await publish('snmp-step-credential', { targets: { selector: { class: 'network_device', tags: ['lab-net-ro'] } }, steps: [{ id: 'sys', type: 'snmp.get', oids: [OID.sysName], port: agent.port, credential: credentials.snmpRo }] });
    expect((await runOf('snmp-step-credential')).host.steps.sys).toMatchObject({ status: 'succeeded', output: { varbinds: [{ value: 'steps-agent' }] } });
  }, 60_000);

  test('a SET without an answer may have been applied: the run asks an operator, who skips it, and the run goes on', async () => {
    const dead = await freePort();
    await publish('snmp-set-silent', {
      targets: net,
      steps: [
        { id: 'place', type: 'snmp.set', port: dead, requestTimeout: '1s', varbinds: [{ oid: OID.sysLocation, type: 'OctetString', value: 'nowhere' }] },
        { id: 'after', type: 'snmp.get', oids: [OID.sysName], port: agent.port },
      ],
    });
    const id = await start('snmp-set-silent');
    const paused = await settled(id, true);
    expect(paused.run.waiting).toEqual([expect.objectContaining({ reason: 'decision', step: 'place' })]);
    expect(paused.host).toMatchObject({ status: 'awaiting_decision', steps: { place: { status: 'unknown', error: expect.stringContaining('may or may not have been applied') } } });
    expect((await call('POST', `/automation/runs/${id}/hosts/0/decision`, { decision: 'skip' })).status).toBeLessThan(300);
    const { run, host } = await settled(id);
    expect(run.status).toBe('succeeded');
    expect(host.steps.place.status).toBe('skipped');
    expect(host.steps.after.status).toBe('succeeded');
  }, 60_000);

  test('bad step inputs are refused at publish with the field and the reason', async () => {
    const refused = await publish('snmp-bad', { targets: net, steps: [{ id: 'x', type: 'snmp.get', oids: ['sysName.0'] }, { id: 'y', type: 'snmp.set', varbinds: [{ oid: OID.sysLocation, type: 'Gauge32', value: -1 }] }] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(['body.steps.0.oids.0', 'body.steps.1.varbinds.0.value']);
    expect(refused.body.errors[0].message).toMatch(/MIB names are not resolved/);
  });
});

describe('http.request', () => {
  test('a POST with a JSON body from templates and a bearer credential; the response is the output, the token masked', async () => {
    received.length = 0;
    await publish('http-post', {
      targets: vm,
      parameters: { type: 'object', properties: { note: { type: 'string', title: 'Note' } } },
      steps: [
        { id: 'call', type: 'http.request', method: 'POST', url: `${webUrl}/hooks/{{target.name}}?env={{target.attributes.environment}}&q={{params.note}}`, credential: credentials.bearer, json: { host: '{{target.name}}', note: '{{params.note}}', n: 1 }, expectStatus: 201 },
        { id: 'check', type: 'condition', expression: 'steps.call.output.json.received.host = "vm-a" and steps.call.output.status = 201', else: 'fail' },
      ],
    });
    const note = 'a "quoted" & spaced/value';
    const { run, host } = await runOf('http-post', { note });
    expect(run.status).toBe('succeeded');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: `/hooks/vm-a?env=test&q=${encodeURIComponent(note)}` });
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received[0]!.body)).toEqual({ host: 'vm-a', note, n: 1 });
    const token = received[0]!.headers.authorization!;
    expect(token).toMatch(/^Bearer tok-/);
    const result = host.steps.call;
    expect(result).toMatchObject({ status: 'succeeded', output: { status: 201, headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' }, json: { received: { host: 'vm-a', note } } } });
    expect(result.output.headers['set-cookie']).toBeUndefined();
    expect(result.output.json.authorization).toBe('••••••');
    expect(result.stdout).toMatch(/^HTTP 201 Created · \d+ bytes · application\/json/);
    expect(JSON.stringify(host)).not.toContain(token.slice('Bearer '.length));
  });

  test('a wrong status fails the step; an idempotent GET is tried again, a POST is not; a closed port is unreachable', async () => {
    received.length = 0;
    const closed = await freePort();
    await publish('http-failing', {
      targets: vm,
      steps: [
        { id: 'get', type: 'http.request', url: `${webUrl}/status/503`, retries: 1, onError: 'continue' },
        { id: 'post', type: 'http.request', method: 'POST', url: `${webUrl}/status/503`, body: 'x', onError: 'continue' },
        { id: 'missing', type: 'http.request', url: `${webUrl}/status/404`, expectStatus: ['2xx', 301], onError: 'continue' },
        { id: 'closed', type: 'http.request', url: `http://127.0.0.1:${closed}/`, retries: 0 },
      ],
    });
    const { run, host } = await runOf('http-failing');
    expect(run.status).toBe('failed');
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /status/503', 'GET /status/503', 'POST /status/503', 'GET /status/404']);
    expect(host.steps.get).toMatchObject({ status: 'failed', attempt: 2, error: expect.stringContaining('HTTP 503'), output: { status: 503, body: 'status 503\n' } });
    expect(host.steps.post).toMatchObject({ status: 'failed', attempt: 1 });
    expect(host.steps.missing).toMatchObject({ status: 'failed', error: expect.stringContaining('expected 2xx or 301') });
    expect(host.steps.closed).toMatchObject({ status: 'unreachable', error: expect.stringContaining('nothing was sent') });
  }, 60_000);
});

describe('cloud.server steps', () => {
  const showing = (server: Record<string, unknown>) => exchange('nova/server-show', { response: { body: { server } } });
  afterEach(() => {
    expect(contract.problems()).toEqual([]);
    contract.reset();
  });

  test('stop waits until the server is stopped; its id comes from the CI', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/server-action-stop'), showing({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped', 'OS-EXT-STS:power_state': 4 }));
    await publish('cloud-stop', { targets: vm, steps: [{ id: 'stop', type: 'cloud.server.stop', credential: credentials.cloud, server: '{{target.attributes.cloud_id}}', timeout: '2m' }] });
    const { run, host } = await runOf('cloud-stop');
    expect(run.status).toBe('succeeded');
    expect(host.steps.stop).toMatchObject({ status: 'succeeded', output: { server: { id: SERVER, status: 'stopped', providerStatus: 'SHUTOFF', task: null } } });
    expect(host.steps.stop.stdout).toContain(`new-server-test (${SERVER}) is stopped (SHUTOFF)`);
  });

  test('a 409 conflict fails the step with Nova’s message, and the worker’s provider reuses its token', async () => {
    contract.expect(exchange('nova/error-409-start-while-active'));
    await publish('cloud-start', { targets: vm, steps: [{ id: 'start', type: 'cloud.server.start', credential: credentials.cloud, server: '{{target.attributes.cloud_id}}' }] });
    const { run, host } = await runOf('cloud-start');
    expect(run.status).toBe('failed');
    expect(host.steps.start).toMatchObject({ status: 'failed', attempt: 1, output: { errorKind: 'conflict', httpStatus: 409, requestId: 'req-4f1e33a8-ec44-4a3c-9fa5-ff3f2d1e8c20' } });
    expect(host.steps.start.error).toContain(`Cannot 'start' instance ${SERVER} while it is in vm_state active`);
    expect(contract.received.filter((line) => line.startsWith('POST /v3/auth/tokens'))).toHaveLength(0);
  });

  test('a list is a read: rate limited, it is tried again after Retry-After, and keeps the servers the step asks for', async () => {
    const page = (n: number) => exchange(`nova/servers-detail-page-${n}`, { request: { query: { limit: '100' } } });
    contract.expect({ ...exchange('nova/error-429-rate-limited', { response: { headers: { 'Retry-After': '1' } } }), request: page(1).request }, page(1), page(2), page(3));
    await publish('cloud-list', { targets: vm, steps: [{ id: 'list', type: 'cloud.server.list', credential: credentials.cloud, status: ['stopped'] }] });
    const { run, host } = await runOf('cloud-list');
    expect(run.status).toBe('succeeded');
    expect(host.steps.list).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(host.steps.list.output.servers.map((s: any) => [s.id, s.status])).toEqual([[SERVER, 'stopped']]);
  });

  test('a credential of another kind fails the step before anything is sent', async () => {
    await publish('cloud-wrong-credential', { targets: vm, steps: [{ id: 'list', type: 'cloud.server.list', credential: credentials.bearer }] });
    const { host } = await runOf('cloud-wrong-credential');
    expect(host.steps.list).toMatchObject({ status: 'failed', error: 'credential lab-token is http_bearer, not a cloud account (openstack_password)' });
    expect(contract.received).toEqual([]);
  });
});

describe('ssh.upload', () => {
  test('writes the file with its mode, verified by checksum; the same content again is unchanged', async () => {
    await publish('upload-motd', { targets: vm, steps: [{ id: 'motd', type: 'ssh.upload', path: `${dir}/{{target.name}}.motd`, content: 'Welcome to {{target.name}} ({{target.attributes.environment}})\n', mode: '0640' }] });
    const first = await runOf('upload-motd');
    const file = path.join(dir, 'vm-a.motd');
    const expected = 'Welcome to vm-a (test)\n';
    const sha256 = createHash('sha256').update(expected).digest('hex');
    expect(first.run.status).toBe('succeeded');
    expect(first.host.steps.motd).toMatchObject({ status: 'succeeded', output: { path: file, sha256, bytes: expected.length, mode: '0640', result: 'created', changed: true } });
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir).filter((name) => name.includes('flowdesk-'))).toEqual([]);
    const written = fs.statSync(file).mtimeMs;

    const second = await runOf('upload-motd');
    expect(second.host.steps.motd).toMatchObject({ status: 'succeeded', output: { sha256, result: 'unchanged', changed: false } });
    expect(second.host.steps.motd.stdout).toContain('already on the host');
    expect(fs.statSync(file).mtimeMs).toBe(written);

    // Someone changed the file: it is replaced, and verified again.
    fs.writeFileSync(file, 'tampered\n');
    fs.chmodSync(file, 0o666);
    const third = await runOf('upload-motd');
    expect(third.host.steps.motd.output).toMatchObject({ sha256, result: 'replaced' });
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
  });

  test('a library script is uploaded as it was published, pinned by the run', async () => {
    const body = '#!/bin/sh\necho "checked {{not a template}}"\n';
    expect((await call('PUT', '/automation/scripts/health-check/draft', { name: 'Health check', language: 'sh', body })).status).toBeLessThan(300);
    expect((await call('POST', '/automation/scripts/health-check/publish', { note: 'first' })).status).toBe(201);
    await publish('upload-script', { targets: vm, steps: [{ id: 'put', type: 'ssh.upload', path: `${dir}/health-check.sh`, script: { id: 'health-check' }, mode: '0755' }] });
    const { host } = await runOf('upload-script');
    expect(host.steps.put).toMatchObject({ status: 'succeeded', output: { result: 'created', source: 'script health-check version 1', sha256: createHash('sha256').update(body).digest('hex') } });
    expect(fs.readFileSync(path.join(dir, 'health-check.sh'), 'utf8')).toBe(body);
    expect(fs.statSync(path.join(dir, 'health-check.sh')).mode & 0o777).toBe(0o755);
  });

  test('a directory that is not there fails the step, a path that is a directory is left alone, and a relative path is refused at publish', async () => {
    await publish('upload-nowhere', {
      targets: vm,
      steps: [
        { id: 'nowhere', type: 'ssh.upload', path: `${dir}/no-such-dir/file.txt`, content: 'x', onError: 'continue' },
        { id: 'onto_dir', type: 'ssh.upload', path: dir, content: 'x' },
      ],
    });
    const { run, host } = await runOf('upload-nowhere');
    expect(run.status).toBe('failed');
    expect(host.steps.nowhere).toMatchObject({ status: 'failed', error: expect.stringContaining('does the directory exist?') });
    expect(host.steps.onto_dir).toMatchObject({ status: 'failed', error: expect.stringContaining('not a regular file') });
    expect(fs.statSync(dir).isDirectory()).toBe(true);

    const refused = await publish('upload-relative', { targets: vm, steps: [{ id: 'rel', type: 'ssh.upload', path: 'etc/motd', content: 'x', mode: '999' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(['body.steps.0.path', 'body.steps.0.mode']);
  });
});
