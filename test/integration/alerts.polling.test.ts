import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { syncPollingSchedules } from '../../api/pollingSchedules';
import { validateAlertRules } from '../../domain/alert/rules';
import { pollingScheduleId, validatePollingJobs } from '../../domain/collection/pollingJob';
import type { PollCounts } from '../../domain/collection/pollingRun';
import { validateThresholdRules } from '../../domain/collection/thresholdRules';
import { loadCatalog } from '../../runtime/catalog';
import { loadCmdbModel } from '../../runtime/catalog/cmdb';
import { addUser, eventually, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Snmpd, startSnmpd } from '../setup/snmpd';

// Built-in collection end to end on the real engine: a polling job's Temporal Schedule
// polls three CMDB CIs through a zone worker — a host and a switch at a real Net-SNMP
// agent (v3 with the job's credential, v2c with the CI's own), and a switch that does not
// answer. Samples are stored and read back through the API; the agent's hrProcessorLoad is
// served by a `pass` script from a file the test writes, so a real value crosses the
// threshold, hovers between the limits and recovers, and the alert fires (opening an
// incident through the alert rules), holds and resolves (resolving the incident).

const HR_PROCESSOR_LOAD = '.1.3.6.1.2.1.25.3.3.1.2';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-polling-'));
const loadFile = path.join(dir, 'cpu-load');
const script = path.join(dir, 'cpu-load.sh');

/** An snmpd `pass` program: hrProcessorLoad.1 is the number in loadFile (and it hides the real processors' loads). */
const PASS_SCRIPT = `#!/bin/sh
BASE=${HR_PROCESSOR_LOAD}
VALUE=$(cat ${loadFile})
case "$1" in
  -g) [ "$2" = "$BASE.1" ] && printf '%s\\ninteger\\n%s\\n' "$BASE.1" "$VALUE" ;;
  -n) case "$2" in $BASE|$BASE.0|.1.3.6.1.2.1.25.3.3.1|.1.3.6.1.2.1.25.3.3) printf '%s\\ninteger\\n%s\\n' "$BASE.1" "$VALUE" ;; esac ;;
esac
exit 0
`;

const { model } = loadCmdbModel(path.resolve(__dirname, '../../catalog'));

let agent: Snmpd;
let api: TestApi;
let worker: TestWorker;
let admin: TestUser;
let requester: TestUser;
const ci: Record<'host' | 'sw' | 'dead' | 'refused', string> = { host: '', sw: '', dead: '', refused: '' };

async function call(user: TestUser, method: string, route: string, body?: unknown): Promise<{ status: number; body: any; type: string | null }> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: user.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, type: res.headers.get('content-type') };
}

/** Fires the job's schedule now and waits for the run it starts. */
async function poll(): Promise<{ workflowId: string; counts: PollCounts }> {
  const handle = api.client.schedule.getHandle(pollingScheduleId('lab'));
  const before = (await handle.describe()).info.numActionsTaken;
  await handle.trigger();
  const action = await eventually('the schedule to start a run', async () => {
    const info = (await handle.describe()).info;
    return info.numActionsTaken > before ? info.recentActions.at(-1) : null;
  });
  const workflowId = action.action.workflow.workflowId;
  return { workflowId, counts: await api.client.workflow.getHandle(workflowId).result() };
}

const setLoad = (value: number) => fs.writeFileSync(loadFile, `${value}\n`);

async function samples(ciId: string, metric: string, extra = ''): Promise<any> {
  const res = await call(admin, 'GET', `/metrics/samples?ci=${ciId}&metric=${metric}${extra}`);
  expect(res.status).toBe(200);
  return res.body;
}

const values = (body: any, instance = '') => body.series.find((s: any) => s.instance === instance)?.points.map((p: any) => p.value) ?? [];

async function thresholdAlerts(): Promise<any[]> {
  return (await call(admin, 'GET', '/alerts?source=threshold&state=firing,resolved')).body.items;
}

