import { currentQuery } from '../../workflows/ticket';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// Incidents and problems through the real API: the ticket workflows run on the test worker,
// the projection is in the real store, and asynchronous effects (routing after create,
// cascades by signal) are awaited by polling, never by sleeping.

let api: TestApi;
let lead: TestUser; // group manager: sees every ticket, manages problems
let amy: TestUser; // service-desk agents
let ben: TestUser;
let nora: TestUser; // network agent
let pam: TestUser; // problem-management agent
let rita: TestUser; // callers
let rex: TestUser;
let rick: TestUser; // a caller who is also in the facilities group, so he sees its queue
let ivy: TestUser; // apps agents (queues)
let ian: TestUser;
let dora: TestUser; // desktop agent: another group
let walt: TestUser; // web agent
let wendy: TestUser; // caller (queues)

beforeAll(async () => {
  api = await startTestApi();
  // Users of one group upsert the same group document, so each batch names a group at most once.
  [lead, amy, nora, rita, rex, rick, ivy, dora, walt, wendy] = await Promise.all([
    addUser(api.db, 'lead', ['group_manager'], ['problem-management']),
    addUser(api.db, 'amy', ['agent'], ['service-desk']),
    addUser(api.db, 'nora', ['agent'], ['network']),
    addUser(api.db, 'rita', ['requester']),
    addUser(api.db, 'rex', ['requester']),
    addUser(api.db, 'rick', ['requester'], ['facilities']),
    addUser(api.db, 'ivy', ['agent'], ['apps']),
    addUser(api.db, 'dora', ['agent'], ['desktop']),
    addUser(api.db, 'walt', ['agent'], ['web']),
    addUser(api.db, 'wendy', ['requester']),
  ]);
  [ben, pam, ian] = await Promise.all([
    addUser(api.db, 'ben', ['agent'], ['service-desk']),
    addUser(api.db, 'pam', ['group_manager'], ['problem-management']), // publishes known errors (problem.manage)
    addUser(api.db, 'ian', ['agent'], ['apps']),
  ]);
});
afterAll(() => api.stop());

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(user: TestUser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: user.bearer, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const get = (user: TestUser, path: string) => call(user, 'GET', path);
const act = (user: TestUser, number: string, type: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  call(user, 'POST', `/tickets/${number}/actions/${type}`, body, headers);

/** The reply's body, after checking its status (the body is shown when it differs). */
function ok(reply: Reply, status = 200): any {
  if (reply.status !== status) throw new Error(`expected HTTP ${status}, got ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

function expectProblem(reply: Reply, status: number, detail?: RegExp, fields?: string[]): void {
  if (reply.status !== status) throw new Error(`expected HTTP ${status}, got ${reply.status}: ${JSON.stringify(reply.body)}`);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), requestId: expect.any(String) });
  if (detail) expect(reply.body.detail).toMatch(detail);
  if (fields) expect(reply.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
}

async function openIncident(user: TestUser, fields: Record<string, unknown>): Promise<any> {
  return ok(await call(user, 'POST', '/incidents', { description: '', impact: 3, urgency: 3, ...fields }), 201);
}

async function read(user: TestUser, number: string): Promise<any> {
  return ok(await get(user, `/tickets/${number}`));
}

/** Polls until `done` holds, with a deadline; the last value is shown when it never does. */
async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ticketUntil = (what: string, number: string, done: (ticket: any) => boolean, user = lead) => eventually(what, () => read(user, number), done);

/**
 * Waits until the ticket's workflow has completed the workflow task that handled the
 * first history event matching `handled`: whatever the workflow did about it is done.
 */
async function workflowHandled(what: string, number: string, handled: (event: any, events: any[]) => boolean): Promise<void> {
  const handle = api.client.workflow.getHandle(`ticket/${number}`);
  await eventually(
    what,
    async () => (await handle.fetchHistory()).events ?? [],
    (events: any[]) => {
      const at = events.findIndex((event) => handled(event, events));
      return at >= 0 && events.slice(at + 1).some((event) => event.workflowTaskCompletedEventAttributes);
    },
  );
}

const routingDecided = (number: string) =>
  workflowHandled(`the routing of ${number}`, number, (event, events) => {
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed) return false;
    const scheduled = events.find((e) => Number(e.eventId) === Number(completed.scheduledEventId));
    return scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === 'routeTicket';
  });

const systemSignalHandled = (number: string) =>
  workflowHandled(`a system signal to ${number}`, number, (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'ticket.system');

const numbers = (reply: Reply) => ok(reply).items.map((t: { number: string }) => t.number);
const last = (ticket: any) => ticket.timeline[ticket.timeline.length - 1];
const lastTwo = (ticket: any) => ticket.timeline.slice(-2).map(({ at: _at, ...entry }: any) => entry);
const anInstant = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

// ---------------------------------------------------------------------------------------

let vpn: string; // routed to network
let printer: string; // routed to service-desk, on ben

describe('assignment rules', () => {
  it("route an incident about the VPN to 'network' by rule 'network-words'", async () => {
    const created = await openIncident(rita, { title: 'VPN drops every hour', impact: 2, urgency: 2 });
    expect(created).toMatchObject({ state: 'new', assignmentGroup: null, assignee: null, assignmentSource: null, assignments: [], version: 1 });
    vpn = created.number;

    const routed = await ticketUntil('routing', created.number, (t) => t.version === 2, rita);
    expect(routed).toMatchObject({ assignmentGroup: 'network', assignee: null, assignmentSource: 'rule', reassignmentCount: 0 });
    expect(routed.assignments).toEqual([{ at: anInstant, actor: 'system', group: 'network', assignee: null, source: 'rule', rule: 'network-words' }]);
    expect(routed.timeline.map((e: any) => e.kind)).toEqual(['created', 'assigned']);
    expect(last(routed)).toEqual({ at: anInstant, actor: 'system', kind: 'assigned', text: "Assigned to group network by rule 'network-words'" });
  });

  it("route anything else to 'service-desk', on the member with the fewest open tickets", async () => {
    // amy has one open incident, ben none: ben gets the next (a tie would go to amy, alphabetically first).
    const busy = await openIncident(lead, { title: 'Payroll export fails', assignmentGroup: 'service-desk' });
    expect(ok(await act(lead, busy.number, 'assign', { assignee: 'amy' })).assignee).toBe('amy');

    const created = await openIncident(rita, { title: 'Printer on floor 3 jams' });
    printer = created.number;
    const routed = await ticketUntil('routing', created.number, (t) => t.version === 2);
    expect(routed).toMatchObject({ assignmentGroup: 'service-desk', assignee: 'ben', assignmentSource: 'rule' });
    expect(routed.assignments).toEqual([{ at: anInstant, actor: 'system', group: 'service-desk', assignee: 'ben', source: 'rule', rule: 'incidents-catch-all' }]);
    expect(last(routed)).toEqual({ at: anInstant, actor: 'system', kind: 'assigned', text: "Assigned to group service-desk, ben by rule 'incidents-catch-all'" });
    expect(numbers(await get(ben, '/tickets?queue=mine'))).toEqual([printer]);
  });

  it('never override a group chosen when the incident was opened', async () => {
    const created = await openIncident(rita, { title: 'VPN token rejected', assignmentGroup: 'service-desk' });
    expect(created).toMatchObject({ assignmentGroup: 'service-desk', assignee: null, assignmentSource: 'manual', version: 1 });
    expect(created.assignments).toEqual([{ at: anInstant, actor: 'rita', group: 'service-desk', assignee: null, source: 'manual' }]);

    await routingDecided(created.number);
    expect((await api.client.workflow.getHandle(`ticket/${created.number}`).query(currentQuery)).version).toBe(1);
    const after = await read(rita, created.number);
    expect(after).toMatchObject({ assignmentGroup: 'service-desk', assignee: null, assignmentSource: 'manual', version: 1 });
    expect(after.timeline.map((e: any) => e.kind)).toEqual(['created']);
  });

  it('refuse an unknown group when opening', async () => {
    expectProblem(await call(rita, 'POST', '/incidents', { title: 'x', impact: 3, urgency: 3, assignmentGroup: 'nowhere' }), 400, /no assignment group 'nowhere'/, ['body.assignmentGroup']);
  });
});

describe('working an incident', () => {
  let number: string;
  beforeAll(async () => {
    number = (await openIncident(rita, { title: 'Cannot reach the intranet', description: 'Since this morning', impact: 2, urgency: 2, assignmentGroup: 'service-desk' })).number;
  });

  it('checks the group, the user and their membership when assigning', async () => {
    expectProblem(await act(amy, number, 'assign', { group: 'nowhere' }), 400, /no assignment group 'nowhere'/, ['body.group']);
    expectProblem(await act(amy, number, 'assign', { assignee: 'ghost' }), 400, /no active user 'ghost'/, ['body.assignee']);
    expectProblem(await act(amy, number, 'assign', { assignee: 'nora' }), 400, /nora is not a member of 'service-desk'/, ['body.assignee']);
    expectProblem(await act(amy, number, 'assign', { group: 'network', assignee: 'amy' }), 400, /amy is not a member of 'network'/, ['body.assignee']);
    expectProblem(await act(amy, number, 'assign', {}), 400, /name a group, an assignee or both/, ['body']);
    expectProblem(await act(rita, number, 'assign', { assignee: 'amy' }), 403, /ticket\.act/);

    const assigned = ok(await act(amy, number, 'assign', { assignee: 'amy' }));
    expect(assigned).toMatchObject({ assignmentGroup: 'service-desk', assignee: 'amy', assignmentSource: 'manual', reassignmentCount: 0, version: 2 });
    expect(last(assigned)).toEqual({ at: anInstant, actor: 'amy', kind: 'assigned', text: 'Assigned to group service-desk, amy' });
  });

  it('puts it on hold for the caller only with a comment, which the caller sees (never the work notes)', async () => {
    expect(ok(await act(amy, number, 'start')).state).toBe('in_progress');
    expectProblem(await act(amy, number, 'hold', { reason: 'awaiting_caller' }), 409, /on hold awaiting the caller without a comment/);
    expectProblem(await act(amy, number, 'hold', { reason: 'awaiting_caller', comment: '  ' }), 400, undefined, ['body.comment']);

    ok(await act(amy, number, 'comment', { text: 'Proxy logs show TLS resets', workNote: true }));
    const held = ok(await act(amy, number, 'hold', { reason: 'awaiting_caller', comment: 'Which browser do you use?' }));
    expect(held).toMatchObject({ state: 'on_hold', holdReason: 'awaiting_caller', version: 5 });
    expect(lastTwo(held)).toEqual([
      { actor: 'amy', kind: 'state_changed', from: 'in_progress', to: 'on_hold', text: 'State changed from in_progress to on_hold: awaiting caller' },
      { actor: 'amy', kind: 'comment', text: 'Which browser do you use?' },
    ]);
    // Waiting for the caller stops the resolution clock; the response clock stopped at start.
    expect(held.sla.map((s: any) => [s.metric, s.status])).toEqual([['response', 'completed'], ['resolution', 'paused']]);

    const asCaller = await read(rita, number);
    expect(asCaller.timeline.map((e: any) => e.kind)).toEqual(['created', 'assigned', 'state_changed', 'state_changed', 'comment']);
    expect(last(asCaller)).toMatchObject({ kind: 'comment', text: 'Which browser do you use?' });
    const asAgent = await read(amy, number);
    expect(asAgent.timeline.filter((e: any) => e.kind === 'work_note').map((e: any) => e.text)).toEqual(['Proxy logs show TLS resets']);
    expectProblem(await act(rita, number, 'comment', { text: 'psst', workNote: true }), 403, /work notes are for agents/);
  });

  it("resumes when the caller replies, not when an agent comments", async () => {
    const nudged = ok(await act(amy, number, 'comment', { text: 'Any news?' }));
    expect(nudged).toMatchObject({ state: 'on_hold', holdReason: 'awaiting_caller', version: 6 });

    const replied = ok(await act(rita, number, 'comment', { text: 'Firefox 128' }));
    expect(replied).toMatchObject({ state: 'in_progress', holdReason: null, version: 7 });
    expect(lastTwo(replied)).toEqual([
      { actor: 'rita', kind: 'comment', text: 'Firefox 128' },
      { actor: 'rita', kind: 'state_changed', from: 'on_hold', to: 'in_progress', text: 'State changed from on_hold to in_progress: the caller replied' },
    ]);
    expect(replied.sla.map((s: any) => [s.metric, s.status])).toEqual([['response', 'completed'], ['resolution', 'on_track']]);
  });

  it('resumes a vendor hold only by hand, resolves with code and notes, reopens and closes', async () => {
    expect(ok(await act(amy, number, 'hold', { reason: 'vendor' }))).toMatchObject({ state: 'on_hold', holdReason: 'vendor' });
    expect(ok(await act(rita, number, 'comment', { text: 'Any update?' }))).toMatchObject({ state: 'on_hold', holdReason: 'vendor' });
    const resumed = ok(await act(amy, number, 'resume'));
    expect(resumed).toMatchObject({ state: 'in_progress', holdReason: null });
    expect(last(resumed)).toMatchObject({ kind: 'state_changed', from: 'on_hold', to: 'in_progress', text: 'State changed from on_hold to in_progress' });
    expectProblem(await act(amy, number, 'resume'), 409, /cannot resume .*: it is 'in_progress', and resume needs 'on_hold'/);

    expectProblem(await act(amy, number, 'resolve', { resolutionCode: 'fixed' }), 400, /resolutionNotes/, ['body.resolutionNotes']);
    expectProblem(await act(amy, number, 'resolve', { resolutionNotes: 'Cleared the proxy cache' }), 400, /resolutionCode/, ['body.resolutionCode']);
    expectProblem(await act(amy, number, 'resolve', {}), 400, undefined, ['body.resolutionCode', 'body.resolutionNotes']);
    const resolved = ok(await act(amy, number, 'resolve', { resolutionCode: 'fixed', resolutionNotes: 'Cleared the proxy cache' }));
    expect(resolved).toMatchObject({ state: 'resolved', resolutionCode: 'fixed', resolutionNotes: 'Cleared the proxy cache', resolvedAt: anInstant });

    expectProblem(await act(rex, number, 'reopen', { reason: 'not mine' }), 404);
    const reopened = ok(await act(rita, number, 'reopen', { reason: 'Still failing in Firefox' }));
    expect(reopened).toMatchObject({ state: 'in_progress', reopenCount: 1, resolutionCode: null, resolutionNotes: null, resolvedAt: null });
    expect(last(reopened)).toMatchObject({ actor: 'rita', kind: 'state_changed', from: 'resolved', to: 'in_progress', text: 'State changed from resolved to in_progress: Still failing in Firefox' });

    ok(await act(amy, number, 'resolve', { resolutionCode: 'fixed', resolutionNotes: 'Pinned the proxy certificate' }));
    const closed = ok(await act(amy, number, 'close'));
    expect(closed).toMatchObject({ state: 'closed', closedAt: anInstant, reopenCount: 1 });
  });

  it('refuses every action on a closed incident with 409', async () => {
    const attempts = [
      act(rita, number, 'comment', { text: 'Thanks!' }),
      act(rita, number, 'reopen', { reason: 'Broken again' }),
      act(amy, number, 'assign', { assignee: 'ben' }),
      act(amy, number, 'resolve', { resolutionCode: 'fixed', resolutionNotes: 'again' }),
      act(amy, number, 'watch', {}),
    ];
    for (const reply of await Promise.all(attempts)) expectProblem(reply, 409, new RegExp(`${number} is closed and accepts no more actions`));
  });

  it('lets the caller cancel their incident, and nobody else who is not an agent', async () => {
    const { number: chair } = await openIncident(rita, { title: 'Broken chair in room 4', assignmentGroup: 'facilities' });
    expect((await read(rick, chair)).number).toBe(chair); // rick sees the facilities queue
    expectProblem(await act(rick, chair, 'cancel', { reason: 'duplicate' }), 403, new RegExp(`only the person who opened ${chair} or an agent may cancel it`));
    expectProblem(await act(rex, chair, 'cancel', { reason: 'duplicate' }), 404, new RegExp(`no ticket ${chair}`));
    expectProblem(await act(rita, chair, 'cancel', {}), 400, undefined, ['body.reason']);

    const cancelled = ok(await act(rita, chair, 'cancel', { reason: 'Found another chair' }));
    expect(cancelled).toMatchObject({ state: 'cancelled', version: 2 });
    expect(last(cancelled)).toMatchObject({ actor: 'rita', kind: 'state_changed', from: 'new', to: 'cancelled', text: 'State changed from new to cancelled: Found another chair' });
    expect(cancelled.sla.map((s: any) => s.status)).toEqual(['cancelled', 'cancelled']);

    for (const reply of [await act(rita, chair, 'comment', { text: 'oops' }), await act(rita, chair, 'reopen', { reason: 'oops' }), await act(lead, chair, 'start')]) {
      expectProblem(reply, 409, new RegExp(`${chair} is cancelled and accepts no more actions`));
    }
  });

  it('refuses a stale If-Match with 412 and accepts the current ETag', async () => {
    const seen = await get(nora, `/tickets/${vpn}`);
    expect(ok(seen)).toMatchObject({ assignmentGroup: 'network', version: 2 });
    expect(seen.headers.get('etag')).toBe('"2"');
    expectProblem(await act(nora, vpn, 'assign', { assignee: 'nora' }, { 'if-match': '"1"' }), 412, /is at version 2, not 1/);
    const reply = await act(nora, vpn, 'assign', { assignee: 'nora' }, { 'if-match': seen.headers.get('etag')! });
    expect(ok(reply)).toMatchObject({ assignee: 'nora', version: 3 });
    expect(reply.headers.get('etag')).toBe('"3"');
    expectProblem(await act(lead, vpn, 'assign', { assignee: 'nora' }, { 'if-match': 'version 3' }), 400, /If-Match/, ['headers.if-match']);
    expect(ok(await act(lead, vpn, 'assign', { assignee: null }, { 'if-match': 'W/"3"' }))).toMatchObject({ assignee: null, version: 4 });
  });
});

describe('major incidents', () => {
  let parent: string;
  let child: string;
  let handled: string;

  it('link children to a major incident, which lists them once their signals arrive', async () => {
    parent = (await openIncident(lead, { title: 'Core banking outage', impact: 1, urgency: 1, assignmentGroup: 'service-desk' })).number;
    child = (await openIncident(rita, { title: 'Cannot post payments', assignmentGroup: 'service-desk' })).number;
    handled = (await openIncident(rex, { title: 'Teller terminal frozen', assignmentGroup: 'service-desk' })).number;

    expectProblem(await act(amy, child, 'set_parent', { parent: 'INC9999999' }), 400, /no incident INC9999999 you can see/, ['body.parent']);
    expectProblem(await act(amy, child, 'set_parent', { parent: 'PRB0000001' }), 400, undefined, ['body.parent']);
    expectProblem(await act(amy, child, 'set_parent', { parent: child }), 409, /cannot be its own parent/);

    const linked = ok(await act(amy, child, 'set_parent', { parent }));
    expect(linked.parent).toBe(parent);
    expect(last(linked)).toEqual({ at: anInstant, actor: 'amy', kind: 'link', text: `Made a child of ${parent}` });
    ok(await act(amy, handled, 'set_parent', { parent }));

    const major = await ticketUntil('the children', parent, (t) => t.children.length === 2);
    expect([...major.children].sort()).toEqual([child, handled].sort());
    expect(major.timeline.filter((e: any) => e.kind === 'link').map((e: any) => e.text).sort()).toEqual([`${child} is now a child`, `${handled} is now a child`].sort());
  });

  it('refuse a child as a parent (409), and a parent as a child (409)', async () => {
    expectProblem(await act(lead, vpn, 'set_parent', { parent: child }), 409, new RegExp(`${child} is itself a child of ${parent}`));
    expectProblem(await act(amy, parent, 'set_parent', { parent: printer }), 409, new RegExp(`${parent} is a parent of .* and cannot also be a child`));
  });

  it('resolve the open children with the parent, leaving one resolved by hand alone', async () => {
    ok(await act(amy, handled, 'assign', { assignee: 'amy' }));
    ok(await act(amy, handled, 'start'));
    const byHand = ok(await act(amy, handled, 'resolve', { resolutionCode: 'workaround', resolutionNotes: 'Rebooted the terminal' }));

    ok(await act(amy, parent, 'assign', { assignee: 'amy' }));
    ok(await act(amy, parent, 'start'));
    ok(await act(amy, parent, 'resolve', { resolutionCode: 'fixed', resolutionNotes: 'Failed over to the standby site' }));

    const cascaded = await ticketUntil('the cascade', child, (t) => t.state === 'resolved');
    expect(cascaded).toMatchObject({ resolutionCode: 'fixed', resolutionNotes: 'Failed over to the standby site', resolvedAt: anInstant });
    expect(last(cascaded)).toEqual({ at: anInstant, actor: 'amy', kind: 'state_changed', from: 'new', to: 'resolved', text: `State changed from new to resolved: resolved with ${parent}` });

    await systemSignalHandled(handled);
    expect((await api.client.workflow.getHandle(`ticket/${handled}`).query(currentQuery)).version).toBe(byHand.version);
    const untouched = await read(lead, handled);
    expect(untouched).toMatchObject({ state: 'resolved', resolutionCode: 'workaround', resolutionNotes: 'Rebooted the terminal', version: byHand.version });
    expect(untouched.timeline.some((e: any) => /resolved with/.test(e.text))).toBe(false);
  });
});

describe('problems', () => {
  let problem: string;
  let draft: string;

  it('are opened by problem managers only and routed to problem management', async () => {
    const body = { title: 'Kerberos tickets expire early', description: 'Sessions drop after ten minutes', impact: 2, urgency: 2 };
    expectProblem(await call(amy, 'POST', '/problems', body), 403, /problem\.manage/);
    expectProblem(await call(lead, 'POST', '/problems', { ...body, parent: 'INC0000001' }), 400, /unknown field\(s\): parent/);
    const created = ok(await call(lead, 'POST', '/problems', body), 201);
    expect(created).toMatchObject({ number: 'PRB0000001', kind: 'problem', state: 'new', rootCause: null, workaround: null, knownErrorAt: null, linkedIncidents: [] });
    problem = created.number;
    const routed = await ticketUntil('routing', problem, (t) => t.version === 2);
    expect(routed).toMatchObject({ assignmentGroup: 'problem-management', assignee: null, assignmentSource: 'rule' });
    expect(last(routed).text).toBe("Assigned to group problem-management by rule 'problems'");

    draft = ok(await call(lead, 'POST', '/problems', { ...body, title: 'Kerberos realm mismatch on new hosts', assignmentGroup: 'problem-management' }), 201).number;
  });

  it('are published as known errors only with a root cause and a workaround', async () => {
    ok(await act(pam, problem, 'assign', { assignee: 'pam' }));
    expect(ok(await act(pam, problem, 'start')).state).toBe('in_progress');
    const refused = new RegExp(`cannot publish ${problem} as a known error: record its root cause and a workaround first`);
    expectProblem(await act(pam, problem, 'publish_known_error'), 409, refused);

    const analysed = ok(await act(pam, problem, 'analyse', { rootCause: 'Clock skew on the domain controllers' }));
    expect(analysed).toMatchObject({ rootCause: 'Clock skew on the domain controllers', workaround: null });
    expect(last(analysed)).toMatchObject({ actor: 'pam', kind: 'work_note', text: 'Recorded the root cause' });
    expectProblem(await act(pam, problem, 'publish_known_error'), 409, refused);

    ok(await act(pam, problem, 'analyse', { workaround: 'Run klist purge and sign in again' }));
    const published = ok(await act(pam, problem, 'publish_known_error'));
    expect(published).toMatchObject({ state: 'known_error', knownErrorAt: anInstant, rootCause: 'Clock skew on the domain controllers', workaround: 'Run klist purge and sign in again' });
    expect(last(published)).toMatchObject({ kind: 'state_changed', from: 'in_progress', to: 'known_error', text: 'State changed from in_progress to known_error: published to the known-error database' });
    expectProblem(await act(pam, problem, 'publish_known_error'), 409, /it is 'known_error', and publish known error needs 'in_progress'/);
  });

  it('are found in the known-error database once published, by any agent', async () => {
    const search = (q: string, user = amy) => get(user, `/known-errors?q=${encodeURIComponent(q)}`);
    expect(numbers(await search('kerberos'))).toEqual([problem]);
    expect(numbers(await search('KLIST purge'))).toEqual([problem]); // words of the workaround
    expect(numbers(await search('kerberos realm'))).toEqual([]); // only in the unpublished draft
    expect(numbers(await get(amy, '/known-errors'))).toEqual([problem]);
    expect(ok(await search('kerberos')).items[0]).toMatchObject({ number: problem, workaround: 'Run klist purge and sign in again' });
    expect(draft).toBe('PRB0000002');
    expectProblem(await search('kerberos', rita), 403, /ticket\.act/);
    expectProblem(await get(amy, '/known-errors?limit=0'), 400, undefined, ['query.limit']);
    expectProblem(await get(amy, '/known-errors?state=published'), 400, /unknown field\(s\): state/);
  });

  it('resolve their linked incidents when asked to', async () => {
    const { number: incident } = await openIncident(rita, { title: 'Signed out every ten minutes', assignmentGroup: 'service-desk' });
    expectProblem(await act(lead, incident, 'link_problem', { problem: 'INC0000001' }), 400, undefined, ['body.problem']);
    expectProblem(await act(lead, incident, 'link_problem', { problem: 'PRB9999999' }), 400, /no problem PRB9999999 you can see/, ['body.problem']);
    expectProblem(await act(lead, incident, 'link_problem', { problem: null }), 409, /is not linked to a problem/);

    const linked = ok(await act(lead, incident, 'link_problem', { problem }));
    expect(linked.problem).toBe(problem);
    expect(last(linked)).toEqual({ at: anInstant, actor: 'lead', kind: 'link', text: `Linked to problem ${problem}` });
    const withIncident = await ticketUntil('the link', problem, (t) => t.linkedIncidents.length > 0, pam);
    expect(withIncident.linkedIncidents).toEqual([incident]);
    expect(last(withIncident)).toMatchObject({ kind: 'link', text: `${incident} linked` });

    const resolved = ok(await act(pam, problem, 'resolve', { resolutionCode: 'fixed', resolutionNotes: 'NTP repaired on the domain controllers', resolveIncidents: true }));
    expect(resolved).toMatchObject({ state: 'resolved', resolveIncidentsOnResolve: true, resolutionCode: 'fixed' });
    expect(last(resolved).text).toBe(`State changed from known_error to resolved: resolving ${incident} with it`);

    const cascaded = await ticketUntil('the cascade', incident, (t) => t.state === 'resolved', rita);
    expect(cascaded).toMatchObject({ resolutionCode: 'fixed', resolutionNotes: 'NTP repaired on the domain controllers', problem });
    expect(last(cascaded)).toEqual({ at: anInstant, actor: 'pam', kind: 'state_changed', from: 'new', to: 'resolved', text: `State changed from new to resolved: resolved with ${problem}` });
  });
});

describe('queues', () => {
  // A (P5, ivy, started), B (P1, unassigned), C (P3, ian), D (P4, moved from web to apps, watched by walt).
  let A: string, B: string, C: string, D: string;
  beforeAll(async () => {
    A = (await openIncident(wendy, { title: 'Ledger export slow', impact: 3, urgency: 3, assignmentGroup: 'apps' })).number;
    B = (await openIncident(wendy, { title: 'Ledger report blank', description: 'Month-end report shows nothing', impact: 1, urgency: 1, assignmentGroup: 'apps' })).number;
    C = (await openIncident(wendy, { title: 'Ledger login loop', impact: 2, urgency: 2, assignmentGroup: 'apps' })).number;
    D = (await openIncident(lead, { title: 'Checkout page timeout', impact: 2, urgency: 3, assignmentGroup: 'web' })).number;
    ok(await act(ivy, A, 'assign', { assignee: 'ivy' }));
    ok(await act(ivy, A, 'start'));
    ok(await act(ivy, A, 'comment', { text: 'Batch job runs single-threaded', workNote: true }));
    ok(await act(ian, C, 'assign', { assignee: 'ian' }));
    ok(await act(walt, D, 'watch', { watching: true }));
    expect(ok(await act(lead, D, 'assign', { group: 'apps' }))).toMatchObject({ assignmentGroup: 'apps', assignee: null, watchers: ['walt'] });
    ok(await act(ian, B, 'comment', { text: 'Looking into it' }));
  });

  const list = (user: TestUser, query: string) => get(user, `/tickets?${query}`);

  it('mine, my_groups and unassigned', async () => {
    expect(numbers(await list(ivy, 'queue=mine'))).toEqual([A]);
    expect(numbers(await list(ian, 'queue=mine'))).toEqual([C]);
    expect(numbers(await list(ian, 'queue=my_groups'))).toEqual([D, C, B, A]);
    expect(numbers(await list(ian, 'queue=unassigned'))).toEqual([D, B]);
    expect(numbers(await list(ian, 'queue=approvals'))).toEqual([]);
  });

  it('breaching: open tickets, soonest SLA due first, with the clocks shown', async () => {
    const page = ok(await list(ian, 'queue=breaching'));
    expect(page.items.map((t: any) => t.number)).toEqual([B, C, D, A]);
    const dueOf = (t: any) => t.sla.filter((s: any) => !['completed', 'cancelled'].includes(s.status)).map((s: any) => s.dueAt).sort()[0];
    const dues = page.items.map(dueOf);
    expect(dues).toEqual([...dues].sort());

    const b = page.items[0];
    expect(b.sla.map((s: any) => [s.metric, s.policy, s.status, s.targetMs])).toEqual([
      ['response', 'incident-response', 'on_track', 15 * 60_000],
      ['resolution', 'incident-resolution-major', 'on_track', 4 * 3_600_000],
    ]);
    for (const sla of b.sla) {
      expect(sla.remainingBusinessMs).toBeGreaterThan(0);
      expect(sla.remainingBusinessMs).toBeLessThanOrEqual(sla.targetMs);
      expect(sla.remainingBusinessMs).toBe(sla.targetMs - sla.elapsedBusinessMs);
    }
    expect(page.items[3].sla.map((s: any) => [s.metric, s.status])).toEqual([['response', 'completed'], ['resolution', 'on_track']]);
  });

  it('recent and opened: most recently updated first', async () => {
    const recent = ok(await list(ian, 'queue=recent&group=apps')).items;
    expect(recent[0].number).toBe(B);
    expect(recent.map((t: any) => t.number).sort()).toEqual([A, B, C, D].sort());
    expect(recent.map((t: any) => t.updatedAt)).toEqual(recent.map((t: any) => t.updatedAt).sort().reverse());

    const opened = ok(await list(wendy, 'queue=opened')).items;
    expect(opened.map((t: any) => t.number)).toEqual([B, C, A]);
    // A caller's lists never carry work notes either.
    expect(opened.flatMap((t: any) => t.timeline).some((e: any) => e.kind === 'work_note')).toBe(false);
    expect(ok(await list(ivy, 'queue=mine')).items[0].timeline.filter((e: any) => e.kind === 'work_note')).toHaveLength(1);
  });

  it('filter by kind, state, priority, group, assignee and words or number', async () => {
    expect(numbers(await list(ian, 'kind=incident&group=apps'))).toEqual([D, C, B, A]);
    expect(numbers(await list(ian, 'kind=problem'))).toEqual([]);
    expect(numbers(await list(ian, 'state=in_progress'))).toEqual([A]);
    expect(numbers(await list(ian, 'priority=P1'))).toEqual([B]);
    expect(numbers(await list(lead, 'priority=P1&group=apps'))).toEqual([B]);
    expect(numbers(await list(ian, 'group=apps&assignee=ian'))).toEqual([C]);
    expect(numbers(await list(ian, `q=${C.toLowerCase()}`))).toEqual([C]);
    expect(numbers(await list(ian, 'q=ledger'))).toEqual([C, B, A]);
    expect(numbers(await list(ian, 'q=LEDGER%20blank'))).toEqual([B]);
    expect(numbers(await list(ian, 'q=month-end'))).toEqual([B]); // words of the description
    expect(numbers(await list(ian, 'q=ledger%20checkout'))).toEqual([]);
  });

  it('page with a cursor, without duplicates or gaps', async () => {
    const pages = async (query: string, limit: number) => {
      const seen: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: any = ok(await list(ian, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`));
        seen.push(page.items.map((t: any) => t.number));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await pages('group=apps', 1)).toEqual([[D], [C], [B], [A]]);
    expect(await pages('queue=breaching', 3)).toEqual([[B, C, D], [A]]);
    expect(await pages('queue=recent&group=apps', 2).then((p) => p.flat().sort())).toEqual([A, B, C, D].sort());
  });

  it("hide a ticket from another group's agent, but not from its opener and watchers", async () => {
    expectProblem(await get(dora, `/tickets/${B}`), 404, new RegExp(`no ticket ${B}`));
    expectProblem(await act(dora, B, 'comment', { text: 'hello' }), 404);
    expect(numbers(await list(dora, 'limit=200'))).toEqual([]);
    expect(numbers(await list(dora, `q=${B}`))).toEqual([]);

    expect((await read(wendy, B)).number).toBe(B);
    expect(numbers(await list(wendy, 'limit=200'))).toEqual([C, B, A]);

    expect((await read(walt, D)).watchers).toEqual(['walt']);
    expect(numbers(await list(walt, 'limit=200'))).toEqual([D]);
    expectProblem(await get(walt, `/tickets/${B}`), 404);
  });
});

