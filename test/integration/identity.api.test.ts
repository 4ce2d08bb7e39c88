import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

let api: TestApi;
let admin: TestUser;
beforeAll(async () => {
  api = await startTestApi();
  admin = await addUser(api.db, 'root', ['admin']);
});
afterAll(() => api.stop());

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** A browser-like client: keeps the session cookie and sends the CSRF token on writes. */
function browser() {
  let cookie = '';
  let csrf = '';
  const send = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Reply> => {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(cookie && { cookie }), ...(csrf && method !== 'GET' && { 'x-csrf-token': csrf }), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (parsed?.csrfToken) csrf = parsed.csrfToken;
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return { send, get cookie() { return cookie; }, forgetCsrf: () => (csrf = '') };
}

async function asAdmin(method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: admin.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('local sign-in and sessions', () => {
  it('signs in, sets an HttpOnly SameSite cookie, and needs the CSRF token for writes', async () => {
    const b = browser();
    const login = await b.send('POST', '/auth/login', { username: 'root', password: admin.password });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/^flowdesk_session=[\w-]+;.*HttpOnly.*SameSite=Strict/i);
    expect(login.body).toMatchObject({ user: { username: 'root', roles: ['admin'] }, via: 'session', csrfToken: expect.any(String) });
    expect(login.body.user.passwordHash).toBeUndefined();
    expect((await b.send('GET', '/auth/me')).body.user.username).toBe('root');

    const created = await b.send('POST', '/incidents', { title: 'from the browser', impact: 3, urgency: 3 });
    expect(created.status).toBe(201);
    expect(created.body.openedBy).toBe('root');
    b.forgetCsrf();
    const forged = await b.send('POST', '/incidents', { title: 'forged', impact: 3, urgency: 3 });
    expect(forged.status).toBe(403);
    expect(forged.body.detail).toMatch(/X-CSRF-Token/);
  });

  it('logs out for real: the old cookie stops working', async () => {
    const b = browser();
    await b.send('POST', '/auth/login', { username: 'root', password: admin.password });
    const stolen = b.cookie;
    expect((await b.send('POST', '/auth/logout')).status).toBe(204);
    const replay = await fetch(`${api.baseUrl}/api/v1/auth/me`, { headers: { cookie: stolen } });
    expect(replay.status).toBe(401);
  });

  it('gives one message for an unknown user and a wrong password, and locks after repeated failures', async () => {
    const victim = await addUser(api.db, 'victim', ['agent']);
    const b = browser();
    const unknown = await b.send('POST', '/auth/login', { username: 'ghost', password: 'whatever-password' });
    const wrong = await b.send('POST', '/auth/login', { username: 'victim', password: 'wrong-password' });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.body.detail).toBe(wrong.body.detail);
    for (let i = 0; i < 4; i++) await b.send('POST', '/auth/login', { username: 'victim', password: 'wrong-password' });
    const locked = await b.send('POST', '/auth/login', { username: 'victim', password: victim.password });
    expect(locked.status).toBe(423);
    expect(locked.body.detail).toMatch(/locked until/);
    expect((await asAdmin('PATCH', '/users/victim', { unlock: true })).status).toBe(200);
    expect((await b.send('POST', '/auth/login', { username: 'victim', password: victim.password })).status).toBe(200);
  });
});

