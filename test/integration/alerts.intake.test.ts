import { ADAPTERS } from '../../domain/alert/sources';
import { applyEvents, eventRef } from '../../domain/alert/intake';
import { insertAlert } from '../../store/alerts/alerts';
import { recordRequest, requestId } from '../../store/alerts/requests';
import { issueToken } from '../../store/tokens';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// Alert intake through the API into the real document store: the three webhook sources,
// re-delivery, malformed bodies, who may deliver, acknowledging, silences, two requests
// about one alert at once, and an interrupted request finished by the sender's retry.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

let api: TestApi;
let sender: string;
let otherSender: string;
let agent: TestUser;
let lead: TestUser;

interface Res {
  status: number;
  body: any;
  headers: Headers;
}
async function call(bearer: string | null, method: string, route: string, body?: unknown): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer && { authorization: bearer }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const deliver = (source: string, body: unknown, bearer = sender) => call(bearer, 'POST', `/alerts/intake/${source}`, body);
const alerts = async (query = '') => (await call(agent.bearer, 'GET', `/alerts${query}`)).body.items as any[];
const alertPath = (id: string) => `/alerts/${encodeURIComponent(id)}`;

beforeAll(async () => {
  api = await startTestApi();
  await addUser(api.db, 'prometheus', ['alert_sender']);
  sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'prod-alertmanager', ['alert.intake'], null)).token}`;
  otherSender = `Bearer ${(await issueToken(api.db, 'prometheus', 'dr-zabbix', ['alert.intake'], null)).token}`;
  agent = await addUser(api.db, 'ana', ['agent']);
  lead = await addUser(api.db, 'lee', ['group_manager']);
}, 90_000);

afterAll(() => api?.stop());

describe('Alertmanager webhook', () => {
  test('a firing group opens one alert per alert, keyed by the sender and its fingerprint', async () => {
    const res = await deliver('alertmanager', fixture('alertmanager-v4-firing'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'success', duplicate: false, message: 'Accepted 2 events' });
    expect(res.body.events.map((e: any) => [e.kind, e.dedup_key])).toEqual([
      ['opened', 'f51ed6b5bccc7228'],
      ['opened', '9bf346e82a2e05db'],
    ]);
    const listed = await alerts('?source=alertmanager');
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ sender: 'prod-alertmanager', state: 'firing', count: 1, episode: 1, severity: 'critical', name: 'NodeFilesystemAlmostFull' });
    expect(listed.map((a) => a.labels.team).sort()).toEqual(['dba', 'unix']);
  });

  test('one alert shows its history and its part of the body as sent', async () => {
    const [unix] = await alerts('?label=team%3Dunix');
    const one = await call(agent.bearer, 'GET', alertPath(unix.id));
    expect(one.status).toBe(200);
    expect(one.body.history).toEqual([expect.objectContaining({ type: 'state', from: null, to: 'firing', reason: 'fired' })]);
    expect(one.body.payload).toEqual(fixture('alertmanager-v4-firing').alerts[0]);
    expect(one.body.raw.pointer).toBe('/alerts/0');
  });

  test('the same body delivered again changes nothing and says so', async () => {
    const res = await deliver('alertmanager', fixture('alertmanager-v4-firing'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ duplicate: true, message: 'Already accepted: this body was delivered before' });
    expect((await alerts('?source=alertmanager')).map((a) => a.count)).toEqual([1, 1]);
  });

  test('a resolve in the next notification resolves the alert; the other one repeats', async () => {
    const res = await deliver('alertmanager', fixture('alertmanager-v4-one-resolved'));
    expect(res.body.events.map((e: any) => e.kind)).toEqual(['resolved', 'repeated']);
    const byTeam = Object.fromEntries((await alerts('?source=alertmanager')).map((a) => [a.labels.team, a]));
    expect(byTeam.unix).toMatchObject({ state: 'resolved', count: 1 });
    expect(byTeam.unix.resolvedAt).not.toBeNull();
    expect(byTeam.dba).toMatchObject({ state: 'firing', count: 2 });
  });

  test('the same fingerprint from another integration is another alert', async () => {
    const res = await deliver('alertmanager', fixture('alertmanager-v4-firing'), otherSender);
    expect(res.body.duplicate).toBe(false);
    expect(res.body.events.map((e: any) => e.kind)).toEqual(['opened', 'opened']);
    const fromOther = (await alerts('?source=alertmanager')).filter((a) => a.sender === 'dr-zabbix');
    expect(fromOther).toHaveLength(2);
  });
});

describe('refused deliveries store nothing', () => {
  test('a malformed body is a problem+json 400 naming each wrong field', async () => {
    const body = fixture('alertmanager-v4-firing');
    body.version = '3';
    body.alerts[1].startsAt = 'yesterday';
    const before = (await alerts()).length;
    const res = await deliver('alertmanager', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/^the alertmanager message is malformed; nothing was stored: body\.version/);
    expect(res.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['body.version', 'body.alerts.1.startsAt']));
    expect((await alerts()).length).toBe(before);
    const digest = ADAPTERS.alertmanager.parse(fixture('alertmanager-v4-firing'), { receivedAt: new Date().toISOString() });
    expect(digest.ok).toBe(true);
  });

  test('not JSON, and an empty body', async () => {
    const res = await fetch(`${api.baseUrl}/api/v1/alerts/intake/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: sender }, body: '{"event_action": "trig' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not valid JSON/);
    const empty = await deliver('zabbix', undefined);
    expect(empty.status).toBe(400);
  });

  test('no token is 401; a token without alert.intake is 403', async () => {
    expect((await deliver('events', fixture('events-trigger'), null as unknown as string)).status).toBe(401);
    const res = await deliver('events', fixture('events-trigger'), agent.bearer);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("'alert.intake'");
    // …and the sender's own token cannot read alerts.
    expect((await call(sender, 'GET', '/alerts')).status).toBe(403);
  });
});

