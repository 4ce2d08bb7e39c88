import { userModel } from '../../store/users';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';

// Service requests and their approvals through the real API: each request's workflow runs
// on the test worker and every decision is a Temporal Update.

let api: TestApi;
let reed: TestUser; // requester whose manager is mona
let rhea: TestUser; // requester without a manager
let mona: TestUser; // reed's manager
let vic: TestUser; // mona's deputy
let lead: TestUser; // group manager: sees every ticket, approves nothing here
let dan: TestUser; // DBAs
let dee: TestUser;
let deb: TestUser; // desktop agent: fulfils laptops
let aud: TestUser; // auditor

beforeAll(async () => {
  api = await startTestApi();
  // dee joins 'dba' after dan, so the DBA approvers come in that order.
  [reed, rhea, mona, vic, lead, dan, deb, aud] = await Promise.all([
    addUser(api.db, 'reed', ['requester']),
    addUser(api.db, 'rhea', ['requester']),
    addUser(api.db, 'mona', ['approver']),
    addUser(api.db, 'vic', ['approver']),
    addUser(api.db, 'lead', ['group_manager'], ['service-desk']),
    addUser(api.db, 'dan', ['agent'], ['dba']),
    addUser(api.db, 'deb', ['agent'], ['desktop']),
    addUser(api.db, 'aud', ['auditor']),
  ]);
  dee = await addUser(api.db, 'dee', ['agent'], ['dba']);
  await userModel(api.db).updateOne({ _id: 'reed' }, { $set: { manager: 'mona' } }).exec();
});
afterAll(() => api.stop());

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(user: TestUser, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: user.bearer },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const get = (user: TestUser, path: string) => call(user, 'GET', path);
const act = (user: TestUser, number: string, type: string, body: unknown = {}) => call(user, 'POST', `/tickets/${number}/actions/${type}`, body);
const order = (user: TestUser, item: string, answers: Record<string, unknown>) => call(user, 'POST', '/requests', { item, answers });

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

const numbers = (reply: Reply) => ok(reply).items.map((t: { number: string }) => t.number);
const approvalsOf = (user: TestUser) => get(user, '/tickets?queue=approvals').then(numbers);
const texts = (ticket: any) => ticket.timeline.map((e: any) => `${e.kind} ${e.actor}: ${e.text}`);
const approvers = (ticket: any) => ticket.approval.levels[ticket.approval.current].approvers.map((a: any) => ({ user: a.user, state: a.state, delegatedTo: a.delegatedTo, decidedBy: a.decidedBy }));
const anInstant = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

const LAPTOP = { model: 'Standard 14-inch', reason: 'New starter', deliveryLocation: 'Canary Wharf, 12th floor, desk 12-041' };
const DB_ACCESS = { database: 'PAYMENTS-PROD (PostgreSQL)', accessLevel: 'Read only', justification: 'Month-end reconciliation needs ad-hoc queries on payments' };
const VPN = { accessType: 'Remote working (staff)', startDate: '2026-12-01', justification: 'Working from home two days a week' };

describe('ordering from the catalog', () => {
  it('answers 404 for an unknown item and 400 for a malformed order', async () => {
    expectProblem(await order(reed, 'teleporter', {}), 404, /no catalog item 'teleporter'/);
    expectProblem(await order(reed, 'Laptop!', LAPTOP), 400, undefined, ['body.item']);
    expectProblem(await call(reed, 'POST', '/requests', { item: 'laptop', answers: LAPTOP, urgent: true }), 400, /unknown field\(s\): urgent/, ['body']);
    expectProblem(await call(reed, 'POST', '/requests', { item: 'laptop', answers: 'please' }), 400, undefined, ['body.answers']);
    expectProblem(await call(reed, 'POST', '/requests', { answers: LAPTOP }), 400, undefined, ['body.item']);
  });

  it("lists each answer that does not fit the item's form", async () => {
    const reply = await order(reed, 'laptop', { model: 'Gold-plated', deliveryLocation: 'x', colour: 'red' });
    expectProblem(reply, 400, /some answers to 'Laptop' need correcting/, ['body.answers.model', 'body.answers.reason', 'body.answers.deliveryLocation', 'body.answers.colour']);
    expect(reply.body.errors[3].message).toBe("This form has no field 'colour'");
    expectProblem(await order(reed, 'database-access', { ...DB_ACCESS, justification: 'too short' }), 400, undefined, ['body.answers.justification']);
  });

  it("refuses an item needing the manager's approval when the requester has no manager (422)", async () => {
    expectProblem(await order(rhea, 'laptop', LAPTOP), 422, /no manager is recorded for rhea/);
  });

  it('moves an item without approval straight to fulfilment', async () => {
    const created = ok(await order(rhea, 'password-reset', { system: 'Windows and email', username: 'rhea', contactPhone: '+44 20 7946 0000' }), 201);
    expect(created).toMatchObject({ kind: 'request', state: 'in_fulfilment', approval: null, assignmentGroup: 'service-desk', answers: { lockedOut: false } });
    expect(texts(created)).toEqual(['created rhea: Requested Password reset', 'state_changed rhea: State changed from pending_approval to in_fulfilment: no approval needed']);
  });
});

