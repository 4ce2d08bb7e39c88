import { groupModel } from '../../store/groups';
import { userModel } from '../../store/users';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

let api: TestApi;
let requester: TestUser;
beforeAll(async () => {
  api = await startTestApi();
  requester = await addUser(api.db, 'rita', ['requester']);
});
afterAll(() => api.stop());

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function get(path: string, authorization: string | null = requester.bearer): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { headers: authorization ? { authorization } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function post(path: string, body: unknown, authorization: string = requester.bearer): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

function expectProblem(reply: Reply, status: number, detail: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, detail: expect.stringMatching(detail) });
}

const ids = (reply: Reply) => reply.body.items.map((item: { id: string }) => item.id);

describe('the service catalog API', () => {
  it('lists the shipped items in catalog order, with every category', async () => {
    const reply = await get('/catalog/items');
    expect(reply.status).toBe(200);
    expect(ids(reply)).toEqual(['password-reset', 'laptop', 'software-installation', 'vpn-access', 'shared-mailbox', 'new-starter', 'database-access']);
    expect(reply.body.categories).toEqual(['Access', 'Accounts', 'Email & collaboration', 'Hardware', 'People', 'Software']);
    expect(reply.body.items[0]).toMatchObject({ id: 'password-reset', name: 'Password reset', form: { type: 'object', properties: expect.any(Object) }, approval: { levels: [] } });
  });

  it('searches names, keywords and descriptions, best match first', async () => {
    expect(ids(await get('/catalog/items?q=vpn'))).toEqual(['vpn-access']);
    expect(ids(await get('/catalog/items?q=ORACLE'))).toEqual(['database-access']);
    const access = await get('/catalog/items?q=access');
    expect(ids(access).slice(0, 2)).toEqual(['vpn-access', 'database-access']);
    expect(ids(access)).not.toContain('laptop');
    expect(ids(await get('/catalog/items?q=teleporter'))).toEqual([]);
  });

  it('filters by category, alone or with a search, and keeps listing every category', async () => {
    const access = await get('/catalog/items?category=access');
    expect(ids(access)).toEqual(['vpn-access', 'database-access']);
    expect(access.body.categories).toHaveLength(6);
    expect(ids(await get(`/catalog/items?category=${encodeURIComponent('Access')}&q=remote`))).toEqual(['vpn-access']);
    expect(ids(await get('/catalog/items?category=Nowhere'))).toEqual([]);
  });

  it('rejects unknown and repeated query parameters', async () => {
    expectProblem(await get('/catalog/items?sort=name'), 400, /unknown field\(s\): sort/);
    expectProblem(await get('/catalog/items?q=a&q=b'), 400, /q:/);
  });

  it('reads one item with its form', async () => {
    const reply = await get('/catalog/items/database-access');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: 'database-access',
      approval: { levels: [{ name: 'DBA team', approvers: { group: 'dba' }, mode: { type: 'all' }, due: '2d', onDue: 'reject' }] },
      fulfilment: { group: 'dba', tasks: [{ group: 'dba', title: expect.any(String) }] },
    });
    expect(reply.body.form.properties.durationDays).toMatchObject({ type: 'integer', minimum: 1, maximum: 90, default: 30 });
  });

  it('answers 404 for an unknown item and 400 for a malformed id', async () => {
    expectProblem(await get('/catalog/items/teleporter'), 404, /there is no catalog item 'teleporter'/);
    const malformed = await get('/catalog/items/VPN_Access');
    expectProblem(malformed, 400, /must be a catalog item id/);
    expect(malformed.body.errors).toEqual([{ field: 'params.id', message: expect.stringMatching(/lower-case letters, digits and single dashes/) }]);
  });

  it('needs a signed-in caller', async () => {
    expectProblem(await get('/catalog/items', null), 401, /sign in/);
    expectProblem(await get('/catalog/items/vpn-access', null), 401, /sign in/);
  });

  it('documents both operations in the OpenAPI document', async () => {
    const { body } = await get('/openapi.json');
    expect(body.paths['/catalog/items'].get).toMatchObject({ operationId: 'listCatalogItems', 'x-permission': 'authenticated' });
    expect(body.paths['/catalog/items/{id}'].get).toMatchObject({ operationId: 'getCatalogItem' });
    expect(body.components.schemas.CatalogItem).toBeDefined();
  });
});

