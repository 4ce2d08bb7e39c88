import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// The CMDB through the HTTP API against the real store: model, CRUD with validation,
// history and as-of reads, selectors and target preview, topology and impact, model changes.

let api: TestApi;
let editor: TestUser;
let admin: TestUser;
let agent: TestUser;

beforeAll(async () => {
  api = await startTestApi();
  editor = await addUser(api.db, 'eve', ['cmdb_editor']);
  admin = await addUser(api.db, 'cmdbadmin', ['cmdb_admin']);
  agent = await addUser(api.db, 'andy', ['agent']);
});
afterAll(() => api?.stop());

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
const create = async (cls: string, attributes: Record<string, unknown>, tags?: string[]) => {
  const res = await call(editor, 'POST', '/cmdb/cis', { class: cls, attributes, tags });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const relate = async (type: string, source: string, target: string) => expect((await call(editor, 'POST', '/cmdb/relations', { type, source, target })).status).toBe(201);

const ids: Record<string, string> = {};

test('the model is served with inheritance flattened', async () => {
  const res = await call(agent, 'GET', '/cmdb/model');
  expect(res.status).toBe(200);
  const vm = res.body.classes.find((c: { name: string }) => c.name === 'virtual_machine');
  expect(vm.lineage).toEqual(['ci', 'host', 'virtual_machine']);
  expect(Object.keys(vm.attributes)).toEqual(expect.arrayContaining(['owner_group', 'environment', 'lifecycle', 'zone', 'primary_ip']));
  expect((await call(agent, 'GET', '/cmdb/classes/host')).body.subclasses.sort()).toEqual(['physical_server', 'virtual_machine']);
});

test('build a small estate: business system to hosts, with zones from subnets', async () => {
  ids.zone = await create('zone', { name: 'dc-a', subnets: ['10.1.0.0/16'] });
  ids.bs = await create('business_system', { name: 'Payments', code: 'PAY', owner_group: 'payments-team' });
  ids.app = await create('application', { name: 'payments-api', app_code: 'payapi', environment: 'prod' });
  ids.svc = await create('service', { name: 'api-svc' });
  ids.p1 = await create('process', { name: 'api-1', port: 8080 });
  ids.p2 = await create('process', { name: 'api-2', port: 8080 });
  ids.web1 = await create('virtual_machine', { name: 'web-1', hostname: 'web-1', primary_ip: '10.1.2.11', cpu_count: 4 }, ['pci']);
  ids.web2 = await create('virtual_machine', { name: 'web-2', hostname: 'web-2', primary_ip: '10.9.0.12', zone: 'dc-b', cpu_count: 2 });
  await relate('part_of', ids.app, ids.bs);
  await relate('part_of', ids.svc, ids.app);
  await relate('member_of', ids.p1, ids.svc);
  await relate('member_of', ids.p2, ids.svc);
  await relate('runs_on', ids.p1, ids.web1);
  await relate('runs_on', ids.p2, ids.web2);

  const web1 = await call(agent, 'GET', `/cmdb/cis/${ids.web1}`);
  expect(web1.body).toMatchObject({ class: 'virtual_machine', zone: 'dc-a', version: 1, tags: ['pci'], sources: { name: 'manual' } });
  expect(web1.headers.get('etag')).toBe('"1"');
  const rels = await call(agent, 'GET', `/cmdb/cis/${ids.svc}/relations`);
  expect(rels.body.incoming.map((r: { other: { attributes: { name: string } } }) => r.other.attributes.name).sort()).toEqual(['api-1', 'api-2']);
  expect(rels.body.outgoing[0].relation.type).toBe('part_of');
});

test('bad input answers problem+json naming each field', async () => {
  const res = await call(editor, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { cpu_count: 'many', primary_ip: '10.1.2', colour: 'red' } });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(res.body.errors).toEqual(
    expect.arrayContaining([
      { field: 'body.attributes.name', message: 'is required' },
      { field: 'body.attributes.cpu_count', message: 'must be a number, got "many"' },
      { field: 'body.attributes.primary_ip', message: 'must be an IPv4 or IPv6 address, got "10.1.2"' },
      { field: 'body.attributes.colour', message: "class 'virtual_machine' has no attribute 'colour'" },
    ]),
  );
  expect((await call(editor, 'POST', '/cmdb/cis', { class: 'nope', attributes: {} })).status).toBe(400);
  expect((await call(editor, 'POST', '/cmdb/cis', { class: 'application', attributes: { name: 'dup', app_code: 'PAYAPI' } })).status).toBe(409);
  expect((await call(editor, 'POST', '/cmdb/relations', { type: 'runs_on', source: ids.web1, target: ids.p1 })).body.errors[0].message).toMatch(/cannot be the source/);
  expect((await call(editor, 'POST', '/cmdb/relations', { type: 'runs_on', source: ids.p1, target: ids.web2 })).status).toBe(409);
  expect((await call(editor, 'GET', '/cmdb/cis/ci-missing')).status).toBe(404);
  expect((await call(agent, 'POST', '/cmdb/cis', { class: 'zone', attributes: { name: 'x' } })).status).toBe(403);
});