describe("a manager's approval", () => {
  let number: string;

  it('waits for the manager, who finds it in their approvals and may read it', async () => {
    const created = ok(await order(reed, 'laptop', LAPTOP), 201);
    number = created.number;
    expect(created).toMatchObject({ kind: 'request', state: 'pending_approval', item: 'laptop', itemName: 'Laptop', assignmentGroup: 'desktop', openedBy: 'reed' });
    expect(created.answers).toEqual({ ...LAPTOP, keyboardLayout: 'UK' });
    expect(created.approval).toMatchObject({ outcome: 'pending', current: 0 });
    expect(approvers(created)).toEqual([{ user: 'mona', state: 'pending', delegatedTo: null, decidedBy: null }]);
    expect(created.tasks.map((t: any) => [t.id, t.state, t.group])).toEqual([['T1', 'open', 'desktop'], ['T2', 'open', 'desktop']]);
    expect(texts(created)).toEqual(['created reed: Requested Laptop', 'approval reed: Approval requested from mona']);

    expect(await approvalsOf(mona)).toEqual([number]);
    expect(await approvalsOf(reed)).toEqual([]);
    expect(ok(await get(mona, `/tickets/${number}`)).state).toBe('pending_approval');
    expect(numbers(await get(reed, '/tickets?queue=opened'))).toContain(number);
  });

  it('refuses a vote from someone who is not an approver, a rejection without a comment, and fulfilment before approval (409)', async () => {
    expectProblem(await act(lead, number, 'decide', { decision: 'approve' }), 409, /lead is not an approver of level 'Manager'/);
    expectProblem(await act(mona, number, 'decide', { decision: 'reject' }), 409, /a rejection requires a comment/);
    expectProblem(await act(mona, number, 'decide', { decision: 'reject', comment: '   ' }), 409, /a rejection requires a comment/);
    expectProblem(await act(deb, number, 'complete_task', { task: 'T1', notes: 'done' }), 409, /it is 'pending_approval', and complete task needs 'in_fulfilment'/);
    expectProblem(await act(aud, number, 'decide', { decision: 'approve' }), 403, /approval\.decide/);
    expectProblem(await act(mona, number, 'decide', { decision: 'maybe' }), 400, undefined, ['body.decision']);
    expect(ok(await get(mona, `/tickets/${number}`))).toMatchObject({ state: 'pending_approval', version: 1 });
  });

  it('moves to fulfilment when approved, and is fulfilled when every task is done', async () => {
    const approved = ok(await act(mona, number, 'decide', { decision: 'approve', comment: 'Welcome aboard' }));
    expect(approved).toMatchObject({ state: 'in_fulfilment', approval: { outcome: 'approved', decidedAt: anInstant } });
    expect(approvers(approved)).toEqual([{ user: 'mona', state: 'approved', delegatedTo: null, decidedBy: null }]);
    expect(texts(approved).slice(-2)).toEqual(['approval mona: Approved: Welcome aboard', 'state_changed mona: State changed from pending_approval to in_fulfilment: approved']);
    expect(approved.sla.map((s: any) => [s.metric, s.status])).toEqual([['resolution', 'on_track']]);
    expect(await approvalsOf(mona)).toEqual([]);

    expectProblem(await act(deb, number, 'complete_task', { task: 'T3', notes: 'done' }), 409, new RegExp(`${number} has no task T3; its tasks are T1, T2`));
    expectProblem(await act(deb, number, 'complete_task', { task: 'X1', notes: 'done' }), 400, undefined, ['body.task']);
    expectProblem(await act(deb, number, 'complete_task', { task: 'T1' }), 400, undefined, ['body.notes']);
    const half = ok(await act(deb, number, 'complete_task', { task: 'T1', notes: 'Imaged LDN-LT-004512' }));
    expect(half.state).toBe('in_fulfilment');
    expect(half.tasks[0]).toEqual({ id: 'T1', title: 'Image, encrypt and enrol the laptop', group: 'desktop', assignee: 'deb', state: 'done', completedAt: anInstant, notes: 'Imaged LDN-LT-004512' });
    expectProblem(await act(deb, number, 'complete_task', { task: 'T1', notes: 'again' }), 409, new RegExp(`task T1 of ${number} is already done`));

    const fulfilled = ok(await act(deb, number, 'complete_task', { task: 'T2', notes: 'Handed over at the desk' }));
    expect(fulfilled).toMatchObject({ state: 'fulfilled', fulfilledAt: anInstant });
    expect(fulfilled.tasks.map((t: any) => [t.id, t.state])).toEqual([['T1', 'done'], ['T2', 'done']]);
    expect(texts(fulfilled).slice(-3)).toEqual([
      'task deb: Task T1 done: Imaged LDN-LT-004512',
      'task deb: Task T2 done: Handed over at the desk',
      'state_changed deb: State changed from in_fulfilment to fulfilled: every task is done',
    ]);
    expect(fulfilled.sla.map((s: any) => [s.metric, s.status])).toEqual([['resolution', 'completed']]);
  });

  it('ends rejected, its tasks cancelled, when the manager rejects with a reason', async () => {
    const { number: vpn } = ok(await order(reed, 'vpn-access', VPN), 201);
    expect(await approvalsOf(mona)).toEqual([vpn]);
    const rejected = ok(await act(mona, vpn, 'decide', { decision: 'reject', comment: 'Not in your contract' }));
    expect(rejected).toMatchObject({ state: 'rejected', approval: { outcome: 'rejected' } });
    expect(rejected.tasks.map((t: any) => t.state)).toEqual(['cancelled', 'cancelled']);
    expect(texts(rejected).slice(-2)).toEqual(['approval mona: Rejected: Not in your contract', 'state_changed mona: State changed from pending_approval to rejected: rejected']);
    expectProblem(await act(reed, vpn, 'comment', { text: 'Why?' }), 409, new RegExp(`${vpn} is rejected and accepts no more actions`));
  });

  it('lets the requester cancel their pending request, and the approver only vote on it', async () => {
    const { number: pending } = ok(await order(reed, 'laptop', LAPTOP), 201);
    expectProblem(await act(mona, pending, 'cancel', { reason: 'no budget' }), 403, new RegExp(`only the person who opened ${pending} or an agent may cancel it`));
    expectProblem(await act(rhea, pending, 'cancel', { reason: 'mine now' }), 404);
    const cancelled = ok(await act(reed, pending, 'cancel', { reason: 'Got a spare one from IT' }));
    expect(cancelled).toMatchObject({ state: 'cancelled' });
    expect(cancelled.tasks.map((t: any) => t.state)).toEqual(['cancelled', 'cancelled']);
    expect(texts(cancelled).at(-1)).toBe('state_changed reed: State changed from pending_approval to cancelled: Got a spare one from IT');
    expect(await approvalsOf(mona)).toEqual([]);
    expectProblem(await act(reed, pending, 'cancel', { reason: 'again' }), 409, /is cancelled and accepts no more actions/);
  });
});