describe('Zabbix webhook', () => {
  test('problem, acknowledgement, recovery', async () => {
    const problem = await deliver('zabbix', fixture('zabbix-problem'));
    expect(problem.status).toBe(202);
    expect(problem.body.events[0]).toMatchObject({ kind: 'opened', dedup_key: '4178263' });
    const ack = await deliver('zabbix', fixture('zabbix-update-ack'));
    expect(ack.body.events.map((e: any) => e.kind)).toEqual(['repeated', 'acknowledged']);
    const [acked] = await alerts('?source=zabbix');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'source:zabbix/prod-alertmanager' } });
    const recovery = await deliver('zabbix', fixture('zabbix-recovery'));
    expect(recovery.body.events[0]).toMatchObject({ kind: 'resolved', alertId: acked.id });
    expect((await alerts('?source=zabbix'))[0].state).toBe('resolved');
  });
});

describe('generic events (PagerDuty Events v2)', () => {
  test('trigger answers the dedup_key; acknowledge; resolve; a trigger after the resolve opens a new alert', async () => {
    const trigger = await deliver('events', fixture('events-trigger'));
    expect(trigger.status).toBe(202);
    expect(trigger.body.dedup_key).toBe('payments-api/db-latency/prod');
    await deliver('events', fixture('events-acknowledge'));
    expect((await alerts('?source=events'))[0].state).toBe('acknowledged');
    await deliver('events', fixture('events-resolve'));
    expect((await alerts('?source=events'))[0].state).toBe('resolved');
    // The same trigger body again is a re-delivery (nothing new); a trigger that began later is a new alert.
    expect((await deliver('events', fixture('events-trigger'))).body.duplicate).toBe(true);
    const again = fixture('events-trigger');
    again.payload.timestamp = new Date(Date.now() + 1000).toISOString();
    const reopened = await deliver('events', again);
    expect(reopened.body.events[0]).toMatchObject({ kind: 'opened' });
    expect(reopened.body.events[0].alertId).toMatch(/#2$/);
    const listed = await alerts('?source=events');
    expect(listed.map((a) => [a.episode, a.state])).toEqual([
      [2, 'firing'],
      [1, 'resolved'],
    ]);
  });

  test('an acknowledge for a key never seen is accepted and ignored, with the reason', async () => {
    const res = await deliver('events', { ...fixture('events-acknowledge'), dedup_key: 'never-seen' });
    expect(res.status).toBe(202);
    expect(res.body.events[0]).toMatchObject({ kind: 'ignored', alertId: null, reason: 'an acknowledgement for a key with no alert' });
  });
});

describe('acknowledging from the console', () => {
  test('acknowledge, withdraw; a resolved alert cannot be acknowledged', async () => {
    const [open] = await alerts('?state=firing&source=events');
    const acked = await call(agent.bearer, 'POST', `${alertPath(open.id)}/acknowledge`, {});
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledged: { by: 'ana' } });
    const back = await call(agent.bearer, 'POST', `${alertPath(open.id)}/unacknowledge`, {});
    expect(back.body.state).toBe('firing');
    const again = await call(agent.bearer, 'POST', `${alertPath(open.id)}/unacknowledge`, {});
    expect(again.status).toBe(409);
    const [resolved] = await alerts('?state=resolved&source=zabbix');
    const refused = await call(agent.bearer, 'POST', `${alertPath(resolved.id)}/acknowledge`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/is resolved; there is nothing to acknowledge/);
  });

  test('bad ids and unknown alerts', async () => {
    expect((await call(agent.bearer, 'GET', '/alerts/nope')).status).toBe(400);
    expect((await call(agent.bearer, 'GET', alertPath(`${'0'.repeat(64)}#1`))).status).toBe(404);
    expect((await call(agent.bearer, 'GET', '/alerts?state=burning')).status).toBe(400);
  });
});