describe('API tokens', () => {
  it('are shown once, carry only a subset of the owner\u2019s permissions, and stop working when revoked', async () => {
    const b = browser();
    await b.send('POST', '/auth/login', { username: 'root', password: admin.password });
    const beyond = await b.send('POST', '/me/tokens', { name: 'too much', scopes: ['ticket.read', 'not.a.permission'] });
    expect(beyond.status).toBe(400);
    const issued = await b.send('POST', '/me/tokens', { name: 'alert intake', scopes: ['ticket.read'], expiresInDays: 30 });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^fdt_/);
    const listed = await b.send('GET', '/me/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token.slice('fdt_'.length + 16 + 1));
    const bearer = { authorization: `Bearer ${issued.body.token}` };
    expect((await fetch(`${api.baseUrl}/api/v1/tickets`, { headers: bearer })).status).toBe(200);
    const write = await fetch(`${api.baseUrl}/api/v1/incidents`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x', impact: 3, urgency: 3 }) });
    expect(write.status).toBe(403);
    expect((await fetch(`${api.baseUrl}/api/v1/auth/me`, { headers: bearer }).then((r) => r.json()) as any).permissions).toEqual(['ticket.read']);
    const used = (await b.send('GET', '/me/tokens')).body.items.find((t: { id: string }) => t.id === issued.body.record.id);
    expect(used.lastUsedAt).not.toBeNull();

    expect((await b.send('DELETE', `/me/tokens/${issued.body.record.id}`)).status).toBe(204);
    expect((await fetch(`${api.baseUrl}/api/v1/tickets`, { headers: bearer })).status).toBe(401);
  });
});

describe('administering users, groups and roles', () => {
  it('enforces the password policy and refuses unknown roles', async () => {
    const weak = await asAdmin('POST', '/users', { username: 'dana', displayName: 'Dana', roles: ['agent'], password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { message: string }) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/at least 12/)]));
    const unknownRole = await asAdmin('POST', '/users', { username: 'dana', displayName: 'Dana', roles: ['wizard'] });
    expect(unknownRole.body.detail).toMatch(/unknown role\(s\): wizard/);
  });

  it('creates users and groups, and a custom role that grants exactly its permissions', async () => {
    expect((await asAdmin('POST', '/users', { username: 'erin', displayName: 'Erin', email: 'erin@example.com', roles: ['requester'], password: 'Correct-Horse-9' })).status).toBe(201);
    expect((await asAdmin('POST', '/users', { username: 'erin', displayName: 'Again', roles: [] })).status).toBe(409);
    const group = await asAdmin('POST', '/groups', { name: 'network-ops', displayName: 'Network operations', members: ['erin', 'root'] });
    expect(group.body).toMatchObject({ name: 'network-ops', members: ['erin', 'root'] });
    expect((await asAdmin('POST', '/groups', { name: 'bad', displayName: 'Bad', members: ['nobody-here'] })).body.detail).toMatch(/unknown user/);

    expect((await asAdmin('PUT', '/roles/admin', { permissions: [] })).status).toBe(409);
    const custom = await asAdmin('PUT', '/roles/auditor-lite', { description: 'Reads the audit trail', permissions: ['audit.read'] });
    expect(custom.body).toEqual({ name: 'auditor-lite', description: 'Reads the audit trail', permissions: ['audit.read'], builtIn: false });
    await asAdmin('PATCH', '/users/erin', { roles: ['auditor-lite'] });
    const b = browser();
    await b.send('POST', '/auth/login', { username: 'erin', password: 'Correct-Horse-9' });
    expect((await b.send('GET', '/auth/me')).body.permissions).toEqual(['audit.read']);
    const roles = await asAdmin('GET', '/roles');
    expect(roles.body.items.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['requester', 'agent', 'group_manager', 'change_manager', 'approver', 'process_designer', 'alert_sender', 'automation_operator', 'automation_admin', 'cmdb_editor', 'auditor', 'admin', 'auditor-lite']));
  });

  it('ends the sessions of a disabled user', async () => {
    const fay = await addUser(api.db, 'fay', ['agent']);
    const b = browser();
    await b.send('POST', '/auth/login', { username: 'fay', password: fay.password });
    await asAdmin('PATCH', '/users/fay', { active: false });
    expect((await b.send('GET', '/auth/me')).status).toBe(401);
    expect((await fetch(`${api.baseUrl}/api/v1/auth/me`, { headers: { authorization: fay.bearer } })).status).toBe(401);
  });
});

