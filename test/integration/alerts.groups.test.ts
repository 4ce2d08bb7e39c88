import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadCatalog } from '../../runtime/catalog';
import { validateAlertRules } from '../../domain/alert/rules';
import { issueToken } from '../../store/tokens';
import { alertGroupWorkflowId } from '../../workflows/alertGroup';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// Alert to incident through the real engine: intake signals the group workflow
// `alert-group/<key>` only when an alert changes, the group holds, opens one incident with
// the CI's owner group and the alerts in it, attaches a later alert, and resolves the
// incident when the alerts resolve.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

const rules = validateAlertRules({
  rules: [{ id: 'page', minSeverity: 'major', groupBy: ['labels.group'], groupWindow: '3s', holdFor: '2s', incident: { fallbackGroup: 'service-desk', reopenWithin: '1h' }, resolve: 'all' }],
});
if (!rules.ok) throw new Error(JSON.stringify(rules.problems));

let api: TestApi;
let sender: string;
let admin: TestUser;

async function call(bearer: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const trigger = (key: string, summary = 'p99 latency above 800 ms') => ({ ...fixture('events-trigger'), dedup_key: key, payload: { ...fixture('events-trigger').payload, severity: 'critical', summary, timestamp: new Date().toISOString() } });
const resolve = (key: string) => ({ ...fixture('events-resolve'), dedup_key: key });

beforeAll(async () => {
  api = await startTestApi({ catalog: { ...loadCatalog(), alertRules: rules.rules } });
  admin = await addUser(api.db, 'root', ['admin'], ['service-desk']);
  await addUser(api.db, 'prometheus', ['alert_sender']);
  sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'grafana', ['alert.intake'], null)).token}`;
}, 90_000);

afterAll(() => api?.stop());

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
