import type { Server } from 'node:http';
import express, { Router } from 'express';
import { alertFeed } from '../../api/alertFeed';
import { authenticate } from '../../api/auth/authenticate';
import { problemHandler } from '../../api/errors';
import { requestContext } from '../../api/request';
import { mount } from '../../api/route';
import { alertStreamRoutes } from '../../api/routes/alertStream';
import { validateAlertRules } from '../../domain/alert/rules';
import { loadCatalog } from '../../runtime/catalog';
import { issueToken } from '../../store/tokens';
import { addUser, eventually, startTestApi, type TestApi, testLogger, type TestUser } from '../setup/harness';
import { openSse, type SseEvent } from '../setup/sse';

// The alert console's API against the real store and engine: the live stream (a real HTTP
// SSE client: filters, incident links from the group's worker, Last-Event-ID resume, one
// poller per process, bounded streams, heartbeats), the grouped view, the list's CI and
// application filters, noise figures per source, the maintenance calendar, an alert's runs.

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

const rules = validateAlertRules({
  rules: [
    { id: 'page', minSeverity: 'major', groupBy: ['labels.group'], groupWindow: '3s', holdFor: '1s', incident: { fallbackGroup: 'service-desk' }, resolve: 'all' },
    { id: 'track', groupBy: ['source', 'labels.alertname'], groupWindow: '30m' },
  ],
});
if (!rules.ok) throw new Error(JSON.stringify(rules.problems));

let api: TestApi;
let sender: string;
let agent: TestUser;
let lead: TestUser;

interface Res {
  status: number;
  body: any;
  headers: Headers;
}
async function call(bearer: string, method: string, route: string, body?: unknown): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

interface Trigger {
  severity?: 'critical' | 'error' | 'warning' | 'info';
  class?: string;
  source?: string;
  group?: string;
}
const trigger = (key: string, t: Trigger = {}) => ({
  routing_key: 'R0UTINGKEYF0RFL0WDESK000000000001',
  event_action: 'trigger',
  dedup_key: key,
  payload: { summary: `${t.class ?? 'Latency'} on ${t.source ?? 'nowhere.example'}`, source: t.source ?? 'nowhere.example', severity: t.severity ?? 'warning', class: t.class ?? 'Latency', ...(t.group && { group: t.group }), timestamp: new Date().toISOString() },
});
const resolve = (key: string) => ({ routing_key: 'R0UTINGKEYF0RFL0WDESK000000000001', event_action: 'resolve', dedup_key: key });
async function deliver(body: unknown, source = 'events'): Promise<string> {
  const res = await call(sender, 'POST', `/alerts/intake/${source}`, body);
  expect(res.status).toBe(202);
  return res.body.events[0].alertId;
}

