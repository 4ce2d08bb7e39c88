import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadCatalog } from '../../runtime/catalog';
import { validateAlertRules } from '../../domain/alert/rules';
import { issueToken } from '../../store/tokens';
import { alertGroupWorkflowId } from '../../workflows/alertGroup';
import { addUser, eventually, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { alertmanagerLog, type RealAlertmanager, startAlertmanager } from '../setup/alertmanager';
import { type Sshd, startSshd } from '../setup/sshd';

// Alert to incident through the real engine: intake signals the group workflow
// `alert-group/<key>` only when an alert changes, the group holds, opens one incident with
// the CI's owner group and the alerts in it, attaches a later alert, and resolves the
// incident when the alerts resolve.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

const rules = validateAlertRules({
  rules: [
    {
      id: 'heal',
      match: '{alertname="ServiceDown"}',
      groupBy: ['ci'],
      groupWindow: '3s',
      holdFor: '1s',
      incident: { fallbackGroup: 'service-desk' },
      remediation: { runbook: 'svc-restart', params: { service: '{{labels.component}}' }, maxRuns: 1, per: '1h', verifyWithin: '1m' },
      resolve: 'remediation',
    },
    { id: 'page', minSeverity: 'major', groupBy: ['labels.group'], groupWindow: '3s', holdFor: '2s', incident: { fallbackGroup: 'service-desk', reopenWithin: '1h' }, resolve: 'all' },
  ],
});
if (!rules.ok) throw new Error(JSON.stringify(rules.problems));

let api: TestApi;
let sshd: Sshd;
let worker: TestWorker;
let sender: string;
let admin: TestUser;
let healCi: string;
let senderToken: string;

async function call(bearer: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}


const trigger = (key: string, summary = 'p99 latency above 800 ms') => ({ ...fixture('events-trigger'), dedup_key: key, payload: { ...fixture('events-trigger').payload, severity: 'critical', summary, timestamp: new Date().toISOString() } });
const resolve = (key: string) => ({ ...fixture('events-resolve'), dedup_key: key });

beforeAll(async () => {
  [api, sshd] = await Promise.all([startTestApi({ catalog: { ...loadCatalog(), alertRules: rules.rules } }), startSshd()]);
  admin = await addUser(api.db, 'root', ['admin'], ['service-desk']);
  await addUser(api.db, 'prometheus', ['alert_sender']);
  senderToken = (await issueToken(api.db, 'prometheus', 'grafana', ['alert.intake'], null)).token;
  sender = `Bearer ${senderToken}`;
  // Self-healing: a host CI at a real sshd, a zone worker, and a runbook the alert role may run.
  worker = await startZoneWorker(api.db, api.dbName, 'dc-a', api.masterKey, { workerName: 'worker-heal' });
  const credential = await call(admin.bearer, 'POST', '/credentials', { name: 'heal-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  const ci = await call(admin.bearer, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name: 'heal-1', hostname: 'heal-1', primary_ip: '127.0.0.1', zone: 'dc-a', ssh_port: sshd.port, ssh_credential: credential.body.id }, tags: ['heal'] });
  expect(ci.status).toBe(201);
  healCi = ci.body.id;
  const draft = await call(admin.bearer, 'PUT', '/automation/runbooks/svc-restart/draft', {
    name: 'Restart a service (test)',
    risk: 'low',
    allowedRoles: ['automation_operator'],
    parameters: { type: 'object', required: ['service'], properties: { service: { type: 'string', title: 'Service', pattern: '^[a-z0-9-]+$' } } },
    targets: { selector: { class: 'host', tags: ['heal'] } },
    steps: [{ id: 'restart', type: 'ssh.command', command: 'echo restarted {{params.service}} on {{target.name}}' }],
  });
  expect({ status: draft.status, body: draft.status < 300 ? null : draft.body }).toEqual({ status: expect.any(Number), body: null });
  expect((await call(admin.bearer, 'POST', '/automation/runbooks/svc-restart/publish', { note: 'test' })).status).toBe(201);
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all([api?.stop(), sshd?.stop()]);
});

test('an alert held past holdFor opens one incident; a duplicate sends no signal; a second alert joins; resolves close the loop', async () => {
  const first = await call(sender, 'POST', '/alerts/intake/events', trigger('grp-1'));
  expect(first.status).toBe(202);
  const alertId = first.body.events[0].alertId;
  // Duplicates: stored and counted, no workflow signal.
  for (let i = 0; i < 3; i += 1) await call(sender, 'POST', '/alerts/intake/events', trigger('grp-1', `again ${i}`));

  const alert = await eventually('the incident', async () => {
    const one = await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(alertId)}`);
    return one.body.incident ? one.body : null;
  });
  expect(alert).toMatchObject({ count: 4, groupKey: expect.stringMatching(/^page\/[0-9a-f]{16}$/) });
  const incident = (await call(admin.bearer, 'GET', `/tickets/${alert.incident}`)).body;
  expect(incident).toMatchObject({ kind: 'incident', state: 'new', priority: 'P2', assignmentGroup: 'service-desk', title: 'db latency' });
  expect(incident.description).toContain(alertId);

  const handle = api.client.workflow.getHandle(alertGroupWorkflowId(alert.groupKey));
  const signals = async () => (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  expect(await signals()).toBe(1);

  // A second alert of the same group joins the open incident.
  const second = await call(sender, 'POST', '/alerts/intake/events', trigger('grp-2', 'replica lag'));
  const secondId = second.body.events[0].alertId;
  await eventually('the second alert attached', async () => (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(secondId)}`)).body.incident === alert.incident);
  const noted = await eventually('the work note', async () => {
    const t = (await call(admin.bearer, 'GET', `/tickets/${alert.incident}`)).body;
    return t.timeline.find((e: any) => typeof e.text === 'string' && e.text.includes(secondId)) ?? null;
  });
  expect(noted.text).toMatch(/1 more alert joined/);

  // Resolves: one leaves the incident open, both resolve it.
  await call(sender, 'POST', '/alerts/intake/events', resolve('grp-1'));
  await new Promise((r) => setTimeout(r, 1000));
  expect((await call(admin.bearer, 'GET', `/tickets/${alert.incident}`)).body.state).toBe('new');
  await call(sender, 'POST', '/alerts/intake/events', resolve('grp-2'));
  const resolved = await eventually('the incident resolved', async () => {
    const t = (await call(admin.bearer, 'GET', `/tickets/${alert.incident}`)).body;
    return t.state === 'resolved' ? t : null;
  });
  expect(resolved).toMatchObject({ resolutionCode: 'resolved_by_monitoring' });
  expect(resolved.resolutionNotes).toMatch(/every alert of the group resolved/);

  // The group ends once its window has passed with nothing open.
  const outcome = await handle.result();
  expect(outcome.incident).toMatchObject({ number: alert.incident, state: 'resolved' });
  // RECORD_HISTORIES=1 keeps this run's history for test/replay (re-record only on purpose).
  if (process.env.RECORD_HISTORIES === '1') fs.writeFileSync(path.join(__dirname, '../replay/histories/alert-group-resolved.json'), historyToJSON(await handle.fetchHistory()));
}, 90_000);

test('an alert resolved before the hold ends opens no incident', async () => {
  const res = await call(sender, 'POST', '/alerts/intake/events', { ...trigger('blip-1'), payload: { ...trigger('blip-1').payload, group: 'other' } });
  const id = res.body.events[0].alertId;
  await call(sender, 'POST', '/alerts/intake/events', resolve('blip-1'));
  const one = (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(id)}`)).body;
  const outcome = await api.client.workflow.getHandle(alertGroupWorkflowId(one.groupKey ?? '')).result().catch(() => null);
  expect(one.incident).toBeUndefined();
  if (outcome) expect(outcome.incident).toBeNull();
}, 60_000);

test('self-healing: the group runs the runbook on the alert\'s CI, reports it on the incident, and resolves it once the alert clears', async () => {
  const down = { ...trigger('svc-down-1', 'postgres is not running'), payload: { ...trigger('svc-down-1').payload, class: 'ServiceDown', source: 'heal-1', component: 'postgres', group: 'db' } };
  const res = await call(sender, 'POST', '/alerts/intake/events', down);
  const alertId = res.body.events[0].alertId;
  const alert = await eventually('the incident', async () => {
    const one = (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(alertId)}`)).body;
    return one.incident ? one : null;
  });
  expect(alert.ciId).toBe(healCi);
  const runs = await eventually('the run', async () => {
    const list = (await call(admin.bearer, 'GET', `/automation/runs?runbook=svc-restart`)).body.items;
    return list.length && ['succeeded', 'failed'].includes(list[0].status) ? list : null;
  });
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: 'succeeded', requestedBy: 'alert-center', trigger: { type: 'alert', ref: expect.stringMatching(new RegExp(`^${alert.groupKey}/\\d{4}-.+Z/1$`)) }, params: { service: 'postgres' } });
  // The alert's page lists the run its group started.
  const ofAlert = (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(alertId)}/runs`)).body.items;
  expect(ofAlert).toEqual([expect.objectContaining({ id: runs[0].id, runbook: expect.objectContaining({ id: 'svc-restart' }), status: 'succeeded', targets: 1 })]);
  const host = (await call(admin.bearer, 'GET', `/automation/runs/${runs[0].id}/hosts/0`)).body;
  expect(host.steps.restart.stdout).toBe('restarted postgres on heal-1\n');
  const evidence = await eventually('the run on the incident', async () => {
    const t = (await call(admin.bearer, 'GET', `/tickets/${alert.incident}`)).body;
    return t.timeline.find((e: any) => typeof e.text === 'string' && e.text.includes(runs[0].id)) ?? null;
  });
  expect(evidence.text).toMatch(/Self-healing run RUN\d+ \(svc-restart\) succeeded/);
  // The monitoring tool sees the service back: the loop closes.
  await call(sender, 'POST', '/alerts/intake/events', resolve('svc-down-1'));
  const resolved = await eventually('the incident resolved', async () => {
    const t = (await call(admin.bearer, 'GET', `/tickets/${alert.incident}`)).body;
    return t.state === 'resolved' ? t : null;
  });
  expect(resolved.resolutionNotes).toMatch(/remediation succeeded and the alerts cleared/);
  const handle = api.client.workflow.getHandle(alertGroupWorkflowId(alert.groupKey));
  expect((await handle.result()).runs).toEqual([expect.objectContaining({ status: 'succeeded', reported: true, alerts: [alertId] })]);
  if (process.env.RECORD_HISTORIES === '1') fs.writeFileSync(path.join(__dirname, '../replay/histories/alert-group-healed.json'), historyToJSON(await handle.fetchHistory()));
}, 120_000);

describe('through a real Alertmanager', () => {
  let am: RealAlertmanager;

  beforeAll(async () => {
    const token = (await issueToken(api.db, 'prometheus', 'prod-alertmanager', ['alert.intake'], null)).token;
    am = await startAlertmanager({ webhookUrl: `${api.baseUrl}/api/v1/alerts/intake/alertmanager`, token });
  });

  afterAll(() => am?.stop());

  test('an alert posted to Alertmanager opens an incident, the runbook heals the host, and the resolve Alertmanager sends closes the loop', async () => {
    const startsAt = new Date().toISOString();
    const alert = { labels: { alertname: 'ServiceDown', instance: 'heal-1:9100', job: 'node', severity: 'critical', component: 'nginx' }, annotations: { summary: 'nginx is down on heal-1' }, startsAt, generatorURL: 'http://prometheus.example/graph' };
    await am.postAlerts([alert]);
    const stored = await eventually(`the alert from Alertmanager (its log:\n${alertmanagerLog(am)})`, async () => {
      const list = (await call(admin.bearer, 'GET', '/alerts?source=alertmanager&label=instance%3Dheal-1%3A9100')).body.items;
      return list.length ? list[0] : null;
    });
    expect(stored).toMatchObject({ sender: 'prod-alertmanager', nativeKeyFrom: 'source', name: 'ServiceDown', severity: 'critical', ciId: healCi });
    const withIncident = await eventually('the incident', async () => {
      const one = (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(stored.id)}`)).body;
      return one.incident ? one : null;
    });
    const run = await eventually('the self-healing run', async () => {
      const list = (await call(admin.bearer, 'GET', `/automation/runs?runbook=svc-restart`)).body.items.filter((r: any) => r.trigger.ref.startsWith(`${withIncident.groupKey}/`) && r.params.service === 'nginx');
      return list.length && list[0].status === 'succeeded' ? list[0] : null;
    });
    expect(run.params).toEqual({ service: 'nginx' });
    // The host is healthy again: Prometheus stops firing, Alertmanager sends the resolve.
    await am.postAlerts([{ ...alert, endsAt: new Date().toISOString() }]);
    const incident = await eventually('the incident resolved', async () => {
      const t = (await call(admin.bearer, 'GET', `/tickets/${withIncident.incident}`)).body;
      return t.state === 'resolved' ? t : null;
    });
    expect(incident.timeline.some((e: any) => typeof e.text === 'string' && e.text.includes(run.id))).toBe(true);
    expect((await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(stored.id)}`)).body.state).toBe('resolved');
  }, 120_000);
});
