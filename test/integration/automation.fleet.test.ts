import { setTimeout as sleep } from 'node:timers/promises';
import { importCmdb } from '../../store/cmdb/importer';
import { loadModel, seedModel } from '../../store/cmdb/modelStore';
import { loadCatalog } from '../../runtime/catalog';
import { addUser, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';

// Fleet scale (issue 6): one run over 5,000 targets. No workflow history may hold that many
// host activities (Temporal caps a history near 51,200 events and 2,000 pending activities),
// so the run fans out into chunk workflows; the run must finish with every target done,
// each command run exactly once. The targets are CIs of their own at one real sshd
// (127.0.0.1, MaxStartups 100): a connection, a host key learnt on first use, a session
// and `true` each. On a quiet two-core machine the test takes 3 minutes (179 s, 4 Dec 2026);
// FLOWDESK_FLEET_TARGETS=600 runs three chunks instead (a minute), 0 skips it.
const TARGETS = Number(process.env.FLOWDESK_FLEET_TARGETS ?? 5000);
const fleetTest = TARGETS > 0 ? test : test.skip;
/** How often the test looks whether the run waits for an operator (it must not). */
const CHECK_MS = 10_000;
const CHUNKS = Math.ceil(TARGETS / 250);
let api: TestApi;
let sshd: Sshd;
let ops: TestUser;
let worker: TestWorker;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: ops.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  if (TARGETS === 0) return;
  // Commands run without root's ~/.bashrc (test/setup/sshd.ts#plainShell): the targets' shells are not what is tested.
  [api, sshd] = await Promise.all([startTestApi(), startSshd({ maxStartups: 100, plainShell: true })]);
  ops = await addUser(api.db, 'fleet', ['automation_admin', 'cmdb_editor']);
  worker = await startZoneWorker(api.db, api.dbName, 'default', api.masterKey, { pool: { maxHandshakes: 16 } });
  const credential = await call('POST', '/credentials', { name: 'fleet-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  expect(credential.status).toBe(201);
  await seedModel(api.db, loadCatalog().cmdb);
  await loadModel(api.db);
  const cis = Array.from({ length: TARGETS }, (_, i) => ({
    class: 'virtual_machine',
    attributes: { name: `fleet-${String(i).padStart(4, '0')}`, hostname: `fleet-${i}`, domain: 'lab.test', primary_ip: '127.0.0.1', ssh_port: sshd.port, ssh_credential: credential.body.id },
    tags: ['fleet'],
  }));
  const report = await importCmdb(api.db, { cis }, { actor: { type: 'import', id: 'fleet-test' } });
  expect(report.cis.created).toBe(TARGETS);
  const saved = await call('PUT', '/automation/runbooks/fleet-true/draft', {
    name: 'Fleet no-op',
    risk: 'low',
    allowedRoles: ['automation_admin'],
    targets: { selector: { class: 'host', tags: ['fleet'] } },
    strategy: { parallelism: 100 },
    steps: [{ id: 'noop', type: 'ssh.command', command: 'true', timeout: '30s' }],
  });
  expect(saved.status).toBe(201);
  expect((await call('POST', '/automation/runbooks/fleet-true/publish', { note: 'fleet' })).status).toBe(201);
}, 600_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all([api?.stop(), sshd?.stop()]);
});

/**
 * The run once its workflow has ended; throws, naming a host, as soon as the run waits for
 * an operator. Watched through the run list, which carries no host counts: each GET of the
 * run counts its hosts, a pass over 5,000 documents on FerretDB.
 */
async function finished(runId: string): Promise<any> {
  const ended = api.client.workflow.getHandle(`run/${runId}`).result();
  for (;;) {
    if (await Promise.race([ended.then(() => true), sleep(CHECK_MS).then(() => false)])) return (await call('GET', `/automation/runs/${runId}`)).body;
    const run = (await call('GET', '/automation/runs?runbook=fleet-true&limit=1')).body.items[0];
    if (run.status === 'waiting') {
      const stuck = (await call('GET', `/automation/runs/${runId}/hosts?status=awaiting_decision&limit=3`)).body.items;
      const one = stuck[0] && (await call('GET', `/automation/runs/${runId}/hosts/${stuck[0].seq}`)).body;
      throw new Error(`the run waits: ${JSON.stringify(run.waiting)}; e.g. ${JSON.stringify(one)}`);
    }
  }
}

fleetTest(`a run over ${TARGETS} targets fans out in chunk workflows and runs every target's command once`, async () => {
  const started = await call('POST', '/automation/runs', { runbook: 'fleet-true' });
  expect(started.status).toBe(201);
  const run = await finished(started.body.id);
  expect(run).toMatchObject({ status: 'succeeded', targets: { total: TARGETS }, hosts: { succeeded: TARGETS } });
  // The run's own history grows with its chunks of 250 hosts (a child's start and end, and the
  // workflow tasks they wake: at most 9 events each), not with its hosts.
  const history = await api.client.workflow.getHandle(`run/${run.id}`).fetchHistory();
  expect(history.events!.length).toBeLessThan(9 * CHUNKS + 40);
  const chunk = await api.client.workflow.getHandle(`run/${run.id}/b0-s0-c0`).fetchHistory();
  expect(chunk.events!.length).toBeLessThan(2000);
  // Every host's step succeeded in its first attempt, and sshd saw one login and one command
  // per target (none ran twice), and dropped no handshake (MaxStartups).
  const firstTime = await api.db.collection('automation_run_hosts').countDocuments({ runId: run.id, 'steps.noop.status': 'succeeded', 'steps.noop.exitCode': 0, 'steps.noop.attempt': 1 });
  expect(firstTime).toBe(TARGETS);
  const log = sshd.readLog();
  expect(log).not.toMatch(/drop connection|beginning MaxStartups throttling/);
  expect(log.match(/Accepted publickey for/g)?.length).toBe(TARGETS);
  expect(log.match(/Starting session: command/g)?.length).toBe(TARGETS);
}, 40 * 60_000);