const stream = (query = '', headers: Record<string, string> = {}, base = `${api.baseUrl}/api/v1`) => openSse(`${base}/alerts/stream${query}`, { authorization: agent.bearer, ...headers });
const payload = (e: SseEvent) => JSON.parse(e.data) as { alerts: any[]; gone: string[] };
const carries = (id: string, also: (a: any) => boolean = () => true) => (e: SseEvent) => e.event === 'alerts' && payload(e).alerts.some((a) => a.id === id && also(a));
const drops = (id: string) => (e: SseEvent) => e.event === 'alerts' && payload(e).gone.includes(id);
const isReady = (e: SseEvent) => e.event === 'ready';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  api = await startTestApi({ catalog: { ...loadCatalog(), alertRules: rules.rules } });
  await addUser(api.db, 'prometheus', ['alert_sender']);
  sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'grafana', ['alert.intake'], null)).token}`;
  agent = await addUser(api.db, 'ana', ['agent']);
  lead = await addUser(api.db, 'lee', ['group_manager', 'cmdb_editor'], ['service-desk']);
}, 90_000);

afterAll(() => api?.stop());

describe('the live stream', () => {
  test('a delivered alert arrives on an open stream as the list shows it; the incident its group links follows; a resolve drops it from a stream of open alerts', async () => {
    const open = await stream('?source=events&state=firing,acknowledged,suppressed');
    const warnings = await stream('?severity=warning');
    try {
      expect(open.status).toBe(200);
      expect(open.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const ready = await open.next('ready', isReady);
      expect(JSON.parse(ready.data)).toEqual({ resumed: false, watermark: expect.stringMatching(ISO) });
      await warnings.next('ready', isReady);

      const id = await deliver(trigger('live-1', { severity: 'critical', class: 'DbDown', group: 'payments' }));
      const arrived = await open.next('the alert', carries(id));
      const alert = payload(arrived).alerts.find((a) => a.id === id);
      expect(alert).toMatchObject({ state: 'firing', severity: 'critical', name: 'DbDown', rev: 1, groupKey: expect.stringMatching(/^page\//) });
      expect(alert.history).toBeUndefined();
      expect(arrived.lastEventId).toMatch(ISO);
      // The warnings stream is told it is not one of its alerts.
      const told = await warnings.next('the critical alert as gone', drops(id));
      expect(payload(told).alerts.map((a) => a.id)).not.toContain(id);

      // The group's worker opens the incident and links the alert: the stream says so.
      const linked = await open.next('the incident link', carries(id, (a) => typeof a.incident === 'string'));
      const incident = payload(linked).alerts.find((a) => a.id === id).incident as string;
      expect(incident).toMatch(/^INC\d+$/);
      const groups = await call(agent.bearer, 'GET', `/alerts/groups?group=${encodeURIComponent(alert.groupKey)}`);
      expect(groups.body.items).toEqual([expect.objectContaining({ key: alert.groupKey, incident, alerts: 1, severity: 'critical' })]);

      const before = open.events.length;
      await deliver(resolve('live-1'));
      await open.next('the resolved alert as gone', drops(id), before);
    } finally {
      open.close();
      warnings.close();
    }
  }, 90_000);

  test('a client that reconnects with Last-Event-ID is sent what it missed first; an id that is not a time reloads', async () => {
    const first = await stream('?severity=warning');
    const ready = await first.next('ready', isReady);
    first.close();
    const missed = await deliver(trigger('missed-1', { class: 'QueueDepth' }));

    const again = await stream('?severity=warning', { 'last-event-id': ready.lastEventId });
    try {
      expect(JSON.parse((await again.next('ready', isReady)).data)).toMatchObject({ resumed: true });
      const replayed = await again.next('the missed alert', carries(missed));
      expect(again.events.indexOf(replayed)).toBe(1);
    } finally {
      again.close();
    }

    const stale = await stream('', { 'last-event-id': 'yesterday' });
    try {
      expect(JSON.parse((await stale.next('ready', isReady)).data)).toMatchObject({ resumed: false });
    } finally {
      stale.close();
    }
  });

  test('a malformed filter is a problem+json 400 naming it; the stream needs alert.read', async () => {
    for (const [query, field] of [
      ['?state=burning', 'query.state.0'],
      ['?label=nolabel', 'query.label.0'],
      ['?colour=red', 'query'],
    ]) {
      const res = await fetch(`${api.baseUrl}/api/v1/alerts/stream${query}`, { headers: { authorization: agent.bearer } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(field);
    }
    const denied = await fetch(`${api.baseUrl}/api/v1/alerts/stream`, { headers: { authorization: sender } });
    expect(denied.status).toBe(403);
  });

  describe('one process', () => {
    const feed = () => alertFeed(api.db, { pollMs: 200 });
    let server: Server;
    let base: string;
    let shared: ReturnType<typeof alertFeed>;

    beforeAll(async () => {
      shared = feed();
      // Only the stream, with the real authentication and error mapping, bounded to two clients.
      const router = Router();
      router.use(authenticate(api.db));
      mount(router, alertStreamRoutes({ feed: shared, maxClients: 2, heartbeatMs: 100 }));
      const app = express();
      app.use(requestContext);
      app.use('/api/v1', router);
      app.use(problemHandler(testLogger()));
      server = await new Promise<Server>((done) => {
        const s = app.listen(0, '127.0.0.1', () => done(s));
      });
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    });

    test('one poller feeds every stream; a third is turned away with 503 and Retry-After; a stream that leaves frees its place and the poller stops', async () => {
      const [a, b] = [await stream('', {}, base), await stream('', {}, base)];
      await Promise.all([a.next('ready', isReady), b.next('ready', isReady)]);
      expect(shared.listeners).toBe(2);
      const third = await stream('', {}, base);
      expect(third.status).toBe(503);
      expect(third.headers.get('retry-after')).toBe('30');
      expect(third.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.parse(third.body!).detail).toMatch(/already serves 2 live alert streams/);

      const id = await deliver(trigger('fan-out-1', { class: 'FanOut' }));
      await Promise.all([a.next('the alert on a', carries(id)), b.next('the alert on b', carries(id))]);

      a.close();
      await eventually('the stream to leave', async () => shared.listeners === 1);
      const c = await stream('', {}, base);
      await c.next('ready', isReady);
      b.close();
      c.close();
      await eventually('every stream to leave', async () => shared.listeners === 0);
    });

    test('heartbeats are comments carrying the watermark as the event id', async () => {
      const s = await stream('', {}, base);
      try {
        const ready = await s.next('ready', isReady);
        expect(await s.comment()).toBe('still here');
        expect(s.lastEventId).toMatch(ISO);
        expect(s.lastEventId >= ready.lastEventId).toBe(true);
      } finally {
        s.close();
      }
    });
  });
});

describe('the grouped view and the list filters', () => {
  const ids: Record<string, string> = {};
  const alerts: Record<string, string> = {};

  beforeAll(async () => {
    const create = async (key: string, cls: string, attributes: Record<string, unknown>) => {
      const res = await call(lead.bearer, 'POST', '/cmdb/cis', { class: cls, attributes });
      expect(res.status).toBe(201);
      ids[key] = res.body.id;
    };
    await create('app', 'application', { name: 'ledger', app_code: 'ledger', environment: 'prod' });
    await create('db', 'database_instance', { name: 'ledger-db', engine: 'postgresql' });
    await create('host', 'physical_server', { name: 'db-02', hostname: 'db-02', primary_ip: '10.20.31.12', environment: 'prod' });
    for (const [type, source, target] of [
      ['depends_on', 'app', 'db'],
      ['runs_on', 'db', 'host'],
    ]) {
      expect((await call(lead.bearer, 'POST', '/cmdb/relations', { type, source: ids[source], target: ids[target] })).status).toBe(201);
    }
    // Two DiskFull alerts (one on db-02, one on no known CI) make one group; CpuHigh another, seen last.
    alerts.diskDb = await deliver(trigger('disk-db', { class: 'DiskFull', source: 'db-02', group: 'storage' }));
    alerts.diskWeb = await deliver(trigger('disk-web', { class: 'DiskFull', source: 'web-01.example', group: 'storage', severity: 'info' }));
    await deliver(trigger('disk-db', { class: 'DiskFull', source: 'db-02', group: 'storage' }));
    alerts.cpu = await deliver(trigger('cpu-db', { class: 'CpuHigh', source: 'db-02', group: 'storage' }));
  });

  const groups = async (query: string) => (await call(agent.bearer, 'GET', `/alerts/groups?label=group%3Dstorage${query}`)).body;
  const diskGroup = async (query = '') => (await groups(query)).items.find((g: any) => g.key === diskKey);
  let diskKey = '';

  test('one line per group, most recently seen first: counts by state, events, worst severity, CIs and applications', async () => {
    const { items, nextCursor } = await groups('');
    expect(nextCursor).toBeNull();
    expect(items.map((g: any) => g.latest.name)).toEqual(['CpuHigh', 'DiskFull']);
    const disk = items[1];
    expect(disk).toMatchObject({
      rule: 'track',
      alerts: 2,
      events: 3,
      states: { firing: 2, acknowledged: 0, suppressed: 0, resolved: 0 },
      severity: 'warning',
      cis: [{ id: ids.host, name: 'db-02' }],
      ciCount: 1,
      applications: [{ id: ids.app, name: 'ledger' }],
      incident: null,
    });
    expect(disk.key).toMatch(/^track\/[0-9a-f]{16}$/);
    diskKey = disk.key;
    expect(disk.firstSeen < disk.lastSeen).toBe(true);
  });

  test('pages by cursor; a cursor it did not give or a limit out of range is a problem+json 400', async () => {
    const first = await groups('&limit=1');
    expect(first.items.map((g: any) => g.latest.name)).toEqual(['CpuHigh']);
    expect(typeof first.nextCursor).toBe('string');
    const second = await groups(`&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(second.items.map((g: any) => g.latest.name)).toEqual(['DiskFull']);
    expect(second.nextCursor).toBeNull();

    for (const [query, field] of [
      ['?cursor=not-a-cursor', 'query.cursor'],
      ['?limit=0', 'query.limit'],
      ['?severity=loud', 'query.severity.0'],
    ]) {
      const res = await call(agent.bearer, 'GET', `/alerts/groups${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    }
    expect((await call(sender, 'GET', '/alerts/groups')).status).toBe(403);
  });

  test("a group expands to its alerts; filters narrow the group's counts", async () => {
    const members = (await call(agent.bearer, 'GET', `/alerts?group=${encodeURIComponent(diskKey)}`)).body.items;
    expect(members.map((a: any) => a.id).sort()).toEqual([alerts.diskDb, alerts.diskWeb].sort());
    await deliver(resolve('disk-web'));
    // The resolve is the group's latest sighting: it moves up.
    expect((await groups('')).items.map((g: any) => g.key)[0]).toBe(diskKey);
    expect(await diskGroup()).toMatchObject({ alerts: 2, states: { firing: 1, resolved: 1 } });
    expect(await diskGroup('&state=firing')).toMatchObject({ alerts: 1, states: { firing: 1, resolved: 0 }, ciCount: 1 });
    expect((await groups('&state=resolved')).items).toEqual([expect.objectContaining({ key: diskKey, alerts: 1, cis: [], latest: expect.objectContaining({ id: alerts.diskWeb }) })]);
  });

  test('the list filters by CI and by application (any application the CMDB puts it under)', async () => {
    const byCi = (await call(agent.bearer, 'GET', `/alerts?ci=${ids.host}`)).body.items;
    expect(byCi.map((a: any) => a.id).sort()).toEqual([alerts.diskDb, alerts.cpu].sort());
    const byApp = (await call(agent.bearer, 'GET', `/alerts?application=${ids.app}`)).body.items;
    expect(byApp.map((a: any) => a.id).sort()).toEqual([alerts.diskDb, alerts.cpu].sort());
    expect((await call(agent.bearer, 'GET', `/alerts?application=${ids.host}`)).body.items).toEqual([]);
  });
});

describe('noise figures', () => {
  let from: string;

  beforeAll(async () => {
    from = new Date().toISOString();
    // events: n-1 three times then resolved by itself; n-2 (same group) acknowledged by ana, then resolved; n-3 in its own group.
    for (let i = 0; i < 3; i += 1) await deliver({ ...trigger('n-1', { class: 'Noisy' }), payload: { ...trigger('n-1', { class: 'Noisy' }).payload, summary: `noisy ${i}` } });
    const acked = await deliver(trigger('n-2', { class: 'Noisy' }));
    await deliver(trigger('n-3', { class: 'Quiet' }));
    expect((await call(agent.bearer, 'POST', `/alerts/${encodeURIComponent(acked)}/acknowledge`, {})).status).toBe(200);
    await deliver(resolve('n-1'));
    await deliver(resolve('n-2'));
    // zabbix: one problem, then its recovery, which Zabbix itself marks acknowledged.
    const problem = { ...fixture('zabbix-problem'), event_id: '7770001', event_nseverity: '2', event_severity: 'Warning' };
    await deliver(problem, 'zabbix');
    await deliver({ ...fixture('zabbix-recovery'), event_id: '7770001', event_recovery_id: '7770002', event_nseverity: '2', event_severity: 'Warning' }, 'zabbix');
  });

  test('per source and in total, over the alerts that opened in the span', async () => {
    const res = await call(agent.bearer, 'GET', `/alerts/noise?from=${encodeURIComponent(from)}`);
    expect(res.status).toBe(200);
    const bySource = Object.fromEntries(res.body.sources.map((s: any) => [s.source, s]));
    // events: 3 alerts, 5 firing messages, 2 groups; of 2 resolved, 1 by itself.
    expect(bySource.events).toMatchObject({ events: 5, alerts: 3, groups: 2, resolved: 2, autoResolved: 1, autoResolvedShare: 0.5 });
    expect(bySource.events.dedupRatio).toBeCloseTo(0.4, 12);
    expect(bySource.events.correlationRatio).toBeCloseTo(1 / 3, 12);
    expect(bySource.zabbix).toEqual({ source: 'zabbix', events: 1, alerts: 1, groups: 1, resolved: 1, autoResolved: 1, dedupRatio: 0, correlationRatio: 0, autoResolvedShare: 1 });
    expect(res.body.total).toMatchObject({ source: 'all', events: 6, alerts: 4, groups: 3, resolved: 3, autoResolved: 2 });
    expect(res.body.total.correlationRatio).toBeCloseTo(0.25, 12);
    expect(res.body).toMatchObject({ from, to: expect.stringMatching(ISO), truncated: false });
  });

  test('a span before anything opened has no figures, and says null rather than zero', async () => {
    const res = await call(agent.bearer, 'GET', '/alerts/noise?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect(res.body).toEqual({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z', sources: [], total: expect.objectContaining({ alerts: 0, dedupRatio: null, correlationRatio: null, autoResolvedShare: null }), truncated: false });
  });

  test('a malformed, reversed or too long span is a problem+json 400', async () => {
    for (const query of ['from=yesterday', 'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'until=now']) {
      const res = await call(agent.bearer, 'GET', `/alerts/noise?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors[0].field).toMatch(/^query/);
    }
  });
});

