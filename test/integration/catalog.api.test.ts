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
    expect(reply.body.items[0]).toMatchObject({ id: 'password-reset', name: 'Password reset', form: { type: 'object', properties: expect.any(Object) }, approval: { required: false } });
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
      approval: { required: true, approvers: { group: 'dba' }, mode: 'all' },
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
