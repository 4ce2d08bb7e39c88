import { alertIntake } from '../../api/alertCenter';
import { cmdbAccess } from '../../api/cmdb';
import { validateAlertRules } from '../../domain/alert/rules';
import { ADAPTERS } from '../../domain/alert/sources';
import { acceptRequest } from '../../store/alerts/intake';
import { findRequest } from '../../store/alerts/requests';
import { loadCatalog } from '../../runtime/catalog';
import { issueToken } from '../../store/tokens';
import { addUser, eventually, startTestApi, testLogger, type TestApi, type TestUser } from '../setup/harness';

// Keeping alerts, groups and incidents in step through the real engine: acknowledgement both
// ways (a person acknowledging an alert takes the incident; a person starting the incident
// acknowledges its alerts), silences that start and end by the clock with nobody touching
// them, and a request stored by a process that stopped before telling the groups.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

const rules = validateAlertRules({
  rules: [{ id: 'page', minSeverity: 'major', groupBy: ['labels.group'], groupWindow: '3s', holdFor: '1s', incident: { fallbackGroup: 'service-desk', reopenWithin: '1h' }, resolve: 'all' }],
});
if (!rules.ok) throw new Error(JSON.stringify(rules.problems));
const catalog = { ...loadCatalog(), alertRules: rules.rules };

let api: TestApi;
let sender: string;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