describe('a group approval (mode all)', () => {
  it('stays pending until every DBA has approved', async () => {
    const created = ok(await order(reed, 'database-access', DB_ACCESS), 201);
    const { number } = created;
    expect(approvers(created)).toEqual([
      { user: 'dan', state: 'pending', delegatedTo: null, decidedBy: null },
      { user: 'dee', state: 'pending', delegatedTo: null, decidedBy: null },
    ]);
    expect(created.approval.levels[0]).toMatchObject({ name: 'DBA team', mode: { type: 'all' }, state: 'pending' });
    expect(texts(created).at(-1)).toBe('approval reed: Approval requested from dan, dee');
    expect(await approvalsOf(dan)).toEqual([number]);
    expect(await approvalsOf(dee)).toEqual([number]);

    const first = ok(await act(dan, number, 'decide', { decision: 'approve' }));
    expect(first).toMatchObject({ state: 'pending_approval', approval: { outcome: 'pending' } });
    expect(approvers(first).map((a: any) => [a.user, a.state])).toEqual([['dan', 'approved'], ['dee', 'pending']]);
    expect(texts(first).at(-1)).toBe('approval dan: Approved');
    expect(await approvalsOf(dan)).toEqual([]);
    expect(await approvalsOf(dee)).toEqual([number]);
    // dan still sees it (the DBAs fulfil it), but has voted.
    expectProblem(await act(dan, number, 'decide', { decision: 'approve' }), 409, /dan has already approved level 'DBA team'/);

    const second = ok(await act(dee, number, 'decide', { decision: 'approve', comment: 'Read only is fine' }));
    expect(second).toMatchObject({ state: 'in_fulfilment', approval: { outcome: 'approved' } });
    expect(approvers(second).map((a: any) => [a.user, a.state])).toEqual([['dan', 'approved'], ['dee', 'approved']]);
    expect(await approvalsOf(dee)).toEqual([]);
  });
});