test('updates need the current version, keep history, and the past can be read', async () => {
  const before = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  const ok = await call(editor, 'PATCH', `/cmdb/cis/${ids.web1}`, { attributes: { cpu_count: 8, owner_group: 'web-team' } }, { 'if-match': '"1"' });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('etag')).toBe('"2"');
  expect((await call(editor, 'PATCH', `/cmdb/cis/${ids.web1}`, { attributes: { cpu_count: 16 } }, { 'if-match': '"1"' })).status).toBe(412);
  const history = await call(agent, 'GET', `/cmdb/cis/${ids.web1}/history`);
  expect(history.body.items.map((h: { version: number; actor: { id: string } }) => [h.version, h.actor.id])).toEqual([[2, 'eve'], [1, 'eve']]);
  expect(history.body.items[0].changes).toEqual({ cpu_count: { before: 4, after: 8 }, owner_group: { before: null, after: 'web-team' } });
  const past = await call(agent, 'GET', `/cmdb/cis/${ids.web1}?at=${encodeURIComponent(before)}`);
  expect(past.body.attributes.cpu_count).toBe(4);
});

test('selectors: hosts running payments-api in zone dc-a, and the target preview', async () => {
  const selector = {
    class: 'host',
    where: { zone: 'dc-a' },
    related: [{ type: 'runs_on', direction: 'in', to: { related: [{ type: 'member_of', direction: 'out', to: { related: [{ type: 'part_of', direction: 'out', to: { class: 'application', where: { name: 'payments-api' } } }] } }] } }],
  };
  const res = await call(agent, 'POST', '/cmdb/query', { selector });
  expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([ids.web1]);
  const preview = await call(agent, 'POST', '/cmdb/targets/preview', { selector: { ...selector, where: undefined } });
  expect(preview.body).toMatchObject({ count: 2, byZone: { 'dc-a': 1, 'dc-b': 1 }, withoutZone: 0 });
  expect(preview.body.targets.map((t: { address: string }) => t.address)).toEqual(['10.1.2.11', '10.9.0.12']);

  const page1 = await call(agent, 'POST', '/cmdb/query', { selector: { class: 'ci' }, limit: 3 });
  expect(page1.body.total).toBe(8);
  const page2 = await call(agent, 'POST', '/cmdb/query', { selector: { class: 'ci' }, limit: 10, cursor: page1.body.nextCursor });
  expect([...page1.body.items, ...page2.body.items].map((c: { attributes: { name: string } }) => c.attributes.name)).toEqual(['api-1', 'api-2', 'api-svc', 'dc-a', 'Payments', 'payments-api', 'web-1', 'web-2']);

  const bad = await call(agent, 'POST', '/cmdb/query', { selector: { class: 'host', where: { cpus: 4 } } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ field: 'body.selector.where.cpus', message: 'no such attribute in the selected classes' }]);
  expect((await call(agent, 'POST', '/cmdb/query', { selector: {}, cursor: 'garbage' })).status).toBe(400);
});