async function call(bearer: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const trigger = (key: string, group: string) => {
  const event = fixture('events-trigger');
  return { ...event, dedup_key: key, payload: { ...event.payload, severity: 'critical', group, summary: `${key} down`, timestamp: new Date().toISOString() } };
};
const alertOf = async (id: string) => (await call(admin.bearer, 'GET', `/alerts/${encodeURIComponent(id)}`)).body;
const ticketOf = async (number: string) => (await call(admin.bearer, 'GET', `/tickets/${number}`)).body;

/** Two alerts of one group and the incident the group opened for both. */
async function incidentFor(group: string): Promise<{ ids: [string, string]; number: string }> {
  const ids = [] as unknown as [string, string];
  for (const key of [`${group}-a`, `${group}-b`]) ids.push((await call(sender, 'POST', '/alerts/intake/events', trigger(key, group))).body.events[0].alertId);
  const number = await eventually('the incident with both alerts', async () => {
    const [a, b] = await Promise.all(ids.map(alertOf));
    return a.incident && a.incident === b.incident ? (a.incident as string) : null;
  });
  return { ids, number };
}

beforeAll(async () => {
  api = await startTestApi({ catalog, suppressionClock: true });
  admin = await addUser(api.db, 'root', ['admin'], ['service-desk']);
  alice = await addUser(api.db, 'alice', ['agent'], ['service-desk']);
  bob = await addUser(api.db, 'bob', ['agent'], ['service-desk']);
  await addUser(api.db, 'prometheus', ['alert_sender']);
  sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'grafana', ['alert.intake'], null)).token}`;
}, 90_000);

afterAll(async () => {
  await api?.stop();
});

test("a person acknowledging one alert takes the incident (assigned, started) and the incident's other alert follows", async () => {
  const { ids, number } = await incidentFor('ack-alert');
  expect((await ticketOf(number)).alertGroup).toMatch(/^page\//);

  const acked = await call(alice.bearer, 'POST', `/alerts/${encodeURIComponent(ids[0])}/acknowledge`, {});
  expect(acked).toMatchObject({ status: 200, body: { state: 'acknowledged', acknowledged: { by: 'alice' } } });

  const started = await eventually('the incident started by alice, and why', async () => {
    const t = await ticketOf(number);
    return t.state === 'in_progress' && t.timeline.some((e: any) => e.text === `Acknowledged by alice through alert ${ids[0]}.`) ? t : null;
  });
  expect(started.assignee).toBe('alice');
  expect(started.timeline.find((e: any) => e.to === 'in_progress')).toMatchObject({ actor: 'alice', from: 'new' });
  const other = await eventually('the other alert acknowledged', async () => {
    const a = await alertOf(ids[1]);
    return a.state === 'acknowledged' ? a : null;
  });
  expect(other.acknowledged.by).toBe('alice');
  expect(other.history.at(-1)).toMatchObject({ to: 'acknowledged', by: 'alice', reason: `acknowledged with incident ${number}` });

  // Given back, it stays given back: the group does not take it again.
  expect((await call(alice.bearer, 'POST', `/alerts/${encodeURIComponent(ids[1])}/unacknowledge`, {})).body.state).toBe('firing');
  await new Promise((r) => setTimeout(r, 1500));
  expect((await alertOf(ids[1])).state).toBe('firing');
}, 90_000);

test('an agent starting the incident acknowledges its alerts in their name', async () => {
  const { ids, number } = await incidentFor('ack-incident');
  const assigned = await call(bob.bearer, 'POST', `/tickets/${number}/actions/assign`, { assignee: 'bob' });
  expect(assigned.status).toBe(200);
  expect((await call(bob.bearer, 'POST', `/tickets/${number}/actions/start`, {})).status).toBe(200);

  const alerts = await eventually('both alerts acknowledged', async () => {
    const both = await Promise.all(ids.map(alertOf));
    return both.every((a) => a.state === 'acknowledged') ? both : null;
  });
  expect(alerts.map((a) => a.acknowledged.by)).toEqual(['bob', 'bob']);
  // Started already: no second start, and bob stays the assignee.
  expect((await ticketOf(number)).assignee).toBe('bob');
}, 90_000);

test('a resolved alert cannot be acknowledged; an unknown one is 404, a malformed id 400', async () => {
  const id = (await call(sender, 'POST', '/alerts/intake/events', { ...trigger('gone-1', 'ack-misc'), payload: { ...trigger('gone-1', 'ack-misc').payload, severity: 'info' } })).body.events[0].alertId;
  await call(sender, 'POST', '/alerts/intake/events', { ...fixture('events-resolve'), dedup_key: 'gone-1' });
  const refused = await call(alice.bearer, 'POST', `/alerts/${encodeURIComponent(id)}/acknowledge`, {});
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toMatch(/is resolved/);
  expect((await call(alice.bearer, 'POST', `/alerts/${'0'.repeat(64)}%231/acknowledge`, {})).status).toBe(404);
  const malformed = await call(alice.bearer, 'POST', '/alerts/nope%231/acknowledge', {});
  expect(malformed.status).toBe(400);
  expect(malformed.body.errors[0].message).toMatch(/<fingerprint>#<episode>/);
}, 60_000);

test('a silence ending by time releases its alerts and their group escalates; one starting later suppresses them, with no request', async () => {
  const silenced = await call(admin.bearer, 'POST', '/alerts/silences', { matchers: '{group="clocked"}', endsAt: new Date(Date.now() + 2500).toISOString(), comment: 'short' });
  expect(silenced.status).toBe(201);
  const id = (await call(sender, 'POST', '/alerts/intake/events', trigger('clocked-1', 'clocked'))).body.events[0].alertId;
  expect((await alertOf(id)).state).toBe('suppressed');
  await new Promise((r) => setTimeout(r, 1500));
  expect((await alertOf(id)).incident).toBeUndefined();

  const released = await eventually('released at the end of the silence', async () => {
    const a = await alertOf(id);
    return a.state === 'firing' ? a : null;
  });
  expect(released.history.at(-1)).toMatchObject({ from: 'suppressed', to: 'firing' });
  await eventually('the group opened an incident once released', async () => (await alertOf(id)).incident);

  // A silence that starts in two seconds: the alert is suppressed when it starts.
  const later = await call(admin.bearer, 'POST', '/alerts/silences', { matchers: '{group="clocked"}', startsAt: new Date(Date.now() + 2000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'later' });
  expect(later.body.state).toBe('pending');
  expect((await alertOf(id)).state).toBe('firing');
  const suppressed = await eventually('suppressed when the silence starts', async () => {
    const a = await alertOf(id);
    return a.state === 'suppressed' ? a : null;
  });
  expect(suppressed.suppressedBy).toEqual([{ kind: 'silence', id: later.body.id }]);
}, 90_000);

test('a request stored by a process that stopped before telling the groups reaches them when the next one starts', async () => {
  // What the intake route does up to the moment it would signal, then "the process stops".
  const intake = alertIntake({ db: api.db, temporal: api.client, taskQueue: api.taskQueue, logger: testLogger(), catalog, cmdb: cmdbAccess(api.db, catalog.cmdb) });
  const body = trigger('stranded-1', 'stranded');
  const receivedAt = new Date().toISOString();
  const parsed = ADAPTERS.events.parse(body, { receivedAt, sender: 'grafana' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const stored = await acceptRequest(api.db, { source: 'events', sender: 'grafana', actor: 'prometheus', digest: parsed.digest, payload: body, receivedAt, events: parsed.events, notes: [] }, intake.sources);
  expect((await findRequest(api.db, stored.requestId))!.state).toBe('applied');
  await new Promise((r) => setTimeout(r, 1500));
  const id = stored.outcomes[0]!.alertId!;
  expect((await alertOf(id)).incident).toBeUndefined();

  expect(await intake.resumeGroupSignals()).toBeGreaterThanOrEqual(1);
  expect((await findRequest(api.db, stored.requestId))!.state).toBe('signalled');
  await eventually('the incident the group opened once told', async () => (await alertOf(id)).incident);
  expect(await intake.resumeGroupSignals()).toBe(0);
}, 90_000);
