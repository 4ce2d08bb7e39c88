import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

let api: TestApi;
let lead: TestUser;
beforeAll(async () => {
  api = await startTestApi();
  lead = await addUser(api.db, 'lead', ['group_manager'], ['service-desk']);
  for (const agent of ['alice', 'bob', 'carol']) await addUser(api.db, agent, ['agent'], ['service-desk']);
});
afterAll(() => api.stop());

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: lead.bearer, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// Routed by hand, so the assignment rules leave these incidents alone and timelines are predictable.
const newIncident = (title = 'Payments API returns 502') => ({ title, description: 'Customers cannot pay', impact: 1, urgency: 2, assignmentGroup: 'service-desk' });

function expectProblem(reply: Reply, status: number, detail?: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), requestId: expect.any(String) });
  if (detail) expect(reply.body.detail).toMatch(detail);
}

describe('creating an incident', () => {
  it('starts its workflow, stores the projection and answers 201 with Location and ETag', async () => {
    const created = await call('POST', '/incidents', newIncident());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: expect.stringMatching(/^INC\d{7}$/), state: 'new', priority: 'P2', version: 1, assignee: null });
    expect(created.headers.get('location')).toBe(`/api/v1/tickets/${created.body.number}`);
    expect(created.headers.get('etag')).toBe('"1"');

    const read = await call('GET', `/tickets/${created.body.number}`);
    expect(read.status).toBe(200);
    // The SLA clocks tick between the two reads; everything else is what was stored.
    const withoutClocks = ({ sla: _sla, ...rest }: any) => rest;
    expect(withoutClocks(read.body)).toEqual(withoutClocks(created.body));
    expect(read.body.sla.map((s: any) => [s.metric, s.status])).toEqual([['response', 'on_track'], ['resolution', 'on_track']]);
    const description = await api.client.workflow.getHandle(`ticket/${created.body.number}`).describe();
    expect(description.status.name).toBe('RUNNING');
  });

  it('numbers incidents from an atomic counter, without duplicates under concurrency', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => call('POST', '/incidents', newIncident(`concurrent ${i}`))));
    const numbers = replies.map((r) => r.body.number);
    expect(replies.every((r) => r.status === 201)).toBe(true);
    expect(new Set(numbers).size).toBe(8);
  });

  it('lists each invalid field', async () => {
    const reply = await call('POST', '/incidents', { description: 42, impact: 5, urgency: 'high' });
    expectProblem(reply, 400);
    const fields = reply.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['body.description', 'body.impact', 'body.title', 'body.urgency']);
  });

  it('rejects unknown fields and $-operators', async () => {
    const unknown = await call('POST', '/incidents', { ...newIncident(), state: 'closed' });
    expectProblem(unknown, 400, /unknown field\(s\): state/);
    const operator = await call('POST', '/incidents', { ...newIncident(), title: { $gt: '' } });
    expectProblem(operator, 400);
    expect(operator.body.errors[0]).toEqual({ field: 'body.title.$gt', message: expect.stringMatching(/not allowed/) });
  });

  it('rejects malformed JSON and oversized bodies with a clear problem', async () => {
    expectProblem(await call('POST', '/incidents', '{"title":'), 400, /not valid JSON/);
    expectProblem(await call('POST', '/incidents', { ...newIncident(), description: 'x'.repeat(300_000) }), 413, /larger than the limit/);
  });

  it('returns the same incident for a retried Idempotency-Key and refuses the key with another body', async () => {
    const key = `create-${Date.now()}`;
    const first = await call('POST', '/incidents', newIncident('idempotent'), { 'idempotency-key': key });
    const retry = await call('POST', '/incidents', newIncident('idempotent'), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.number).toBe(first.body.number);
    const list = await call('GET', '/tickets?limit=200');
    expect(list.body.items.filter((i: { title: string }) => i.title === 'idempotent')).toHaveLength(1);
    expectProblem(await call('POST', '/incidents', newIncident('other'), { 'idempotency-key': key }), 422, /different body/);
  });
});