test('topology and impact', async () => {
  const topo = await call(agent, 'GET', `/cmdb/cis/${ids.app}/topology?direction=upstream&depth=3`);
  expect(topo.body.nodes.map((n: { ci: { attributes: { name: string } }; depth: number }) => `${n.ci.attributes.name}@${n.depth}`).sort()).toEqual(['api-1@2', 'api-2@2', 'api-svc@1', 'payments-api@0']);
  expect((await call(agent, 'GET', `/cmdb/cis/${ids.app}/topology?types=nope`)).status).toBe(400);

  const one = await call(agent, 'POST', '/cmdb/impact', { failing: [ids.web1] });
  expect(one.body.highlights.application).toEqual([expect.objectContaining({ effect: 'degraded', ci: expect.objectContaining({ id: ids.app }) })]);
  const both = await call(agent, 'POST', '/cmdb/impact', { failing: [ids.web1, ids.web2] });
  expect(both.body.highlights.business_system).toEqual([expect.objectContaining({ effect: 'down', depth: 4 })]);
  expect((await call(agent, 'POST', '/cmdb/impact', { failing: ['ci-nothing'] })).status).toBe(404);
});

test('changing a class reports the CIs that would not fit, and refuses until forced', async () => {
  const model = (await call(admin, 'GET', '/cmdb/classes/process')).body.definition;
  const narrowed = { ...model, attributes: { ...model.attributes, command: { type: 'string', required: true } } };
  const dry = await call(admin, 'PUT', '/cmdb/classes/process?dryRun=true', narrowed);
  expect(dry.body).toMatchObject({ applied: false, checked: 2, violations: 2 });
  expect(dry.body.examples[0].errors).toEqual([{ field: 'attributes.command', message: 'is required' }]);
  const refused = await call(admin, 'PUT', '/cmdb/classes/process', narrowed);
  expect(refused.status).toBe(409);
  expect(refused.body.report.violations).toBe(2);
  const harmless = { ...model, attributes: { ...model.attributes, pid_file: { type: 'string' } } };
  expect((await call(admin, 'PUT', '/cmdb/classes/process', harmless)).body).toMatchObject({ applied: true, violations: 0 });
  expect((await call(editor, 'GET', '/cmdb/classes/process')).body.attributes.pid_file).toEqual({ type: 'string' });
  expect((await call(admin, 'PUT', '/cmdb/classes/process', { ...model, parent: 'nothing' })).body.errors[0]).toEqual({ field: 'classes.process.parent', message: "no class 'nothing'" });
  expect((await call(editor, 'PUT', '/cmdb/classes/process', harmless)).status).toBe(403);
});

test('retire keeps the CI; hard delete needs cmdb.admin and is audited', async () => {
  const retired = await call(editor, 'DELETE', `/cmdb/cis/${ids.p2}`);
  expect(retired.body.attributes.lifecycle).toBe('retired');
  expect((await call(editor, 'DELETE', `/cmdb/cis/${ids.p2}?hard=true`)).status).toBe(403);
  expect((await call(admin, 'DELETE', `/cmdb/cis/${ids.p2}?hard=true`)).status).toBe(204);
  expect((await call(agent, 'GET', `/cmdb/cis/${ids.p2}`)).status).toBe(404);
  expect((await call(agent, 'GET', `/cmdb/cis/${ids.p2}/history`)).body.items.map((h: { operation: string }) => h.operation)).toEqual(['delete', 'retire', 'create']);
  const trail = await api.db.collection('audit_log').find({ action: 'cmdb.ci.delete' }).toArray();
  expect(trail.map((e) => e.outcome).sort()).toEqual(['denied', 'success']);
});
