import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// Every route of the OpenAPI document declares a permission; this walks all of them, so
// a new route that forgets its permission (or its check) fails the build.
let api: TestApi;
let nobody: TestUser;
let operations: { method: string; path: string; permission: string }[];

beforeAll(async () => {
  api = await startTestApi();
  nobody = await addUser(api.db, 'nobody', []);
  const document = (await (await fetch(`${api.baseUrl}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { 'x-permission': string }>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, permission: op['x-permission'] })),
  );
});
afterAll(() => api.stop());

const SAMPLE_PARAMS: Record<string, string> = { number: 'INC0000001', username: 'someone', name: 'somegroup', id: 'AAAAAAAAAAAAAAAA' };

function call(op: { method: string; path: string }, authorization?: string) {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');
  return fetch(`${api.baseUrl}/api/v1${path}`, {
    method: op.method,
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    body: op.method === 'GET' ? undefined : '{}',
  });
}

describe('every API route', () => {
  it('declares a permission', () => {
    expect(operations.length).toBeGreaterThan(15);
    const undeclared = operations.filter((op) => !op.permission);
    expect(undeclared).toEqual([]);
  });

  it('answers 401 without credentials (except the public ones)', async () => {
    const results = await Promise.all(operations.filter((op) => op.permission !== 'public').map(async (op) => `${op.method} ${op.path} ${(await call(op)).status}`));
    expect(results.filter((r) => !r.endsWith(' 401'))).toEqual([]);
  });

  it('answers 403 to a caller without the permission, and audits the denial', async () => {
    const guarded = operations.filter((op) => !['public', 'authenticated'].includes(op.permission));
    const results = await Promise.all(guarded.map(async (op) => `${op.method} ${op.path} ${(await call(op, nobody.bearer)).status}`));
    expect(results.filter((r) => !r.endsWith(' 403'))).toEqual([]);
    const denials = await api.db.collection('audit_log').countDocuments({ action: 'access.denied', 'actor.name': 'nobody' });
    expect(denials).toBe(guarded.length);
  });

  it('rejects an unknown, malformed or revoked token with 401', async () => {
    const me = { method: 'GET', path: '/auth/me' };
    expect((await call(me, 'Bearer fdt_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43))).status).toBe(401);
    expect((await call(me, 'Bearer not-a-token')).status).toBe(401);
    expect((await call(me, nobody.bearer)).status).toBe(200);
  });
});
