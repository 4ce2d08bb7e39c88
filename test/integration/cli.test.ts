import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { mongoUri, startTestApi, type TestApi } from '../setup/harness';

const root = path.resolve(__dirname, '../..');
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

function flowdesk(args: string[], input = '') {
  const result = spawnSync(process.execPath, [path.join(root, 'bin/flowdesk.mjs'), ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, MONGODB_URI: mongoUri(), MONGODB_DATABASE: api.dbName },
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('flowdesk user add', () => {
  it('creates the first admin, who can then sign in', async () => {
    const added = flowdesk(['user', 'add', 'chief', '--admin', '--name', 'Chief Admin'], 'Very-Secret-Pass-1\n');
    expect(added.output).toMatch(/created user chief with role\(s\) admin/);
    expect(added.status).toBe(0);
    const login = await fetch(`${api.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: 'Very-Secret-Pass-1' }) });
    expect(login.status).toBe(200);
    expect(((await login.json()) as any).user).toMatchObject({ displayName: 'Chief Admin', roles: ['admin'] });
  });

  it('refuses a weak password, an unknown role and a taken name, saying why', () => {
    expect(flowdesk(['user', 'add', 'weak', '--admin'], 'short\n')).toMatchObject({ status: 2, output: expect.stringMatching(/at least 12 characters/) });
    expect(flowdesk(['user', 'add', 'odd', '--role', 'wizard'], 'Very-Secret-Pass-1\n')).toMatchObject({ status: 2, output: expect.stringMatching(/unknown role\(s\): wizard/) });
    expect(flowdesk(['user', 'add', 'chief'], 'Very-Secret-Pass-1\n')).toMatchObject({ status: 1, output: expect.stringMatching(/already exists/) });
  });
});

describe('flowdesk audit verify', () => {
  it('reports an intact chain, then pinpoints an entry edited in the database', async () => {
    const intact = flowdesk(['audit', 'verify']);
    expect(intact).toMatchObject({ status: 0, output: expect.stringMatching(/audit chain OK: \d+ entries verified/) });
    const entries = api.db.collection('audit_log');
    const victim = await entries.find().sort({ _id: 1 }).limit(1).next();
    await entries.updateOne({ _id: victim!._id }, { $set: { action: 'nothing.to.see' } });
    const broken = flowdesk(['audit', 'verify']);
    expect(broken).toMatchObject({ status: 1, output: expect.stringContaining(`audit chain BROKEN at entry #${victim!._id}: hash mismatch`) });
  });
});
