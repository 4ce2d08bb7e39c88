import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { MasterKey, MasterKeyError } from '../../runtime/masterKey';
import { CredentialNotFoundError, resolveCredential } from '../../store/credentials';
import { CredentialKeyError } from '../../store/vault';
import { addUser, startTestApi, type TestApi, type TestUser, testLogger } from '../setup/harness';

// The credential vault through the HTTP API against the real store: secrets go in, are
// stored encrypted, come out only through resolveCredential, and never reach a response
// or the audit trail.

let api: TestApi;
let manager: TestUser;
let reader: TestUser;
let requester: TestUser;

beforeAll(async () => {
  api = await startTestApi();
  manager = await addUser(api.db, 'ada', ['automation_admin']);
  reader = await addUser(api.db, 'eve', ['cmdb_editor']);
  requester = await addUser(api.db, 'rick', ['requester']);
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

const rawDocument = (id: string) => api.db.collection('credentials').findOne({ _id: id as never });
const secretOf = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const pemKey = () => generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const OPENSSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(`openssh-key-v1 ${randomBytes(48).toString('hex')}`).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;

/** One credential of each kind, with the secret values to look for. */
const SAMPLES = {
  ssh_key: () => ({ body: { username: 'ops', privateKey: pemKey(), passphrase: secretOf('phrase') }, secrets: ['privateKey', 'passphrase'] }),
  ssh_password: () => ({ body: { username: 'root', password: secretOf('pw') }, secrets: ['password'] }),
  snmp_community: () => ({ body: { community: secretOf('community') }, secrets: ['community'] }),
  snmp_v3: () => ({ body: { username: 'monitor', authProtocol: 'sha256', authKey: secretOf('auth'), privKey: secretOf('priv') }, secrets: ['authKey', 'privKey'] }),
  http_bearer: () => ({ body: { token: secretOf('token') }, secrets: ['token'] }),
  http_basic: () => ({ body: { username: 'svc', password: secretOf('basic') }, secrets: ['password'] }),
  openstack_password: () => ({ body: { authUrl: 'https://keystone.dc-a.example:5000/v3', username: 'svc-flowdesk', projectName: 'ops', region: 'RegionOne', password: secretOf('os') }, secrets: ['password'] }),
} as const;

type Kind = keyof typeof SAMPLES;

/** Secret values must not appear anywhere in `value`; the PEM body is checked by a line of it. */
function expectNoSecrets(value: unknown, secrets: string[]): void {
  const text = JSON.stringify(value);
  for (const secret of secrets) {
    const probe = secret.includes('PRIVATE KEY') ? secret.split('\n')[1]! : secret;
    expect(text).not.toContain(probe);
  }
}

async function createSample(kind: Kind, name: string) {
  const sample = SAMPLES[kind]();
  const res = await call(manager, 'POST', '/credentials', { name, kind, description: `${kind} for tests`, ...sample.body });
  expect(res.status).toBe(201);
  const secrets = sample.secrets.map((field) => (sample.body as Record<string, string>)[field]!);
  return { res, id: res.body.id as string, body: sample.body as Record<string, string>, secrets };
}

describe('creating and reading', () => {
  const created: Record<string, { id: string; body: Record<string, string>; secrets: string[] }> = {};

  it.each(Object.keys(SAMPLES) as Kind[])('stores a %s credential and answers without its secret', async (kind) => {
    const { res, id, body, secrets } = await createSample(kind, `${kind.replace('_', '-')}.one`);
    created[kind] = { id, body, secrets };
    expect(id).toMatch(/^cred_[0-9a-f]{16}$/);
    expect(res.headers.get('location')).toBe(`/api/v1/credentials/${id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({ name: `${kind.replace('_', '-')}.one`, kind, description: `${kind} for tests`, createdBy: 'ada', version: 1 });
    expect(res.body).not.toHaveProperty('secret');
    expectNoSecrets(res.body, secrets);
  });

  it('keeps public fields in clear, with SNMPv3 defaults', async () => {
    const got = await call(reader, 'GET', `/credentials/${created.snmp_v3!.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ username: 'monitor', securityLevel: 'authPriv', authProtocol: 'sha256', privProtocol: 'aes' });
    expect((await call(reader, 'GET', `/credentials/${created.ssh_key!.id}`)).body.username).toBe('ops');
    const cloud = await call(reader, 'GET', `/credentials/${created.openstack_password!.id}`);
    expect(cloud.body).toMatchObject({ authUrl: 'https://keystone.dc-a.example:5000/v3', username: 'svc-flowdesk', userDomain: 'Default', projectName: 'ops', projectDomain: 'Default', region: 'RegionOne' });
    expect(cloud.body).not.toHaveProperty('password');
  });

  it('lists and gets without any secret or ciphertext, and filters by kind', async () => {
    const all = await call(reader, 'GET', '/credentials');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(Object.keys(SAMPLES).length);
    expect(all.body.items.map((c: { name: string }) => c.name)).toEqual([...all.body.items.map((c: { name: string }) => c.name)].sort());
    for (const { id, secrets } of Object.values(created)) {
      const raw = (await rawDocument(id))!;
      const one = await call(reader, 'GET', `/credentials/${id}`);
      for (const shown of [all.body, one.body]) {
        expectNoSecrets(shown, secrets);
        expect(JSON.stringify(shown)).not.toContain(raw.secret.data);
      }
      expect(one.headers.get('etag')).toBe('"1"');
    }
    const ssh = await call(reader, 'GET', '/credentials?kind=ssh_key');
    expect(ssh.body.items.map((c: { kind: string }) => c.kind)).toEqual(['ssh_key']);
  });

  it('stores the secret encrypted with the master key and bound to the record', async () => {
    for (const { id, secrets } of Object.values(created)) {
      const raw = (await rawDocument(id))!;
      expectNoSecrets(raw, secrets);
      expect(raw.secret).toEqual({ kid: api.masterKey.kid, iv: expect.any(String), tag: expect.any(String), data: expect.any(String) });
    }
  });

  it('gives the plaintext to resolveCredential, and a clear error under another key', async () => {
    for (const [kind, { id, body }] of Object.entries(created)) {
      const resolved = await resolveCredential(api.db, api.masterKey, id);
      expect(resolved).toMatchObject({ id, kind, name: `${kind.replace('_', '-')}.one`, ...body });
    }
    const other = new MasterKey(randomBytes(32));
    await expect(resolveCredential(api.db, other, created.http_bearer!.id)).rejects.toThrow(CredentialKeyError);
    await expect(resolveCredential(api.db, other, created.http_bearer!.id)).rejects.toThrow(`was encrypted with master key ${api.masterKey.kid}, but the configured key is ${other.kid}`);
  });

  it('accepts an OpenSSH private key too', async () => {
    const res = await call(manager, 'POST', '/credentials', { name: 'openssh.key', kind: 'ssh_key', username: 'ops', privateKey: OPENSSH_KEY });
    expect(res.status).toBe(201);
    expect((await resolveCredential(api.db, api.masterKey, res.body.id)).kind).toBe('ssh_key');
  });
});

describe('refusing what is wrong', () => {
  const refused = async (body: unknown) => {
    const res = await call(manager, 'POST', '/credentials', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return res.body.errors.map((e: { field: string }) => e.field) as string[];
  };

  it('names the field: bad kind, missing secret, bad PEM, bad name, SNMPv3 keys for the level', async () => {
    expect(await refused({ name: 'x.kind', kind: 'telnet', password: 'x' })).toEqual(['body.kind']);
    expect(await refused({ name: 'x.missing', kind: 'ssh_password', username: 'root' })).toEqual(['body.password']);
    expect(await refused({ name: 'x.pem', kind: 'ssh_key', username: 'root', privateKey: 'ssh-ed25519 AAAAC3Nza… this is a public key' })).toEqual(['body.privateKey']);
    expect(await refused({ name: 'Bad Name', kind: 'http_bearer', token: 't' })).toEqual(['body.name']);
    expect(await refused({ name: 'x.snmp', kind: 'snmp_v3', username: 'm', authKey: 'long-enough-key' })).toEqual(['body.privKey']);
    expect(await refused({ name: 'x.snmp', kind: 'snmp_v3', username: 'm', securityLevel: 'noAuthNoPriv', authKey: 'long-enough-key' })).toEqual(['body.authKey']);
    expect(await refused({ name: 'x.extra', kind: 'http_bearer', token: 't', username: 'who' })).toEqual(['body']);
    expect(await refused({ name: 'x.cloud', kind: 'openstack_password', authUrl: 'ftp://keystone/v3', username: 'u', projectName: 'p', password: 'pw', interface: 'private' })).toEqual(['body.authUrl', 'body.interface']);
  });

  it('answers 409 problem+json for a name in use', async () => {
    await createSample('http_bearer', 'dup.name');
    const again = await call(manager, 'POST', '/credentials', { name: 'dup.name', kind: 'http_bearer', token: secretOf('t') });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body.detail).toBe('a credential named dup.name already exists');
  });

  it('answers 404 for an unknown id and 400 for something that is not an id', async () => {
    expect((await call(reader, 'GET', '/credentials/cred_0000000000000000')).status).toBe(404);
    expect((await call(manager, 'PATCH', '/credentials/cred_0000000000000000', { description: 'x' })).status).toBe(404);
    expect((await call(manager, 'DELETE', '/credentials/cred_0000000000000000')).status).toBe(404);
    const malformed = await call(reader, 'GET', '/credentials/42');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('params.id');
  });

  it('lets readers read but not change, and others not even read', async () => {
    const { id } = await createSample('http_basic', 'guarded');
    expect((await call(reader, 'POST', '/credentials', { name: 'by.reader', kind: 'http_bearer', token: 't' })).status).toBe(403);
    expect((await call(reader, 'PATCH', `/credentials/${id}`, { description: 'x' })).status).toBe(403);
    expect((await call(reader, 'DELETE', `/credentials/${id}`)).status).toBe(403);
    const denied = await call(requester, 'GET', '/credentials');
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/credential\.read/);
  });
});

describe('changing and deleting', () => {
  it('replaces the secret, bumps the version, and keeps the secret when only public fields change', async () => {
    const { id, secrets } = await createSample('ssh_password', 'rotate.me');
    const password = secretOf('new-pw');
    const replaced = await call(manager, 'PATCH', `/credentials/${id}`, { password }, { 'if-match': '"1"' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.version).toBe(2);
    expect(replaced.headers.get('etag')).toBe('"2"');
    expectNoSecrets(replaced.body, [password]);
    expect(await resolveCredential(api.db, api.masterKey, id)).toMatchObject({ password, username: 'root' });
    expectNoSecrets(await rawDocument(id), [password, ...secrets]);

    const renamed = await call(manager, 'PATCH', `/credentials/${id}`, { username: 'admin', description: 'the admin account' });
    expect(renamed.body).toMatchObject({ username: 'admin', description: 'the admin account', version: 3 });
    expect(await resolveCredential(api.db, api.masterKey, id)).toMatchObject({ password, username: 'admin' });
  });

  it('refuses a stale If-Match, fields of another kind, half a secret, and a new SNMP level without keys', async () => {
    const { id } = await createSample('ssh_key', 'checked.key');
    expect((await call(manager, 'PATCH', `/credentials/${id}`, { description: 'x' }, { 'if-match': '"7"' })).status).toBe(412);
    const foreign = await call(manager, 'PATCH', `/credentials/${id}`, { community: 'public' });
    expect([foreign.status, foreign.body.errors[0].field]).toEqual([400, 'body.community']);
    const half = await call(manager, 'PATCH', `/credentials/${id}`, { passphrase: 'only the passphrase' });
    expect([half.status, half.body.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['body.privateKey']]);

    const snmp = await createSample('snmp_v3', 'checked.snmp');
    const level = await call(manager, 'PATCH', `/credentials/${snmp.id}`, { securityLevel: 'authNoPriv' });
    expect(level.status).toBe(400);
    expect(level.body.detail).toMatch(/send its secret \(authKey, privKey\)/);
    const lowered = await call(manager, 'PATCH', `/credentials/${snmp.id}`, { securityLevel: 'authNoPriv', authKey: 'a-new-auth-key' });
    expect(lowered.status).toBe(200);
    const resolved = await resolveCredential(api.db, api.masterKey, snmp.id);
    expect(resolved).toMatchObject({ securityLevel: 'authNoPriv', authKey: 'a-new-auth-key' });
    expect(resolved).not.toHaveProperty('privKey');
  });

  it('deletes: then it is gone for the API and for resolveCredential', async () => {
    const { id } = await createSample('snmp_community', 'short.lived');
    expect((await call(manager, 'DELETE', `/credentials/${id}`)).status).toBe(204);
    expect((await call(reader, 'GET', `/credentials/${id}`)).status).toBe(404);
    await expect(resolveCredential(api.db, api.masterKey, id)).rejects.toThrow(CredentialNotFoundError);
    expect((await call(manager, 'DELETE', `/credentials/${id}`)).status).toBe(404);
  });
});

describe('the audit trail', () => {
  it('records every change, that a secret changed, and never a secret', async () => {
    const { id, secrets } = await createSample('http_basic', 'audited');
    const password = secretOf('audited-pw');
    await call(manager, 'PATCH', `/credentials/${id}`, { password, description: 'rotated' });
    await call(manager, 'DELETE', `/credentials/${id}`);
    const entries = await api.db.collection('audit_log').find({ 'target.id': id }).sort({ seq: 1 }).toArray();
    expect(entries.map((e) => [e.action, e.target.type, e.outcome, e.actor.name])).toEqual([
      ['credential.create', 'credential', 'success', 'ada'],
      ['credential.update', 'credential', 'success', 'ada'],
      ['credential.delete', 'credential', 'success', 'ada'],
    ]);
    // The store keeps each diff as canonical JSON text.
    const diffs = entries.map((e) => JSON.parse(e.diff ?? 'null'));
    expect(diffs[0]).toMatchObject({ name: { after: 'audited' }, kind: { after: 'http_basic' }, username: { after: 'svc' }, secret: { after: '[REDACTED]' } });
    expect(diffs[1]).toEqual({ description: { before: 'http_basic for tests', after: 'rotated' }, secret: { after: '[REDACTED]' } });
    expectNoSecrets(entries, [password, ...secrets]);
  });

  it('records a denied attempt', async () => {
    await call(reader, 'POST', '/credentials', { name: 'sneaky', kind: 'http_bearer', token: 'sneaky-token-value' });
    const denied = await api.db.collection('audit_log').findOne({ action: 'access.denied', 'actor.name': 'eve', detail: 'needs credential.manage' });
    expect(denied).not.toBeNull();
    expect(JSON.stringify(denied)).not.toContain('sneaky-token-value');
  });
});

describe('without a master key', () => {
  it('answers 503 saying why, instead of storing anything', async () => {
    const noKey = async (): Promise<MasterKey> => {
      throw new MasterKeyError('cannot create the development master key /app/.data/master.key (EACCES); set FLOWDESK_MASTER_KEY instead');
    };
    const app = createApp({ db: api.db, temporal: api.client, namespace: api.dbName, taskQueue: api.taskQueue, logger: testLogger(), masterKey: noKey });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: manager.bearer },
        body: JSON.stringify({ name: 'keyless', kind: 'http_bearer', token: 't' }),
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/^credentials cannot be stored: .*set FLOWDESK_MASTER_KEY/);
      expect(await api.db.collection('credentials').findOne({ name: 'keyless' })).toBeNull();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes the vault with its permissions', async () => {
    const doc = (await call(reader, 'GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/credentials', '/credentials/{id}']));
    expect(doc.paths['/credentials'].post['x-permission']).toBe('credential.manage');
    expect(doc.paths['/credentials/{id}'].get['x-permission']).toBe('credential.read');
    expect(doc.components.schemas.NewCredential.oneOf).toHaveLength(Object.keys(SAMPLES).length);
  });
});