describe('delegation', () => {
  let number: string;

  it("hands the manager's vote to a deputy, who then decides", async () => {
    number = ok(await order(reed, 'laptop', LAPTOP), 201).number;
    expectProblem(await act(mona, number, 'delegate', { to: 'ghost' }), 400, /no active user 'ghost'/, ['body.to']);
    expectProblem(await act(mona, number, 'delegate', {}), 400, undefined, ['body.to']);
    expectProblem(await act(mona, number, 'delegate', { to: 'mona' }), 409, /mona cannot delegate to themselves/);
    expectProblem(await act(lead, number, 'delegate', { from: 'mona', to: 'vic' }), 409, /only mona or an admin may delegate mona's vote/);

    const delegated = ok(await act(mona, number, 'delegate', { to: 'vic' }));
    expect(delegated.state).toBe('pending_approval');
    expect(approvers(delegated)).toEqual([{ user: 'mona', state: 'pending', delegatedTo: 'vic', decidedBy: null }]);
    expect(texts(delegated).at(-1)).toBe('approval mona: mona delegated their approval to vic');
    expect(await approvalsOf(vic)).toEqual([number]);
    expect(await approvalsOf(mona)).toEqual([]);
    expectProblem(await act(vic, number, 'delegate', { from: 'vic', to: 'lead' }), 409, /vic holds mona's vote as a delegate and cannot pass it on/);

    expect(ok(await get(vic, `/tickets/${number}`)).number).toBe(number);
    const approved = ok(await act(vic, number, 'decide', { decision: 'approve', comment: 'On behalf of Mona' }));
    expect(approved).toMatchObject({ state: 'in_fulfilment', approval: { outcome: 'approved' } });
    expect(approvers(approved)).toEqual([{ user: 'mona', state: 'approved', delegatedTo: 'vic', decidedBy: 'vic' }]);
    expect(texts(approved).slice(-2)).toEqual(['approval vic: Approved: On behalf of Mona', 'state_changed vic: State changed from pending_approval to in_fulfilment: approved']);
  });

  it('leaves an audit entry for every decision and delegation, and none for refused ones', async () => {
    expectProblem(await get(reed, '/audit'), 403, /audit\.read/);
    const decisions = ok(await get(aud, '/audit?action=request.decide&limit=500')).items;
    const summary = decisions.map((e: any) => `${e.target.id} ${e.actor.name} ${e.outcome} ${e.diff?.state?.after ?? '-'}`).reverse();
    expect(summary).toEqual([
      'REQ0000002 mona success in_fulfilment',
      'REQ0000003 mona success rejected',
      'REQ0000005 dan success -',
      'REQ0000005 dee success in_fulfilment',
      'REQ0000006 vic success in_fulfilment',
    ]);
    expect(decisions.every((e: any) => e.target.type === 'request' && e.actor.type === 'token')).toBe(true);

    const delegations = ok(await get(aud, `/audit?action=request.delegate&targetId=${number}`)).items;
    expect(delegations.map((e: any) => [e.actor.name, e.outcome])).toEqual([['mona', 'success']]);
    const trail = ok(await get(aud, `/audit?targetId=${number}`)).items.map((e: any) => `${e.action} ${e.actor.name}`);
    expect(trail).toEqual(['request.decide vic', 'request.delegate mona', 'request.create reed']);
  });
});

describe('bad input', () => {
  it('is refused with 400 problem+json naming the field', async () => {
    const cases: Array<[() => Promise<Reply>, string[]]> = [
      [() => act(mona, 'REQ0000002', 'decide', { decision: 'approve', vote: 2 }), ['body']],
      [() => act(mona, 'REQ0000002', 'decide', { decision: true }), ['body.decision']],
      [() => act(mona, 'REQ0000002', 'decide', { decision: 'approve', comment: 7 }), ['body.comment']],
      [() => act(mona, 'REQ0000002', 'delegate', { to: '' }), ['body.to']],
      [() => act(mona, 'REQ2', 'decide', { decision: 'approve' }), ['params.number']],
      [() => act(deb, 'REQ0000002', 'assign_task', { task: 'T1' }), ['body.assignee']],
      [() => act(deb, 'REQ0000002', 'complete_task', { task: 1, notes: 'x' }), ['body.task']],
      [() => get(mona, '/tickets?queue=approval'), ['query.queue']],
      [() => get(mona, '/tickets?kind=requests'), ['query.kind']],
      [() => get(mona, '/tickets?queue=approvals&cursor=%7B%7D'), ['query.cursor']],
      [() => get(aud, '/audit?limit=0'), ['query.limit']],
      [() => get(aud, '/audit?target=REQ0000002'), ['query']],
      [() => call(reed, 'POST', '/requests', { item: 'laptop', answers: { model: { $ne: '' } } }), ['body.answers.model.$ne']],
    ];
    for (const [i, [send, fields]] of cases.entries()) {
      const reply = await send();
      expect({ case: i, status: reply.status, fields: reply.body?.errors?.map((e: { field: string }) => e.field) }).toEqual({ case: i, status: 400, fields });
      expectProblem(reply, 400);
    }
  });
});