describe('bad input', () => {
  it('is refused with 400 problem+json naming the field', async () => {
    const cases: Array<[() => Promise<Reply>, string[]]> = [
      [() => get(amy, '/tickets?queue=everything'), ['query.queue']],
      [() => get(amy, '/tickets?kind=change'), ['query.kind']],
      [() => get(amy, '/tickets?priority=P9'), ['query.priority']],
      [() => get(amy, '/tickets?state=new&state=resolved'), ['query.state']],
      [() => get(amy, '/tickets?limit=abc'), ['query.limit']],
      [() => get(amy, '/tickets?limit=201'), ['query.limit']],
      [() => get(amy, '/tickets?q='), ['query.q']],
      [() => get(amy, '/tickets?sort=seq'), ['query']],
      [() => get(amy, '/tickets?assignee[$ne]=x'), ['query']], // an unknown parameter named 'assignee[$ne]'
      [() => get(amy, '/tickets?cursor=garbage'), ['query.cursor']],
      [() => get(amy, `/tickets?cursor=${Buffer.from('{"seq":"7"}').toString('base64url')}`), ['query.cursor']],
      [() => get(amy, `/tickets?queue=breaching&cursor=${'A'.repeat(301)}`), ['query.cursor']],
      [() => get(amy, '/tickets/INC123'), ['params.number']],
      [() => get(amy, '/tickets/inc0000001'), ['params.number']],
      [() => get(amy, '/tickets/CHG0000001'), ['params.number']],
      [() => act(amy, 'INC12', 'start'), ['params.number']],
      [() => act(amy, 'INC0000001', 'assign', { assignee: 'amy', priority: 'P1' }), ['body']],
      [() => act(amy, 'INC0000001', 'start', { now: true }), ['body']],
      [() => act(amy, 'INC0000001', 'watch', { watching: 'yes' }), ['body.watching']],
      [() => act(amy, 'INC0000001', 'hold', { reason: 'lunch' }), ['body.reason']],
      [() => act(amy, 'INC0000001', 'comment', { text: 42 }), ['body.text']],
      [() => act(amy, 'INC0000001', 'comment', { text: 'x', workNote: 'no' }), ['body.workNote']],
      [() => act(amy, 'INC0000001', 'set_parent', { parent: 42 }), ['body.parent']],
      [() => act(amy, 'INC0000001', 'set_parent', {}), ['body.parent']],
      [() => act(amy, 'INC0000001', 'resolve', { resolutionCode: 1, resolutionNotes: false }), ['body.resolutionCode', 'body.resolutionNotes']],
      [() => act(amy, 'INC0000001', 'update', { changes: { impact: 4 } }), ['body.changes.impact']],
      [() => act(amy, 'INC0000001', 'assign', []), ['body']],
      [() => act(amy, 'INC0000001', 'assign', { assignee: { $gt: '' } }), ['body.assignee.$gt']],
      [() => call(amy, 'POST', '/incidents', { title: 'x', impact: 0, urgency: 3 }), ['body.impact']],
    ];
    for (const [i, [send, fields]] of cases.entries()) {
      const reply = await send();
      // The case number names the one that failed.
      expect({ case: i, status: reply.status, fields: reply.body?.errors?.map((e: { field: string }) => e.field) }).toEqual({ case: i, status: 400, fields });
      expectProblem(reply, 400);
    }
    expectProblem(await act(amy, 'INC0000001', 'comment', '{"text":'), 400, /not valid JSON/);
    expectProblem(await act(amy, 'INC0000001', 'explode'), 404, /no route/);
  });
});