describe('acting on an incident', () => {
  it('walks new → in_progress → resolved → closed through workflow updates', async () => {
    const { body: created } = await call('POST', '/incidents', newIncident('lifecycle'));
    const path = `/tickets/${created.number}/actions`;

    expectProblem(await call('POST', `${path}/start`, {}), 409, /assign it to someone first/);
    expectProblem(await call('POST', `${path}/resolve`, { resolutionCode: 'fixed', resolutionNotes: 'restarted' }), 409, /it is 'new'/);

    const assigned = await call('POST', `${path}/assign`, { assignee: 'alice' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ assignee: 'alice', state: 'new', version: 2 });
    expect(assigned.headers.get('etag')).toBe('"2"');

    expect((await call('POST', `${path}/start`, {})).body.state).toBe('in_progress');
    expectProblem(await call('POST', `${path}/resolve`, { resolutionCode: 'fixed' }), 400, /resolutionNotes/);
    const resolved = await call('POST', `${path}/resolve`, { resolutionCode: 'fixed', resolutionNotes: 'restarted the pods' });
    expect(resolved.body).toMatchObject({ state: 'resolved', resolutionCode: 'fixed', resolvedAt: expect.any(String) });
    const closed = await call('POST', `${path}/close`, {});
    expect(closed.body).toMatchObject({ state: 'closed', version: 5 });
    expect(closed.body.timeline.map((t: { kind: string }) => t.kind)).toEqual(['created', 'assigned', 'state_changed', 'state_changed', 'state_changed']);
    expect(closed.body.sla.map((s: { name: string; status: string }) => s.status)).toEqual(expect.arrayContaining(['completed']));

    const read = await call('GET', `/tickets/${created.number}`);
    expect(read.body).toEqual(closed.body); // stopped clocks no longer tick
    expectProblem(await call('POST', `${path}/assign`, { assignee: 'bob' }), 409, /closed and accepts no more actions/);
    const result = await api.client.workflow.getHandle(`ticket/${created.number}`).result();
    expect(result.state).toBe('closed');
  });

  it('answers 404 for an unknown incident and 400 for a malformed number', async () => {
    expectProblem(await call('GET', '/tickets/INC9999999'), 404, /no ticket INC9999999/);
    expectProblem(await call('POST', '/tickets/INC9999999/actions/start', {}), 404);
    expectProblem(await call('GET', '/tickets/not-a-number'), 400, /ticket number/);
    expectProblem(await call('POST', '/tickets/INC0000001/actions/explode', {}), 404, /no route/);
  });

  it('refuses a stale If-Match with 412, so concurrent agents never lose an update', async () => {
    const { body: created } = await call('POST', '/incidents', newIncident('concurrency'));
    const path = `/tickets/${created.number}/actions/assign`;
    const [a, b] = await Promise.all([
      call('POST', path, { assignee: 'alice' }, { 'if-match': '"1"' }),
      call('POST', path, { assignee: 'bob' }, { 'if-match': '"1"' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const loser = a.status === 412 ? a : b;
    expect(loser.body.detail).toMatch(/is at version 2, not 1/);
    const winner = a.status === 200 ? a : b;
    expect((await call('GET', `/tickets/${created.number}`)).body.assignee).toBe(winner.body.assignee);
    expectProblem(await call('POST', path, { assignee: 'carol' }, { 'if-match': 'yesterday' }), 400, /If-Match/);
  });
});

describe('incidents logged for a caller, comments and settings', () => {
  it('lets an agent log an incident for a caller, who then owns it', async () => {
    const created = await call('POST', '/incidents', { ...newIncident('printer jam'), caller: 'alice' });
    expect(created.status).toBe(201);
    expect(created.body.openedBy).toBe('alice');
    expect(created.body.timeline[0]).toMatchObject({ actor: 'lead', kind: 'created', text: expect.stringMatching(/logged by lead for alice$/) });
    expectProblem(await call('POST', '/incidents', { ...newIncident('ghost'), caller: 'nobody-here' }), 400, /no active user 'nobody-here'/);
    const requester = await addUser(api.db, 'rhea', ['requester']);
    expectProblem(await call('POST', '/incidents', { ...newIncident('for someone'), caller: 'alice' }, { authorization: requester.bearer }), 403, /ticket\.act/);
  });

  it('accepts a comment whatever the If-Match: it conflicts with nothing', async () => {
    const { body: created } = await call('POST', '/incidents', newIncident('comment race'));
    await call('POST', `/tickets/${created.number}/actions/assign`, { assignee: 'alice' });
    const comment = await call('POST', `/tickets/${created.number}/actions/comment`, { text: 'seen it' }, { 'if-match': '"1"' });
    expect(comment.status).toBe(200);
    expect(comment.body.version).toBe(3);
  });

  it('serves the service-desk settings', async () => {
    const settings = await call('GET', '/service-desk/settings');
    expect(settings.body).toEqual({ priorityMatrix: { 1: { 1: 'P1', 2: 'P2', 3: 'P3' }, 2: { 1: 'P2', 2: 'P3', 3: 'P4' }, 3: { 1: 'P3', 2: 'P4', 3: 'P5' } }, reopenWindowMs: 7 * 86_400_000 });
  });
});

describe('listing tickets', () => {
  it('pages with a cursor and filters by state', async () => {
    const titles = ['page-a', 'page-b', 'page-c'];
    for (const title of titles) await call('POST', '/incidents', newIncident(title));
    const first = await call('GET', '/tickets?limit=2');
    expect(first.body.items.map((i: { title: string }) => i.title)).toEqual(['page-c', 'page-b']);
    const second = await call('GET', `/tickets?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].title).toBe('page-a');
    const all = [...first.body.items, ...second.body.items];
    expect(new Set(all.map((i: { number: string }) => i.number)).size).toBe(all.length);

    const closed = await call('GET', '/tickets?state=closed');
    expect(closed.body.items.length).toBeGreaterThan(0);
    expect(closed.body.items.every((i: { state: string }) => i.state === 'closed')).toBe(true);
  });

  it('rejects bad filters and cursors', async () => {
    expectProblem(await call('GET', '/tickets?state=sleeping'), 400, /invalid query: state/);
    expectProblem(await call('GET', '/tickets?limit=0'), 400, /invalid query: limit/);
    expectProblem(await call('GET', '/tickets?cursor=garbage'), 400, /cursor/);
    expectProblem(await call('GET', '/tickets?queue=recent&cursor=garbage'), 400, /cursor is not one this API returned/);
    const recent = await call('GET', '/tickets?queue=recent&limit=1');
    expect(recent.body.nextCursor).toEqual(expect.any(String));
    expectProblem(await call('GET', `/tickets?queue=mine&cursor=${recent.body.nextCursor}`), 400, /pages the 'recent' queue/);
    expectProblem(await call('GET', '/tickets?sort[$where]=1'), 400);
  });
});