describe('silences', () => {
  let silenceId: string;

  test('a bad matcher is a 400 naming the field; an agent may not silence', async () => {
    const bad = await call(lead.bearer, 'POST', '/alerts/silences', { matchers: '{team=~"(unclosed"}', endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.matchers');
    const denied = await call(agent.bearer, 'POST', '/alerts/silences', { matchers: '{team="dba"}', endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'x' });
    expect(denied.status).toBe(403);
  });

  test('preview, create: the open alerts it matches turn suppressed and stay listed', async () => {
    const spec = { matchers: '{team="dba", sender!="x"}', endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'CHG0000042: disk replacement' };
    const dba = (await alerts('?label=team%3Ddba')).filter((a) => a.state === 'firing');
    expect(dba.length).toBeGreaterThan(0);
    const preview = await call(agent.bearer, 'POST', '/alerts/silences/preview', spec);
    expect(preview.body.matches.sort()).toEqual(dba.map((a) => a.id).sort());
    const created = await call(lead.bearer, 'POST', '/alerts/silences', spec);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ createdBy: 'lee', state: 'active', text: '{team="dba",sender!="x"}' });
    silenceId = created.body.id;
    for (const a of await alerts('?label=team%3Ddba&state=suppressed')) expect(a.suppressedBy).toEqual([{ kind: 'silence', id: silenceId }]);
    expect((await alerts('?label=team%3Ddba&state=suppressed')).length).toBe(dba.length);
  });

  test('while silenced, a repeat stays suppressed and a resolve flows through', async () => {
    const res = await deliver('alertmanager', fixture('alertmanager-v4-firing'), otherSender);
    expect(res.body.duplicate).toBe(true);
    const resolved = fixture('alertmanager-v4-firing');
    resolved.alerts[1].status = 'resolved';
    resolved.alerts[1].endsAt = new Date().toISOString();
    const out = await deliver('alertmanager', resolved);
    // The first began before its resolve: an old firing, ignored.
    expect(out.body.events.map((e: any) => e.kind)).toEqual(['ignored', 'resolved']);
    const mine = (await alerts('?label=team%3Ddba')).find((a) => a.sender === 'prod-alertmanager');
    expect(mine.state).toBe('resolved');
  });

  test('expiring it releases the alerts it held', async () => {
    const expired = await call(lead.bearer, 'DELETE', `/alerts/silences/${silenceId}`);
    expect(expired.status).toBe(200);
    expect(expired.body.state).toBe('expired');
    expect(await alerts('?state=suppressed')).toEqual([]);
    expect((await call(lead.bearer, 'DELETE', `/alerts/silences/${silenceId}`)).status).toBe(409);
    expect((await call(lead.bearer, 'DELETE', '/alerts/silences/no-such')).status).toBe(404);
    const listed = await call(agent.bearer, 'GET', '/alerts/silences');
    expect(listed.body.items.map((s: any) => [s.id, s.state])).toContainEqual([silenceId, 'expired']);
  });
});