beforeAll(async () => {
  fs.writeFileSync(script, PASS_SCRIPT, { mode: 0o755 });
  setLoad(50);
  agent = await startSnmpd({ sysName: 'poll-lab', extraConfig: [`pass -p 1 ${HR_PROCESSOR_LOAD} ${script}`] });
  const jobs = validatePollingJobs(
    {
      jobs: [
        {
          name: 'lab',
          targets: { any: [{ class: 'host', tags: ['snmp-lab'] }, { class: 'network_device', tags: ['snmp-lab'] }] },
          // Never due during the test: the test fires it.
          every: '1h',
          metrics: ['host-resources', 'if-mib'],
          credential: 'lab-v3',
          port: agent.port,
          timeout: '500ms',
          concurrency: 2,
        },
      ],
    },
    model,
  );
  const thresholds = validateThresholdRules(
    {
      thresholds: [
        { id: 'lab-cpu', name: 'LabCpuHigh', metric: 'cpu.load', op: '>', limit: 90, clear: 80, for: '1s', clearFor: '0s', severity: 'major', cis: { class: 'host' }, summary: 'CPU load on {{ci}} is {{value}} (above {{limit}})' },
        { id: 'lab-unreachable', name: 'LabSnmpDown', metric: 'snmp.up', op: '<', limit: 1, severity: 'warning', summary: '{{ci}} does not answer SNMP' },
      ],
    },
    model,
  );
  const alertRules = validateAlertRules({
    rules: [
      { id: 'lab-incident', match: '{rule="lab-cpu"}', groupBy: ['ci'], groupWindow: '1m', holdFor: '0s', incident: { fallbackGroup: 'service-desk' }, resolve: 'all' },
      { id: 'lab-track', groupBy: ['source', 'labels.alertname'], groupWindow: '1m' },
    ],
  });
  if (!jobs.ok || !thresholds.ok || !alertRules.ok) throw new Error(JSON.stringify([jobs, thresholds, alertRules]));
  const catalog = { ...loadCatalog(), polling: jobs.catalog, thresholds: thresholds.rules, alertRules: alertRules.rules };
  api = await startTestApi({ catalog });
  worker = await startZoneWorker(api.db, api.dbName, 'dc-p', api.masterKey, { workerName: 'worker-dc-p' });
  admin = await addUser(api.db, 'root', ['admin'], ['service-desk']);
  requester = await addUser(api.db, 'rita', ['requester']);
  const v2c = await call(admin, 'POST', '/credentials', { name: 'lab-v2c', kind: 'snmp_community', community: agent.community });
  const v3 = await call(admin, 'POST', '/credentials', { name: 'lab-v3', kind: 'snmp_v3', username: agent.v3.username, securityLevel: 'authPriv', authProtocol: 'sha', privProtocol: 'aes', authKey: agent.v3.authKey, privKey: agent.v3.privKey });
  const wrongKey = await call(admin, 'POST', '/credentials', { name: 'lab-v3-wrong', kind: 'snmp_v3', username: agent.v3.username, securityLevel: 'authPriv', authProtocol: 'sha', privProtocol: 'aes', authKey: 'not-the-auth-key', privKey: agent.v3.privKey });
  expect([v2c.status, v3.status, wrongKey.status]).toEqual([201, 201, 201]);
  const make = async (cls: string, attributes: Record<string, unknown>) => {
    const res = await call(admin, 'POST', '/cmdb/cis', { class: cls, attributes: { zone: 'dc-p', ...attributes }, tags: ['snmp-lab'] });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  // The host has no snmp_credential: the job's (v3, by name) is used. The switches name their own (v2c).
  ci.host = await make('virtual_machine', { name: 'srv-lab', hostname: 'srv-lab', primary_ip: '127.0.0.1' });
  ci.sw = await make('network_device', { name: 'sw-lab', primary_ip: '127.0.0.1', role: 'switch', snmp_credential: v2c.body.id });
  // Nothing answers SNMP on 127.0.0.2.
  ci.dead = await make('network_device', { name: 'sw-dead', primary_ip: '127.0.0.2', role: 'switch', snmp_credential: v2c.body.id });
  // The agent answers, but refuses this CI's credential (a wrong v3 authKey).
  ci.refused = await make('network_device', { name: 'sw-refused', primary_ip: '127.0.0.1', role: 'switch', snmp_credential: wrongKey.body.id });
  await syncPollingSchedules(api.client, api.taskQueue, catalog.polling.jobs);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await agent?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the job has a Temporal Schedule; a run polls every CI it selects in its zone, stores samples, and reports the devices that do not answer or refuse the credential', async () => {
  const jobs = await call(admin, 'GET', '/metrics/polling-jobs');
  expect(jobs.status).toBe(200);
  expect(jobs.body.items).toEqual([expect.objectContaining({ name: 'lab', every: '1h', metrics: ['host-resources', 'if-mib'], paused: false, schedule: expect.objectContaining({ id: 'polling:lab', paused: false, nextRuns: [expect.any(String), expect.any(String), expect.any(String)] }), lastRun: null })]);

  const { counts } = await poll();
  expect(counts).toMatchObject({ targets: 4, done: 4, ok: 2, unreachable: 1, failed: 1 });

  // The host over v3 with the job's credential: CPU from the pass script, memory and the root filesystem from HOST-RESOURCES.
  expect(values(await samples(ci.host, 'cpu.load'))).toEqual([50]);
  const memory = values(await samples(ci.host, 'memory.used_percent'));
  expect(memory).toHaveLength(1);
  expect(memory[0]).toBeGreaterThan(0);
  expect(memory[0]).toBeLessThan(100);
  const disks = await samples(ci.host, 'disk.used_percent');
  expect(disks.series.map((s: any) => s.instance)).toContain('/');
  // The switch over v2c with its own credential: this machine's interfaces, loopback up.
  const status = await samples(ci.sw, 'if.oper_status');
  expect(status.series.map((s: any) => s.instance).sort()).toEqual(fs.readdirSync('/sys/class/net').sort());
  expect(values(status, 'lo')).toEqual([1]);
  expect(values(await samples(ci.sw, 'if.down'), 'lo')).toEqual([0]);
  expect(values(await samples(ci.sw, 'snmp.up'))).toEqual([1]);
  // No rate yet: a rate needs two polls.
  expect((await samples(ci.sw, 'if.in.bps')).series).toEqual([]);

  // The device that did not answer: snmp.up 0, in the run's report, and an alert on its CI.
  expect(values(await samples(ci.dead, 'snmp.up'))).toEqual([0]);
  const lastRun = (await call(admin, 'GET', '/metrics/polling-jobs')).body.items[0].lastRun;
  expect(lastRun).toMatchObject({ status: 'completed', counts: { targets: 4, ok: 2, unreachable: 1, failed: 1 } });
  expect(lastRun.problems).toEqual([
    { ciId: ci.dead, name: 'sw-dead', status: 'unreachable', error: expect.stringContaining('no SNMP answer from 127.0.0.2') },
    { ciId: ci.refused, name: 'sw-refused', status: 'failed', error: expect.stringContaining(`the authKey or authProtocol (sha) of user '${agent.v3.username}' is wrong`) },
  ]);
  // Only the device that did not answer alerts: a refused credential is our mistake, not the device's, and stores nothing.
  expect((await thresholdAlerts()).map((a) => [a.name, a.state, a.ciId])).toEqual([['LabSnmpDown', 'firing', ci.dead]]);
  expect((await samples(ci.refused, 'snmp.up')).series).toEqual([]);
  const down = (await thresholdAlerts())[0];
  expect(down).toMatchObject({ summary: 'sw-dead does not answer SNMP', labels: { alertname: 'LabSnmpDown', rule: 'lab-unreachable', metric: 'snmp.up', ci: ci.dead } });
});

test('a real value crosses the limit: pending for the hold, then an alert and an incident; between the limits it holds; below the clear limit it resolves, and so does the incident', async () => {
  setLoad(95);
  const second = await poll();
  expect(second.counts).toMatchObject({ ok: 2, unreachable: 1, failed: 1, crossings: 0 });
  const rules = (await call(admin, 'GET', '/metrics/thresholds')).body.items;
  expect(rules.find((r: any) => r.id === 'lab-cpu').active).toEqual([{ ci: ci.host, instance: '', phase: 'pending', since: expect.any(String), breachedAt: null, value: 95 }]);
  expect((await thresholdAlerts()).filter((a) => a.name === 'LabCpuHigh')).toEqual([]);
  // The second poll has rates: bits per second over the two polls' counters.
  expect(values(await samples(ci.sw, 'if.in.bps'), 'lo')).toHaveLength(1);

  // The hold is one second of sample time: the next poll is at least that much later.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const third = await poll();
  expect(third.counts.crossings).toBe(1);
  const [fired] = (await thresholdAlerts()).filter((a) => a.name === 'LabCpuHigh');
  expect(fired).toMatchObject({ source: 'threshold', sender: 'thresholds', state: 'firing', severity: 'major', ciId: ci.host, summary: 'CPU load on srv-lab is 95% (above 90%)', nativeKey: `lab-cpu|${ci.host}|`, count: 1 });
  const alertId = fired.id as string;
  const withIncident = await eventually('the incident', async () => {
    const one = await call(admin, 'GET', `/alerts/${encodeURIComponent(alertId)}`);
    return one.body.incident ? one.body : null;
  });
  expect(withIncident.groupKey).toMatch(/^lab-incident\//);
  const incident = (await call(admin, 'GET', `/tickets/${withIncident.incident}`)).body;
  expect(incident).toMatchObject({ kind: 'incident', assignmentGroup: 'service-desk' });
  if (process.env.RECORD_HISTORIES === '1') {
    fs.writeFileSync(path.join(__dirname, '../replay/histories/polling-crossing.json'), historyToJSON(await api.client.workflow.getHandle(third.workflowId).fetchHistory()));
  }

  // 85: below the limit, above the clear limit. Nothing changes.
  setLoad(85);
  expect((await poll()).counts.crossings).toBe(0);
  expect((await call(admin, 'GET', `/alerts/${encodeURIComponent(alertId)}`)).body).toMatchObject({ state: 'firing', count: 1 });

  setLoad(50);
  expect((await poll()).counts.crossings).toBe(1);
  const resolved = (await call(admin, 'GET', `/alerts/${encodeURIComponent(alertId)}`)).body;
  expect(resolved).toMatchObject({ state: 'resolved', summary: 'CPU load on srv-lab is 95% (above 90%)', annotations: { value: '95', recovered_value: '50' } });
  await eventually('the incident to resolve', async () => (await call(admin, 'GET', `/tickets/${withIncident.incident}`)).body.state === 'resolved');
  expect((await call(admin, 'GET', '/metrics/thresholds')).body.items.find((r: any) => r.id === 'lab-cpu').active).toEqual([]);

  // The trend of the five polls, raw and in one bucket.
  expect(values(await samples(ci.host, 'cpu.load'))).toEqual([50, 95, 95, 85, 50]);
  const bucketed = await samples(ci.host, 'cpu.load', '&step=1d');
  expect(bucketed).toMatchObject({ unit: 'percent', step: '1d', truncated: false });
  expect(bucketed.series[0].points).toEqual([{ at: expect.any(String), value: 75, min: 50, max: 95, count: 5 }]);
  expect((await samples(ci.host, 'cpu.load', '&limit=2')).truncated).toBe(true);
});

test('a run of a job the catalog no longer has fails, and says why', async () => {
  const handle = await api.client.workflow.start('pollingWorkflow', { args: [{ job: 'ghost' }], taskQueue: api.taskQueue, workflowId: 'polling/ghost-manual' });
  await expect(handle.result()).rejects.toThrow();
  const run = await api.db.collection('polling_runs').findOne({ job: 'ghost' });
  expect(run).toMatchObject({ status: 'failed', error: "polling job 'ghost' is not in the catalog (collection/polling-jobs.yaml)" });
});

test('the samples API checks its input (problem+json naming each field) and its permission', async () => {
  const missing = await call(admin, 'GET', '/metrics/samples?metric=cpu');
  expect(missing.status).toBe(400);
  expect(missing.type).toMatch(/^application\/problem\+json/);
  expect(missing.body.errors.map((e: any) => e.field).sort()).toEqual(['query.ci', 'query.metric']);
  const backwards = await call(admin, 'GET', `/metrics/samples?ci=${ci.host}&metric=cpu.load&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`);
  expect(backwards).toMatchObject({ status: 400, body: { errors: [{ field: 'query.from', message: 'must be before `to`' }] } });
  const badStep = await call(admin, 'GET', `/metrics/samples?ci=${ci.host}&metric=cpu.load&step=fast`);
  expect(badStep.body.errors).toEqual([{ field: 'query.step', message: "a duration of at least 1s, such as '5m' or '1h'" }]);
  expect((await call(admin, 'GET', '/metrics/samples?ci=ci-nope&metric=cpu.load')).status).toBe(404);
  // A requester may not read the CMDB, nor its samples.
  expect((await call(requester, 'GET', `/metrics/samples?ci=${ci.host}&metric=cpu.load`)).status).toBe(403);
  expect((await call(requester, 'GET', '/metrics/polling-jobs')).status).toBe(403);
});
