import SwaggerParser from '@apidevtools/swagger-parser';
import type { Connection } from 'mongoose';
import type { RunbookDefinition } from '../../domain/automation/runbook';
import { loadCatalog } from '../../runtime/catalog';
import type { ShippedLibrary } from '../../runtime/catalog/runbooks';
import { publishedVersion, syncShippedLibrary } from '../../store/automation/library';
import { connectStore } from '../../store/connection';
import { addUser, isolationName, mongoUri, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// The automation library through the HTTP API against the real store: drafts, immutable
// published versions, diffs, script pinning, and the runbooks shipped in catalog/runbooks.

let api: TestApi;
let author: TestUser;
let operator: TestUser;
let requester: TestUser;

beforeAll(async () => {
  api = await startTestApi();
  author = await addUser(api.db, 'ada', ['automation_admin']);
  operator = await addUser(api.db, 'otto', ['automation_operator']);
  requester = await addUser(api.db, 'rick', ['requester']);
});
afterAll(() => api?.stop());

interface Res {
  status: number;
  body: any;
  headers: Headers;
}

async function call(user: TestUser | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(user && { authorization: user.bearer }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const fields = (res: Res) => (res.body.errors ?? []).map((e: { field: string }) => e.field) as string[];

/** A small valid runbook; `steps` and the rest can be replaced. */
function runbook(overrides: Partial<RunbookDefinition> = {}): RunbookDefinition {
  return {
    name: 'Nightly check',
    description: 'Checks a few things on every host.',
    risk: 'low',
    allowedRoles: ['automation_operator'],
    targets: { selector: { class: 'host', where: { lifecycle: 'live' } } },
    strategy: { parallelism: 5 },
    steps: [
      { id: 'uptime', name: 'Uptime', type: 'ssh.command', command: 'uptime', timeout: '30s', idempotent: true },
      { id: 'pause', type: 'wait', duration: '5s' },
    ],
    ...overrides,
  };
}

async function publishNew(path: string, definition: unknown, note = 'first version'): Promise<Res> {
  const saved = await call(author, 'PUT', `${path}/draft`, definition);
  expect([200, 201]).toContain(saved.status);
  const published = await call(author, 'POST', `${path}/publish`, { note });
  expect(published.status).toBe(201);
  return published;
}

describe('the shipped library', () => {
  it('appears as version 1 of each catalog runbook and script, authored by catalog', async () => {
    const runbooks = await call(operator, 'GET', '/automation/runbooks');
    expect(runbooks.status).toBe(200);
    const shipped = runbooks.body.items.filter((e: { publishedBy: string }) => e.publishedBy === 'catalog');
    expect(shipped.map((e: { id: string; latestVersion: number; risk: string }) => [e.id, e.latestVersion, e.risk])).toEqual([
      ['disk-usage', 1, 'low'],
      ['restart-service', 1, 'medium'],
      ['uptime', 1, 'low'],
    ]);
    expect(shipped[0]).toMatchObject({ kind: 'runbook', name: 'Disk usage check', draft: null, createdBy: 'catalog' });

    const versions = await call(operator, 'GET', '/automation/runbooks/uptime/versions');
    expect(versions.body.items).toEqual([{ kind: 'runbook', id: 'uptime', version: 1, author: 'catalog', note: 'from catalog/runbooks/uptime.yaml', publishedAt: expect.any(String), hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);

    const scripts = await call(operator, 'GET', '/automation/scripts');
    expect(scripts.body.items.map((e: { id: string; latestVersion: number }) => [e.id, e.latestVersion])).toEqual([
      ['disk-usage', 1],
      ['service-status', 1],
    ]);
    const script = await call(operator, 'GET', '/automation/scripts/service-status/versions/1');
    expect(script.body).toMatchObject({ author: 'catalog', note: 'from catalog/runbooks/scripts/service-status.sh', definition: { name: "Show a systemd unit's state", language: 'sh' } });
    expect(script.body.definition.body).toMatch(/^#!\/bin\/sh\n/);
  });

  it('pins the shipped runbooks to the shipped scripts', async () => {
    const restart = await call(operator, 'GET', '/automation/runbooks/restart-service');
    expect(restart.body.latest.definition.steps.filter((s: { type: string }) => s.type === 'ssh.script').map((s: { script: unknown }) => s.script)).toEqual([
      { id: 'service-status', version: 1 },
      { id: 'service-status', version: 1 },
    ]);
    // The run engine reads the same version through the store.
    const pinned = await publishedVersion(api.db, 'runbook', 'restart-service');
    expect(pinned).toMatchObject({ version: 1, author: 'catalog', definition: { name: 'Restart a service' } });
    expect(await publishedVersion(api.db, 'runbook', 'restart-service', 2)).toBeNull();
    expect(await publishedVersion(api.db, 'script', 'no-such-script')).toBeNull();
  });

  it('records the catalog publications in the audit trail', async () => {
    const entries = await api.db.collection('audit_log').find({ action: 'automation.runbook.publish', 'actor.id': 'catalog' }).toArray();
    expect(entries.map((e) => e.target.id).sort()).toEqual(['disk-usage', 'restart-service', 'uptime']);
    expect(entries[0]).toMatchObject({ actor: { type: 'system', id: 'catalog' }, outcome: 'success' });
  });
});

describe('syncing the catalog', () => {
  let db: Connection;
  const catalog = loadCatalog().library;
  beforeAll(async () => {
    db = await connectStore(mongoUri(), isolationName('sync'));
  });
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  });

  it('publishes each file once, however many processes sync at the same moment', async () => {
    const results = await Promise.all([syncShippedLibrary(db, catalog), syncShippedLibrary(db, catalog), syncShippedLibrary(db, catalog)]);
    expect(results.flatMap((r) => r.published).sort()).toEqual(['runbook/disk-usage@1', 'runbook/restart-service@1', 'runbook/uptime@1', 'script/disk-usage@1', 'script/service-status@1']);
    expect(await db.collection('automation_versions').countDocuments()).toBe(5);
    expect(await syncShippedLibrary(db, catalog)).toEqual({ published: [] });
  });

  it('publishes a changed script file, and the runbooks that use it pinned to the new version', async () => {
    const changed: ShippedLibrary = {
      ...catalog,
      scripts: catalog.scripts.map((s) => (s.id === 'service-status' ? { ...s, definition: { ...s.definition, body: `${s.definition.body}# checked\n` } } : s)),
    };
    expect(await syncShippedLibrary(db, changed)).toEqual({ published: ['script/service-status@2', 'runbook/restart-service@2'] });
    const restart = await publishedVersion(db, 'runbook', 'restart-service');
    expect(restart!.definition.steps[0]).toMatchObject({ script: { id: 'service-status', version: 2 } });
    expect((await publishedVersion(db, 'runbook', 'restart-service', 1))!.definition.steps[0]).toMatchObject({ script: { id: 'service-status', version: 1 } });
    expect(await syncShippedLibrary(db, changed)).toEqual({ published: [] });
  });
});

describe('drafts, versions and diffs', () => {
  const path = '/automation/runbooks/nightly-check';
  let v1: any;

  it('starts a new runbook as a draft, with no version yet', async () => {
    const saved = await call(author, 'PUT', `${path}/draft`, runbook());
    expect(saved.status).toBe(201);
    expect(saved.headers.get('location')).toBe(`/api/v1${path}`);
    expect(saved.headers.get('etag')).toBe('"1"');
    expect(saved.body).toMatchObject({ kind: 'runbook', id: 'nightly-check', name: 'Nightly check', risk: 'low', latestVersion: null, latest: null, revision: 1, createdBy: 'ada' });
    expect(saved.body.draft).toMatchObject({ savedBy: 'ada', basedOn: null, definition: runbook() });

    const listed = await call(operator, 'GET', '/automation/runbooks?q=nightly');
    expect(listed.body.items).toEqual([expect.objectContaining({ id: 'nightly-check', latestVersion: null, draft: expect.objectContaining({ savedBy: 'ada' }) })]);
  });

  it('publishes the draft as version 1 with author, time and note, and clears the draft', async () => {
    const published = await call(author, 'POST', `${path}/publish`, { note: 'first cut' });
    expect(published.status).toBe(201);
    expect(published.headers.get('location')).toBe(`/api/v1${path}/versions/1`);
    expect(published.body).toMatchObject({ kind: 'runbook', id: 'nightly-check', version: 1, note: 'first cut', author: 'ada', definition: runbook() });
    expect(Date.now() - Date.parse(published.body.publishedAt)).toBeLessThan(60_000);
    v1 = published.body;

    const entry = await call(operator, 'GET', path);
    expect(entry.headers.get('etag')).toBe('"2"');
    expect(entry.body).toMatchObject({ latestVersion: 1, publishedBy: 'ada', draft: null, latest: { version: 1, hash: v1.hash } });
  });

  it('refuses to publish without a draft, or a draft that changes nothing', async () => {
    const none = await call(author, 'POST', `${path}/publish`, { note: 'again' });
    expect(none.status).toBe(409);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(none.body.detail).toMatch(/no draft to publish: nothing changed since version 1/);

    // The same content with its keys in another order is the same content.
    const reordered = Object.fromEntries(Object.entries(runbook()).reverse());
    expect((await call(author, 'PUT', `${path}/draft`, reordered, { 'if-match': '"2"' })).status).toBe(200);
    const same = await call(author, 'POST', `${path}/publish`, { note: 'again' });
    expect(same.status).toBe(409);
    expect(same.body.detail).toBe('nothing changed since version 1: the draft is the same as it');
    expect((await call(author, 'DELETE', `${path}/draft`, undefined, { 'if-match': '"3"' })).status).toBe(204);
    expect((await call(author, 'DELETE', `${path}/draft`)).status).toBe(404);
  });

  it('diffs the edited draft against version 1, then publishes it as version 2', async () => {
    const entry = await call(author, 'GET', path);
    const edited = runbook({
      steps: [
        { id: 'uptime', name: 'Uptime', type: 'ssh.command', command: 'uptime', timeout: '45s', idempotent: true },
        { id: 'pause', type: 'wait', duration: '5s' },
        { id: 'disk', name: 'Disk space', type: 'ssh.command', command: 'df', args: ['-h'] },
      ],
    });
    const saved = await call(author, 'PUT', `${path}/draft`, edited, { 'if-match': entry.headers.get('etag')! });
    expect(saved.status).toBe(200);
    expect(saved.body.draft.basedOn).toBe(1);

    const diff = await call(operator, 'GET', `${path}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ kind: 'runbook', id: 'nightly-check', from: { version: 1, hash: v1.hash }, to: { version: 'draft' }, compared: 'yaml', fields: {}, exact: true });
    const changes = diff.body.hunks.flatMap((h: { lines: Array<{ op: string; text: string }> }) => h.lines.filter((l) => l.op !== 'context').map((l) => `${l.op === 'added' ? '+' : '-'}${l.text}`));
    expect(changes).toEqual(['-    timeout: 30s', '+    timeout: 45s', '+  - id: disk', '+    name: Disk space', '+    type: ssh.command', '+    command: df', '+    args:', '+      - -h']);
    expect([diff.body.added, diff.body.removed]).toEqual([7, 1]);
    expect(diff.body.unified).toMatch(/^--- nightly-check@1\.yaml\n\+\+\+ nightly-check@draft\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    expect(diff.body.unified).toContain('\n-    timeout: 30s\n+    timeout: 45s\n');

    const published = await call(author, 'POST', `${path}/publish`, { note: 'longer uptime timeout; disk space step' });
    expect(published.body).toMatchObject({ version: 2, note: 'longer uptime timeout; disk space step', definition: edited });
    const between = await call(operator, 'GET', `${path}/diff?from=1&to=2`);
    expect(between.body.hunks).toEqual(diff.body.hunks);
    expect(between.body.to).toEqual({ version: 2, hash: published.body.hash });
  });

  it('keeps version 1 as it was: published versions are immutable', async () => {
    const again = await call(operator, 'GET', `${path}/versions/1`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(v1);
    expect(again.headers.get('cache-control')).toMatch(/immutable/);
    const versions = await call(operator, 'GET', `${path}/versions`);
    expect(versions.body.items.map((v: { version: number; note: string }) => [v.version, v.note])).toEqual([
      [2, 'longer uptime timeout; disk space step'],
      [1, 'first cut'],
    ]);
    expect((await call(operator, 'GET', `${path}/versions/3`)).status).toBe(404);
    expect((await call(operator, 'GET', `${path}/diff?from=1&to=7`)).status).toBe(404);
    expect((await call(operator, 'GET', `${path}/diff?to=draft`)).status).toBe(404);
  });

  it('diffs a script body and lists its changed fields', async () => {
    const script = '/automation/scripts/free-memory';
    await publishNew(script, { name: 'Free memory', language: 'sh', body: '#!/bin/sh\n# Free memory\nfree -m\n' });
    await call(author, 'PUT', `${script}/draft`, { name: 'Free memory (MB)', language: 'bash', body: '#!/bin/bash\n# Free memory\nfree -m\nexit 0\n' });
    const diff = await call(operator, 'GET', `${script}/diff`);
    expect(diff.body).toMatchObject({ compared: 'body', fields: { name: { before: 'Free memory', after: 'Free memory (MB)' }, language: { before: 'sh', after: 'bash' } }, added: 2, removed: 1 });
    expect(diff.body.unified).toBe('--- free-memory@1.sh\n+++ free-memory@draft.bash\n@@ -1,3 +1,4 @@\n-#!/bin/sh\n+#!/bin/bash\n # Free memory\n free -m\n+exit 0\n');
  });

  it('refuses a stale If-Match with 412', async () => {
    const stale = await call(author, 'PUT', `${path}/draft`, runbook({ name: 'Stale' }), { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toMatch(/is at revision \d+, not 1; read it again/);
    const entry = await call(author, 'GET', path);
    await call(author, 'PUT', `${path}/draft`, runbook({ name: 'Renamed' }), { 'if-match': entry.headers.get('etag')! });
    expect((await call(author, 'POST', `${path}/publish`, { note: 'rename' }, { 'if-match': entry.headers.get('etag')! })).status).toBe(412);
    expect((await call(author, 'DELETE', `${path}/draft`, undefined, { 'if-match': '"1"' })).status).toBe(412);
    expect((await call(author, 'PUT', '/automation/runbooks/brand-new/draft', runbook(), { 'if-match': '"4"' })).status).toBe(412);
    expect((await call(author, 'PUT', `${path}/draft`, runbook(), { 'if-match': 'yesterday' })).status).toBe(400);
  });

  it('keeps a version published through the API when the catalog is synced again', async () => {
    await publishNew('/automation/runbooks/uptime', { ...loadCatalog().library.runbooks.find((r) => r.id === 'uptime')!.definition, name: 'Uptime (tuned)' }, 'our own name');
    expect(await syncShippedLibrary(api.db, loadCatalog().library)).toEqual({ published: [] });
    expect((await call(operator, 'GET', '/automation/runbooks/uptime')).body.latest).toMatchObject({ version: 2, author: 'ada', definition: { name: 'Uptime (tuned)' } });
  });
});

describe('refusing what is wrong', () => {
  const refused = async (definition: unknown, id = 'broken') => {
    const res = await call(author, 'PUT', `/automation/runbooks/${id}/draft`, definition);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return fields(res);
  };

  it('names each field of an invalid draft: step type, duplicate id, duration, unknown field', async () => {
    expect(await refused(runbook({ steps: [{ id: 'a', type: 'telnet', command: 'x' } as never] }))).toEqual(['body.steps.0.type']);
    expect(await refused(runbook({ steps: [{ id: 'a', type: 'wait', duration: '1m' }, { id: 'a', type: 'wait', duration: '2m' }] }))).toEqual(['body.steps.1.id']);
    expect(await refused(runbook({ steps: [{ id: 'a', type: 'wait', duration: 'soon' }] }))).toEqual(['body.steps.0.duration']);
    expect(await refused(runbook({ steps: [{ id: 'a', type: 'ssh.command', command: 'ls', timeout: '5 minutes' }] }))).toEqual(['body.steps.0.timeout']);
    const unknown = await call(author, 'PUT', '/automation/runbooks/broken/draft', { ...runbook(), colour: 'red' });
    expect([unknown.status, unknown.body.errors]).toEqual([400, [{ field: 'body', message: 'unknown field(s): colour' }]]);
    expect(await refused({ name: 'x' })).toEqual(expect.arrayContaining(['body.risk', 'body.allowedRoles', 'body.targets', 'body.steps']));
    expect(await refused(runbook(), 'Not_An_Id')).toEqual(['params.id']);
    expect((await call(author, 'PUT', '/automation/scripts/broken/draft', { name: 'x', language: 'cobol', body: 'x' })).body.errors[0].field).toBe('body.language');
    expect(await api.db.collection('automation_library').findOne({ id: 'broken' })).toBeNull();
  });

  it('answers 422 naming each selector problem when a runbook is published', async () => {
    const path = '/automation/runbooks/bad-selector';
    const saved = await call(author, 'PUT', `${path}/draft`, runbook({ targets: { selector: { class: 'host', where: { colour: 'red', lifecycle: { within: '10.0.0.0/8' } } } } }));
    expect(saved.status).toBe(201);
    const res = await call(author, 'POST', `${path}/publish`, { note: 'try' });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(fields(res)).toEqual(['draft.targets.selector.where.colour', 'draft.targets.selector.where.lifecycle.within']);
    expect(res.body.detail).toMatch(/^runbook bad-selector cannot be published: targets\.selector\.where\.colour: no such attribute/);
    expect((await call(author, 'GET', `${path}/versions`)).body.items).toEqual([]);
    const noClass = await call(author, 'PUT', `${path}/draft`, runbook({ targets: { selector: { class: 'toaster' } } }));
    expect(noClass.status).toBe(200);
    expect(fields(await call(author, 'POST', `${path}/publish`, { note: 'try' }))).toEqual(['draft.targets.selector.class']);
  });

  it('wants a change note', async () => {
    await call(author, 'PUT', '/automation/runbooks/no-note/draft', runbook());
    const res = await call(author, 'POST', '/automation/runbooks/no-note/publish', { note: '  ' });
    expect([res.status, fields(res)]).toEqual([400, ['body.note']]);
    expect((await call(author, 'POST', '/automation/runbooks/nothing-here/publish', { note: 'x' })).status).toBe(404);
  });
});

describe('script references', () => {
  const usesScript = (script: { id: string; version?: number }) => runbook({ steps: [{ id: 'check', name: 'Check NTP', type: 'ssh.script', script, env: { SERVER: 'pool.ntp.org' } }] });

  it('pins a reference without a version to the script’s latest version, and keeps that pin', async () => {
    await publishNew('/automation/scripts/check-ntp', { name: 'Check NTP', language: 'bash', body: '#!/bin/bash\n# Check NTP\nchronyc tracking\n' });
    const published = await publishNew('/automation/runbooks/ntp-check', usesScript({ id: 'check-ntp' }));
    expect(published.body.definition.steps[0].script).toEqual({ id: 'check-ntp', version: 1 });

    await publishNew('/automation/scripts/check-ntp', { name: 'Check NTP', language: 'bash', body: '#!/bin/bash\n# Check NTP\nchronyc -n tracking\n' }, 'numeric output');
    expect((await call(operator, 'GET', '/automation/runbooks/ntp-check/versions/1')).body.definition.steps[0].script).toEqual({ id: 'check-ntp', version: 1 });
    // The unchanged draft would now pin version 2: that is a change, shown by the diff and publishable.
    await call(author, 'PUT', '/automation/runbooks/ntp-check/draft', usesScript({ id: 'check-ntp' }));
    const diff = await call(operator, 'GET', '/automation/runbooks/ntp-check/diff');
    expect(diff.body.unified).toContain('\n-      version: 1\n+      version: 2\n');
    const v2 = await call(author, 'POST', '/automation/runbooks/ntp-check/publish', { note: 'follow the script' });
    expect(v2.body.definition.steps[0].script).toEqual({ id: 'check-ntp', version: 2 });
    // An explicit version stays as written.
    const explicit = await publishNew('/automation/runbooks/ntp-check-pinned', usesScript({ id: 'check-ntp', version: 1 }));
    expect(explicit.body.definition.steps[0].script).toEqual({ id: 'check-ntp', version: 1 });
  });

  it('refuses to publish a runbook whose script is unknown, unpublished, or lacks the version', async () => {
    const path = '/automation/runbooks/ntp-broken';
    await call(author, 'PUT', `${path}/draft`, usesScript({ id: 'no-such-script' }));
    const unknown = await call(author, 'POST', `${path}/publish`, { note: 'x' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: 'draft.steps.0.script.id', message: "step 'check' (steps.0) uses script 'no-such-script', which is not in the library" }]);

    await call(author, 'PUT', '/automation/scripts/draft-only/draft', { name: 'Draft only', language: 'sh', body: 'true\n' });
    await call(author, 'PUT', `${path}/draft`, usesScript({ id: 'draft-only' }));
    expect((await call(author, 'POST', `${path}/publish`, { note: 'x' })).body.errors[0].message).toMatch(/'draft-only', which has no published version yet; publish it first/);

    await call(author, 'PUT', `${path}/draft`, usesScript({ id: 'check-ntp', version: 9 }));
    const missing = await call(author, 'POST', `${path}/publish`, { note: 'x' });
    expect([missing.status, fields(missing)]).toEqual([422, ['draft.steps.0.script.version']]);
    expect(missing.body.errors[0].message).toMatch(/version 9 of script 'check-ntp', which has no such version \(its latest is 2\)/);
    expect((await call(author, 'GET', `${path}/versions`)).body.items).toEqual([]);
  });
});

describe('concurrency', () => {
  it('gives one new version for concurrent publishes of the same draft', async () => {
    const path = '/automation/runbooks/raced';
    await publishNew(path, runbook());
    await call(author, 'PUT', `${path}/draft`, runbook({ name: 'Raced again' }));
    const results = await Promise.all(Array.from({ length: 6 }, () => call(author, 'POST', `${path}/publish`, { note: 'race' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.find((r) => r.status === 201)!.body.version).toBe(2);
    const versions = await call(author, 'GET', `${path}/versions`);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('lets one of several saves based on the same revision win', async () => {
    const path = '/automation/runbooks/raced';
    const etag = (await call(author, 'GET', path)).headers.get('etag')!;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => call(author, 'PUT', `${path}/draft`, runbook({ name: `Writer ${i}` }), { 'if-match': etag })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await call(author, 'GET', path)).body.draft.definition.name).toBe(winner.body.draft.definition.name);
  });
});

describe('who may do what', () => {
  it('lets operators read but not write, others not even read, and asks strangers to sign in', async () => {
    expect((await call(operator, 'GET', '/automation/runbooks/uptime')).status).toBe(200);
    expect((await call(operator, 'GET', '/automation/scripts/disk-usage/diff?from=1&to=1')).status).toBe(200);
    const denied = await call(operator, 'POST', '/automation/runbooks/uptime/publish', { note: 'sneaky' });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/automation\.author/);
    expect((await call(operator, 'PUT', '/automation/runbooks/uptime/draft', runbook())).status).toBe(403);
    expect((await call(operator, 'DELETE', '/automation/runbooks/uptime/draft')).status).toBe(403);
    expect((await call(requester, 'GET', '/automation/runbooks')).status).toBe(403);
    expect((await call(requester, 'GET', '/automation/scripts/disk-usage/versions/1')).status).toBe(403);
    const anonymous = await call(null, 'GET', '/automation/runbooks');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await api.db.collection('audit_log').findOne({ action: 'access.denied', 'actor.name': 'otto', detail: 'needs automation.author' })).not.toBeNull();
  });
});

describe('the audit trail', () => {
  it('records every draft save, discard and publish with who and what', async () => {
    const entries = await api.db.collection('audit_log').find({ 'target.type': 'runbook', 'target.id': 'nightly-check' }).sort({ _id: 1 }).toArray();
    expect(entries.map((e) => [e.action, e.actor.name, e.outcome])).toEqual([
      ['automation.runbook.draft.save', 'ada', 'success'],
      ['automation.runbook.publish', 'ada', 'success'],
      ['automation.runbook.draft.save', 'ada', 'success'],
      ['automation.runbook.draft.discard', 'ada', 'success'],
      ['automation.runbook.draft.save', 'ada', 'success'],
      ['automation.runbook.publish', 'ada', 'success'],
      ['automation.runbook.draft.save', 'ada', 'success'],
    ]);
    expect(entries[0]!.detail).toBe('new runbook');
    expect(JSON.parse(entries[1]!.diff)).toMatchObject({ version: { after: 1 } });
    expect(entries[5]).toMatchObject({ detail: 'longer uptime timeout; disk space step' });
    expect(JSON.parse(entries[5]!.diff)).toMatchObject({ version: { before: 1, after: 2 } });
  });
});

describe('the OpenAPI document', () => {
  it('describes both kinds with their permissions', async () => {
    const doc = (await call(operator, 'GET', '/openapi.json')).body;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    for (const plural of ['runbooks', 'scripts']) {
      const base = `/automation/${plural}`;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([base, `${base}/{id}`, `${base}/{id}/draft`, `${base}/{id}/publish`, `${base}/{id}/versions`, `${base}/{id}/versions/{version}`, `${base}/{id}/diff`]));
      expect(doc.paths[base].get['x-permission']).toBe('automation.read');
      expect(doc.paths[`${base}/{id}/draft`].put['x-permission']).toBe('automation.author');
      expect(doc.paths[`${base}/{id}/draft`].delete['x-permission']).toBe('automation.author');
      expect(doc.paths[`${base}/{id}/publish`].post['x-permission']).toBe('automation.author');
      expect(doc.paths[`${base}/{id}/diff`].get['x-permission']).toBe('automation.read');
      expect(doc.paths[`${base}/{id}/versions/{version}`].get['x-permission']).toBe('automation.read');
    }
    expect(doc.paths['/automation/runbooks/{id}/draft'].put.operationId).toBe('saveRunbookDraft');
    expect(doc.components.schemas.RunbookDefinition.properties).toHaveProperty('steps');
    expect(doc.components.schemas.ScriptDefinition.required).toEqual(['name', 'language', 'body']);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['RunbookEntry', 'ScriptEntry', 'RunbookVersion', 'ScriptDiff', 'PublishRequest']));
  });
});