describe('incident scope', () => {
  it('shows an agent the tickets of their groups and those they opened; others get a 404', async () => {
    const gus = await addUser(api.db, 'gus', ['agent'], ['desk-a']);
    const hal = await addUser(api.db, 'hal', ['agent'], ['desk-b']);
    const lead = await addUser(api.db, 'lena', ['group_manager']);
    const post = (who: TestUser, body: unknown) =>
      fetch(`${api.baseUrl}/api/v1/incidents`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: who.bearer }, body: JSON.stringify(body) }).then((r) => r.json()) as Promise<any>;
    const forA = await post(lead, { title: 'queue A', impact: 2, urgency: 2, assignmentGroup: 'desk-a' });
    const hals = await post(hal, { title: 'opened by hal', impact: 3, urgency: 3 });
    const list = (who: TestUser) => fetch(`${api.baseUrl}/api/v1/tickets?limit=200`, { headers: { authorization: who.bearer } }).then((r) => r.json()) as Promise<any>;
    const numbers = (page: { items: { number: string }[] }) => page.items.map((i) => i.number);

    expect(numbers(await list(gus))).toContain(forA.number);
    expect(numbers(await list(gus))).not.toContain(hals.number);
    expect(numbers(await list(hal))).toEqual([hals.number]);
    expect(numbers(await list(lead))).toEqual(expect.arrayContaining([forA.number, hals.number]));
    const peek = await fetch(`${api.baseUrl}/api/v1/tickets/${forA.number}`, { headers: { authorization: hal.bearer } });
    expect(peek.status).toBe(404);
    const act = await fetch(`${api.baseUrl}/api/v1/tickets/${forA.number}/actions/assign`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: hal.bearer }, body: '{"assignee":"hal"}' });
    expect(act.status).toBe(404);
    const denied = await api.db.collection('audit_log').countDocuments({ action: 'access.denied', 'target.id': forA.number, 'actor.name': 'hal' });
    expect(denied).toBe(2);
    const badGroup = await post(lead, { title: 'nowhere', impact: 2, urgency: 2, assignmentGroup: 'no-such-group' });
    expect(badGroup.errors).toEqual([{ field: 'body.assignmentGroup', message: 'unknown group' }]);
  });
});

describe('comments and work notes', () => {
  it('lets whoever sees a ticket comment, keeps work notes for agents, and hides them from requesters', async () => {
    const requester = await addUser(api.db, 'rhea', ['requester']);
    const agent = await addUser(api.db, 'otto', ['agent'], ['desk-c']);
    const send = (who: TestUser, path: string, body: unknown) =>
      fetch(`${api.baseUrl}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: who.bearer }, body: JSON.stringify(body) });
    const opened = (await (await send(requester, '/incidents', { title: 'My laptop will not boot', impact: 3, urgency: 2, assignmentGroup: 'desk-c' })).json()) as any;
    const path = `/tickets/${opened.number}/actions/comment`;

    expect((await send(agent, path, { text: 'Suspect the SSD; ordering a spare', workNote: true })).status).toBe(200);
    expect((await send(agent, path, { text: 'Can you bring it to floor 2?' })).status).toBe(200);
    const reply = await send(requester, path, { text: 'On my way' });
    expect(reply.status).toBe(200);
    const shown = (await reply.json()) as any;
    expect(shown.timeline.map((e: { kind: string; text: string }) => `${e.kind}: ${e.text}`)).toEqual([
      'created: Incident opened with priority P4',
      'comment: Can you bring it to floor 2?',
      'comment: On my way',
    ]);
    const forbidden = await send(requester, path, { text: 'sneaky', workNote: true });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as any).detail).toMatch(/work notes are for agents/);

    const agentView = (await (await fetch(`${api.baseUrl}/api/v1/tickets/${opened.number}`, { headers: { authorization: agent.bearer } })).json()) as any;
    expect(agentView.timeline.filter((e: { kind: string }) => e.kind === 'work_note')).toEqual([expect.objectContaining({ actor: 'otto', text: 'Suspect the SSD; ordering a spare' })]);
    const list = (await (await fetch(`${api.baseUrl}/api/v1/tickets`, { headers: { authorization: requester.bearer } })).json()) as any;
    expect(JSON.stringify(list)).not.toContain('Suspect the SSD');
    expect((await send(requester, path, { text: '' })).status).toBe(400);
  });
});
