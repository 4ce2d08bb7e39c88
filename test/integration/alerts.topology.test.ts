import { validateAlertRules } from '../../domain/alert/rules';
import { loadCatalog } from '../../runtime/catalog';
import { issueToken } from '../../store/tokens';
import { addUser, eventually, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// Topology correlation through the real CMDB and engine: a server, the VM hosted on it and
// the switch both connect through alert on their own CIs (groupBy ci would give three
// groups); the rule correlates by topology, so they share one group and one incident, and
// the incident names the probable root as it learns of it.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

const rules = validateAlertRules({
  rules: [{ id: 'node', minSeverity: 'major', groupBy: ['ci'], groupWindow: '3s', holdFor: '1s', incident: { fallbackGroup: 'service-desk' }, resolve: 'all', topology: true }],
});
if (!rules.ok) throw new Error(JSON.stringify(rules.problems));

let api: TestApi;
let sender: string;
let admin: TestUser;
const ids: Record<string, string> = {};

async function call(bearer: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A critical event about a host name, which enrichment maps to its CI. */
async function down(host: string): Promise<string> {
  const event = fixture('events-trigger');
  const res = await call(sender, 'POST', '/alerts/intake/events', { ...event, dedup_key: `${host}-down`, payload: { ...event.payload, source: host, severity: 'critical', summary: `${host} unreachable`, timestamp: new Date().toISOString() } });
  expect(res.status).toBe(202);
  return res.body.events[0].alertId;
}
const alertOf = async (id: string) => (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(id)}`)).body;

beforeAll(async () => {
  api = await startTestApi({ catalog: { ...loadCatalog(), alertRules: rules.rules } });
  admin = await addUser(api.db, 'root', ['admin'], ['service-desk']);
  await addUser(api.db, 'prometheus', ['alert_sender']);
  sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'grafana', ['alert.intake'], null)).token}`;
  const create = async (key: string, cls: string, attributes: Record<string, unknown>) => {
    const res = await call(admin.bearer, 'POST', '/cmdb/cis', { class: cls, attributes });
    expect({ key, status: res.status, body: res.status === 201 ? null : res.body }).toEqual({ key, status: 201, body: null });
    ids[key] = res.body.id;
  };
  await create('switch', 'network_device', { name: 'sw-core-1', sys_name: 'sw-core-1' });
  await create('server', 'physical_server', { name: 'srv-a', hostname: 'srv-a' });
  await create('vm', 'virtual_machine', { name: 'vm-a', hostname: 'vm-a' });
  await create('other', 'physical_server', { name: 'srv-z', hostname: 'srv-z' });
  for (const [type, source, target] of [
    ['connects_to', 'server', 'switch'],
    ['hosted_on', 'vm', 'server'],
  ]) {
    expect((await call(admin.bearer, 'POST', '/cmdb/relations', { type, source: ids[source], target: ids[target] })).status).toBe(201);
  }
}, 90_000);

afterAll(() => api?.stop());

test('alerts on dependent CIs share one group and incident; the switch reported last becomes the probable root', async () => {
  const server = await down('srv-a');
  const vm = await down('vm-a');
  const [serverAlert, vmAlert] = await Promise.all([alertOf(server), alertOf(vm)]);
  expect(vmAlert).toMatchObject({ ciId: ids.vm, groupKey: serverAlert.groupKey, topology: { rootCi: ids.server, related: [server] } });
  expect(serverAlert.topology).toBeUndefined();

  const number = await eventually('one incident for both', async () => {
    const [a, b] = await Promise.all([alertOf(server), alertOf(vm)]);
    return a.incident && a.incident === b.incident ? (a.incident as string) : null;
  });
  const opened = (await call(admin.bearer, 'GET', `/tickets/${number}`)).body;
  expect(opened.description).toContain(`Probable root cause: srv-a (${ids.server}): 1 other alert is on CIs that depend on it.`);
  expect(opened.affectedCis[0]).toBe(ids.server);

  // The switch both depend on: it joins their group and the incident says the root moved.
  const sw = await down('sw-core-1');
  expect(await alertOf(sw)).toMatchObject({ ciId: ids.switch, groupKey: serverAlert.groupKey, topology: { rootCi: ids.switch } });
  const note = await eventually('the root note', async () => {
    const t = (await call(admin.bearer, 'GET', `/tickets/${number}`)).body;
    return t.timeline.find((e: any) => e.text.startsWith('Probable root cause now')) ?? null;
  });
  expect(note.text).toBe(`Probable root cause now sw-core-1 (${ids.switch}): 2 other alerts are on CIs that depend on it.`);
  await eventually('the switch alert on the incident', async () => (await alertOf(sw)).incident === number);

  // A CI unrelated to them keeps its own group.
  const other = await alertOf(await down('srv-z'));
  expect(other.groupKey).not.toBe(serverAlert.groupKey);
  expect(other.topology).toBeUndefined();
}, 90_000);