describe('the maintenance calendar', () => {
  // 2030-06-03 is a Monday.
  const week = 'from=2030-06-03T00:00:00Z&to=2030-06-10T00:00:00Z';
  const occurrences = async () => (await call(agent.bearer, 'GET', `/alerts/maintenance/occurrences?${week}`)).body;

  test('one-off and recurring windows as occurrences in the week; an ended window leaves it', async () => {
    const recurring = await call(lead.bearer, 'POST', '/alerts/maintenance', {
      title: 'Backups',
      scope: { cis: ['srv-1'] },
      startsAt: '2030-06-01T00:00:00Z',
      recurrence: { timeZone: 'UTC', windows: [{ days: ['mon', 'wed'], start: '01:00', end: '02:00' }] },
    });
    expect(recurring.status).toBe(201);
    const oneOff = await call(lead.bearer, 'POST', '/alerts/maintenance', { title: 'Swap disk', scope: { cis: ['srv-2'] }, startsAt: '2030-06-04T10:00:00Z', endsAt: '2030-06-04T12:00:00Z' });
    expect(oneOff.status).toBe(201);

    expect(await occurrences()).toEqual({
      from: '2030-06-03T00:00:00.000Z',
      to: '2030-06-10T00:00:00.000Z',
      truncated: false,
      items: [
        { window: recurring.body.id, title: 'Backups', recurring: true, startsAt: '2030-06-03T01:00:00.000Z', endsAt: '2030-06-03T02:00:00.000Z' },
        { window: oneOff.body.id, title: 'Swap disk', recurring: false, startsAt: '2030-06-04T10:00:00.000Z', endsAt: '2030-06-04T12:00:00.000Z' },
        { window: recurring.body.id, title: 'Backups', recurring: true, startsAt: '2030-06-05T01:00:00.000Z', endsAt: '2030-06-05T02:00:00.000Z' },
      ],
    });

    expect((await call(lead.bearer, 'DELETE', `/alerts/maintenance/${oneOff.body.id}`)).status).toBe(200);
    expect((await occurrences()).items.map((o: any) => o.title)).toEqual(['Backups', 'Backups']);
  });

  test('a malformed or too long span is a problem+json 400', async () => {
    for (const query of ['from=monday', 'from=2030-06-03T00:00:00Z&to=2030-09-03T00:00:00Z']) {
      const res = await call(agent.bearer, 'GET', `/alerts/maintenance/occurrences?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe("an alert's runs", () => {
  test('none for an alert whose group started none; an unknown alert is 404, a malformed id 400', async () => {
    const id = await deliver(trigger('runs-1', { class: 'NoRunbook' }));
    expect((await call(agent.bearer, 'GET', `/alerts/${encodeURIComponent(id)}/runs`)).body).toEqual({ items: [] });
    expect((await call(agent.bearer, 'GET', `/alerts/${'0'.repeat(64)}%231/runs`)).status).toBe(404);
    const bad = await call(agent.bearer, 'GET', '/alerts/nope/runs');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });
});

test('the OpenAPI document has the console routes, with the permission they need', async () => {
  const doc = (await call(agent.bearer, 'GET', '/openapi.json')).body;
  for (const [path, id] of [
    ['/alerts/stream', 'streamAlerts'],
    ['/alerts/groups', 'listAlertGroups'],
    ['/alerts/noise', 'alertNoise'],
    ['/alerts/maintenance/occurrences', 'maintenanceOccurrences'],
    ['/alerts/{id}/runs', 'alertRuns'],
  ]) {
    expect(doc.paths[path].get).toMatchObject({ operationId: id, 'x-permission': 'alert.read' });
  }
  expect(doc.paths['/alerts/noise'].get.parameters.map((p: any) => p.name)).toEqual(['from', 'to']);
  expect(doc.paths['/alerts'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['ci', 'application', 'group']));
});