describe('concurrency and recovery', () => {
  test('twenty requests about one alert at once: every one counted once', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => ({ ...fixture('events-trigger'), dedup_key: 'concurrent-1', payload: { ...fixture('events-trigger').payload, summary: `attempt ${i}` } }));
    const answers = await Promise.all(bodies.map((b) => deliver('events', b)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const listed = (await alerts('?source=events')).filter((a) => a.nativeKey === 'concurrent-1');
    expect(listed).toHaveLength(1);
    expect(listed[0].count).toBe(20);
  });

  test("a request interrupted half-way is finished by the sender's retry, without counting twice", async () => {
    const body = [0, 1, 2, 3].map((i) => ({ ...fixture('events-trigger'), dedup_key: `interrupted-${i % 2}`, payload: { ...fixture('events-trigger').payload, summary: `part ${i}` } }));
    const receivedAt = new Date().toISOString();
    const parsed = ADAPTERS.events.parse(body, { receivedAt, sender: 'prod-alertmanager' });
    if (!parsed.ok) throw new Error('fixture refused');
    // As the API does up to a crash: the request stored, the first two events applied.
    const id = requestId('events', 'prod-alertmanager', parsed.digest);
    await recordRequest(api.db, { _id: id, source: 'events', sender: 'prod-alertmanager', digest: parsed.digest, body: JSON.stringify(body), receivedAt, actor: 'prometheus', state: 'received', appliedAt: null, outcomes: [], notes: [], redeliveries: 0 });
    const half = applyEvents({ bodyId: id, events: parsed.events.slice(0, 2), latest: new Map(), suppressionOf: () => ({ suppressed: false, by: [] }) });
    for (const { record } of half.writes.values()) await insertAlert(api.db, record);
    expect(half.outcomes.map((o) => eventRef(id, o.index))).toEqual([`${id}/0`, `${id}/1`]);

    const retry = await deliver('events', body);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ duplicate: false, request: id });
    expect(retry.body.events.map((e: any) => e.kind)).toEqual(['skipped', 'skipped', 'repeated', 'repeated']);
    const counts = (await alerts('?source=events')).filter((a) => a.nativeKey.startsWith('interrupted-')).map((a) => [a.nativeKey, a.count]);
    expect(counts.sort()).toEqual([
      ['interrupted-0', 2],
      ['interrupted-1', 2],
    ]);
    expect((await deliver('events', body)).body.duplicate).toBe(true);
  });
});