describe("ordering resolves the item's approval levels to people", () => {
  const DAY = 86_400_000;
  const newStarter = {
    item: 'new-starter',
    answers: { firstName: 'Ada', lastName: 'Byron', startDate: '2026-09-01', jobTitle: 'Analyst', department: 'Risk', lineManager: 'rita@bank.example', location: 'London' },
  };
  const dbAccess = { item: 'database-access', answers: { database: 'PAYMENTS-PROD (PostgreSQL)', justification: 'Month-end reconciliation needs ad-hoc queries on settled payments.' } };
  const setMembers = (group: string, members: string[]) =>
    groupModel(api.db)
      .updateOne({ _id: group }, { $set: { members }, $setOnInsert: { displayName: group, manager: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' } }, { upsert: true })
      .exec();

  it('builds every level with its mode, due time and escalation, skipping users who are not active', async () => {
    expectProblem(await post('/requests', newStarter), 422, /'New starter onboarding' needs approval \(level 'Line manager'\) by your manager, but no manager is recorded for rita; ask an administrator to set it/);

    await addUser(api.db, 'mona', ['requester']);
    await userModel(api.db).updateOne({ _id: 'rita' }, { $set: { manager: 'mona' } }).exec();
    expectProblem(await post('/requests', newStarter), 422, /\(level 'Line manager'\), escalated after 3d, by hr\.onboarding, who is not an active user; ask an administrator/);

    await addUser(api.db, 'hr.onboarding', ['requester']);
    expectProblem(await post('/requests', newStarter), 422, /\(level 'IT security'\) by iris\.kovacs, tom\.brandt, ana\.silva, none of whom is an active user; ask an administrator/);

    await addUser(api.db, 'iris.kovacs', ['requester']);
    await addUser(api.db, 'tom.brandt', ['requester']);
    await userModel(api.db).updateOne({ _id: 'tom.brandt' }, { $set: { active: false } }).exec();
    await addUser(api.db, 'ana.silva', ['requester']);
    const reply = await post('/requests', newStarter);
    expect(reply.status).toBe(201);
    const [manager, security] = reply.body.approval.levels;
    expect(manager).toMatchObject({ name: 'Line manager', state: 'pending', mode: { type: 'any' }, onDue: 'escalate', escalateTo: ['hr.onboarding'], dueInMs: 3 * DAY, approvers: [{ user: 'mona', state: 'pending' }] });
    expect(Date.parse(manager.dueAt) - Date.parse(manager.startedAt)).toBe(3 * DAY);
    expect(security).toMatchObject({ name: 'IT security', state: 'waiting', mode: { type: 'percentage', percent: 50 }, rejectWhen: 'any_rejection', onDue: 'approve', escalateTo: [], dueInMs: 2 * DAY });
    expect(security.approvers.map((a: { user: string }) => a.user)).toEqual(['iris.kovacs', 'ana.silva']);
  });

  it("asks a group's active members, never the requester", async () => {
    expectProblem(await post('/requests', dbAccess), 422, /'Database access' needs approval \(level 'DBA team'\) by group 'dba', which does not exist; ask an administrator/);
    await setMembers('dba', ['rita']);
    const alone = await post('/requests', dbAccess);
    expectProblem(alone, 422, /by group 'dba', which has no active members other than you/);
    expect(alone.body.title).toBe('No approvers');

    await addUser(api.db, 'dan', ['requester']);
    await addUser(api.db, 'dora', ['requester']);
    await setMembers('dba', ['dora', 'rita', 'dan', 'ghost']);
    const reply = await post('/requests', dbAccess);
    expect(reply.status).toBe(201);
    expect(reply.body.approval.levels).toEqual([
      expect.objectContaining({ name: 'DBA team', mode: { type: 'all' }, rejectWhen: 'any_rejection', onDue: 'reject', dueInMs: 2 * DAY, approvers: [expect.objectContaining({ user: 'dora' }), expect.objectContaining({ user: 'dan' })] }),
    ]);
  });

  it('sends an item without levels straight to fulfilment', async () => {
    const reply = await post('/requests', { item: 'password-reset', answers: { system: 'VPN second factor', username: 'rita', contactPhone: '+44 20 7946 0000' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ state: 'in_fulfilment' });
  });
});
