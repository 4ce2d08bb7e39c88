import fs from 'node:fs';
import os from 'node:os';
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

describe('flowdesk cmdb import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-cli-cmdb-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('imports a CSV with relations, then finds every row unchanged', async () => {
    const cis = write('estate.csv', 'ref,class,name,hostname,domain,serial_number\nhv,physical_server,hv-1,hv-1,bank.example,SN-9\nvm,virtual_machine,vm-1,vm-1,bank.example,\n');
    const relations = write('relations.csv', 'type,source,target\nhosted_on,vm,hv\n');
    const first = flowdesk(['cmdb', 'import', cis, '--relations', relations]);
    expect(first).toMatchObject({ status: 0, output: expect.stringContaining('CIs 2 created, 0 updated, 0 unchanged, 0 rejected; relations 1 created') });
    expect(await api.db.collection('cmdb_cis').countDocuments()).toBe(2);
    const again = flowdesk(['cmdb', 'import', cis, '--relations', relations, '--dry-run']);
    expect(again).toMatchObject({ status: 0, output: expect.stringContaining('dry run, nothing written: CIs 0 created, 0 updated, 2 unchanged, 0 rejected; relations 0 created, 1 existing') });
  });

  it('names rejected rows (exit 1), and unreadable files and bad usage (exit 2)', () => {
    const bad = write('bad.json', JSON.stringify({ cis: [{ class: 'virtual_machine', attributes: { name: 'x', cpu_count: 0 } }] }));
    expect(flowdesk(['cmdb', 'import', bad])).toMatchObject({ status: 1, output: expect.stringContaining('row 1: attributes.cpu_count the value must be at least 1') });
    expect(flowdesk(['cmdb', 'import', write('broken.csv', 'class,name\n"open')])).toMatchObject({ status: 2, output: expect.stringMatching(/broken\.csv cannot be read: line 2: a quoted field is not closed/) });
    expect(flowdesk(['cmdb', 'import', write('wrong.json', '{"items": []}')])).toMatchObject({ status: 2, output: expect.stringMatching(/must be a JSON object with a "cis" list/) });
    expect(flowdesk(['cmdb', 'import'])).toMatchObject({ status: 2, output: expect.stringMatching(/name the file to import/) });
  });
});