describe('enrichment from the CMDB', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const editor = await addUser(api.db, 'cora', ['cmdb_editor']);
    const create = async (key: string, cls: string, attributes: Record<string, unknown>) => {
      const res = await call(editor.bearer, 'POST', '/cmdb/cis', { class: cls, attributes });
      expect(res.status).toBe(201);
      ids[key] = res.body.id;
    };
    await create('system', 'business_system', { name: 'Core banking', code: 'CORE', criticality: 'critical', owner_group: 'core-ops' });
    await create('app', 'application', { name: 'ledger', app_code: 'ledger', environment: 'prod' });
    await create('db', 'database_instance', { name: 'ledger-db', engine: 'postgresql' });
    await create('host', 'physical_server', { name: 'db-02', hostname: 'db-02', primary_ip: '10.20.31.12', environment: 'prod' });
    for (const [type, source, target] of [
      ['part_of', 'app', 'system'],
      ['depends_on', 'app', 'db'],
      ['runs_on', 'db', 'host'],
    ]) {
      expect((await call(editor.bearer, 'POST', '/cmdb/relations', { type, source: ids[source], target: ids[target] })).status).toBe(201);
    }
  });

  test("a Zabbix problem on the host finds its CI by the dotted host name, and the application and business system it puts at risk", async () => {
    const problem = { ...fixture('zabbix-problem'), event_id: '5550001', host_host: 'DB-02.bank.example' };
    const res = await deliver('zabbix', problem);
    expect(res.body.events[0].kind).toBe('opened');
    const one = await call(agent.bearer, 'GET', alertPath(res.body.events[0].alertId));
    expect(one.body.ciId).toBe(ids.host);
    expect(one.body.context).toEqual({
      ci: { id: ids.host, name: 'db-02', class: 'physical_server', criticality: 'medium' },
      foundBy: 'resource.host = DB-02',
      zone: null,
      applications: [{ id: ids.app, name: 'ledger', class: 'application', criticality: 'medium' }],
      businessSystems: [{ id: ids.system, name: 'Core banking', class: 'business_system', criticality: 'critical' }],
      ownerGroup: 'core-ops',
      environment: 'prod',
      criticality: 'critical',
    });
  });

  test('an alert no rule maps keeps no CI', async () => {
    const res = await deliver('events', { ...fixture('events-trigger'), dedup_key: 'unmapped-1', payload: { ...fixture('events-trigger').payload, source: 'nowhere.example' } });
    const one = await call(agent.bearer, 'GET', alertPath(res.body.events[0].alertId));
    expect(one.body).toMatchObject({ ciId: null, context: null });
  });
});

describe('maintenance windows', () => {
  let hostAlert: string;
  let windowId: string;
  const hour = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    const [alert] = (await alerts('?source=zabbix&state=firing')).filter((a) => a.ciId);
    hostAlert = alert.id;
  });

  test('a bad scope or a missing end is a 400 naming the field; an agent may not open one', async () => {
    const bad = await call(lead.bearer, 'POST', '/alerts/maintenance', { title: 'x', scope: { selector: { class: 'host', where: { no_such_attribute: 'x' } } }, endsAt: hour() });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toMatch(/^body\.scope/);
    const open = await call(lead.bearer, 'POST', '/alerts/maintenance', { title: 'x', scope: { cis: ['x'] } });
    expect(open.body.errors.map((e: any) => e.field)).toContain('body.endsAt');
    expect((await call(agent.bearer, 'POST', '/alerts/maintenance', { title: 'x', scope: { cis: ['x'] }, endsAt: hour() })).status).toBe(403);
  });

  test("a window over the host's class by selector suppresses its open alert at once, and new ones arrive suppressed", async () => {
    const created = await call(lead.bearer, 'POST', '/alerts/maintenance', { title: 'DB patching', scope: { selector: { class: 'physical_server', where: { hostname: 'db-02' } } }, endsAt: hour(), change: 'CHG0000007' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'active', createdBy: 'lee', change: 'CHG0000007' });
    windowId = created.body.id;
    const held = (await call(agent.bearer, 'GET', alertPath(hostAlert))).body;
    expect(held).toMatchObject({ state: 'suppressed', suppressedBy: [{ kind: 'maintenance', id: windowId }] });
    const another = await deliver('zabbix', { ...fixture('zabbix-problem'), event_id: '5550002', event_name: 'High CPU', host_host: 'db-02' });
    expect((await call(agent.bearer, 'GET', alertPath(another.body.events[0].alertId))).body.state).toBe('suppressed');
  });

  test('ending it releases them; a second end is a conflict', async () => {
    const ended = await call(lead.bearer, 'DELETE', `/alerts/maintenance/${windowId}`);
    expect(ended.status).toBe(200);
    expect(ended.body.state).toBe('expired');
    expect((await call(agent.bearer, 'GET', alertPath(hostAlert))).body.state).toBe('firing');
    expect((await call(lead.bearer, 'DELETE', `/alerts/maintenance/${windowId}`)).status).toBe(409);
    expect((await call(agent.bearer, 'GET', '/alerts/maintenance')).body.items.map((w: any) => w.id)).toContain(windowId);
  });
});
