/**
 * The agent console, the ticket page and the requester's views against a real API, worker,
 * Temporal and document store, in Chromium (puppeteer-core). Each person has their own
 * browser session: the agent, the requester and the requester's manager. Screenshots land
 * in /tmp/flowdesk-ui-console-*.png.
 */
import type { Page } from 'puppeteer-core';
import { userModel } from '../../store/users';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, textsOf, waitForCount, waitForPath, waitForText } from './browser';

// The root tsconfig has no DOM lib: the browser globals the in-page callbacks below use.
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
declare const location: { search: string };

let api: TestApi;
let browser: TestBrowser;
/** Alex, an agent in the network and service-desk groups. */
let agent: Page;
/** Rita, a requester whose manager is Mona. */
let requester: Page;
let alex: TestUser;
let rita: TestUser;
let mona: TestUser;

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser] = await Promise.all([startTestApi(), openBrowser()]);
  alex = await addUser(api.db, 'alex', ['agent'], ['network', 'service-desk']);
  await addUser(api.db, 'bob', ['agent'], ['service-desk']);
  rita = await addUser(api.db, 'rita', ['requester']);
  mona = await addUser(api.db, 'mona', ['requester']);
  await userModel(api.db).updateOne({ _id: 'rita' }, { $set: { manager: 'mona' } }).exec();
  agent = browser.page;
  requester = await newSession();
  // '/' leads agents to the console and everyone else to the portal.
  await signIn(agent, api.baseUrl, alex);
  await waitForPath(agent, /^\/console$/);
  await signIn(requester, api.baseUrl, rita);
  await waitForPath(requester, /^\/portal\/catalog$/);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

/** A second, separate session (its own cookies) in the same browser. */
async function newSession(): Promise<Page> {
  const context = await browser.browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => browser.pageErrors.push(error instanceof Error ? error.message : String(error)));
  return page;
}

const STATE = '.ticket-summary [data-testid="state"]';
const NOTICE = '[data-testid="notice"]';
const ROW = (number: string) => `[data-testid="ticket-row"][data-number="${number}"]`;
const valueOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as unknown as { value: string }).value);

async function apiPost(path: string, user: TestUser, body: object): Promise<{ number: string; version: number }> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: user.bearer }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { number: string; version: number };
}

describe('the agent console and the ticket page', () => {
  it('opens an incident from the form, keeping the input on a field error, and finds it in a queue', async () => {
    await agent.click('[data-testid="nav-new-incident"]');
    await waitForPath(agent, /^\/tickets\/new$/);
    await agent.waitForSelector('select#assignmentGroup option[value="service-desk"]');
    await fill(agent, '#description', 'The nightly payroll export stops after 30 minutes.');
    await agent.select('#assignmentGroup', 'service-desk');
    await agent.click('[data-testid="create-ticket"]');
    await waitForText(agent, '[data-testid="field-error-title"]', /must not be empty/);
    expect(await valueOf(agent, '#description')).toBe('The nightly payroll export stops after 30 minutes.');
    expect(await valueOf(agent, '#assignmentGroup')).toBe('service-desk');

    await fill(agent, '#title', 'Payroll export times out');
    await agent.click('[data-testid="create-ticket"]');
    const number = (await waitForPath(agent, /^\/tickets\/INC\d{7}$/)).split('/').pop()!;
    await waitForText(agent, NOTICE, new RegExp(`Incident ${number} opened`));
    await waitForText(agent, STATE, /^New$/);
    expect(await textOf(agent, '[data-testid="assignment-group"]')).toBe('service-desk');

    await agent.click('[data-testid="nav-console"]');
    await agent.click('[data-testid="queue-my_groups"]');
    await agent.waitForSelector(ROW(number));
    // "/" jumps to the search box; a number finds exactly that ticket.
    await agent.keyboard.press('/');
    await agent.keyboard.type(number);
    await agent.waitForFunction((n: string) => new URLSearchParams(location.search).get('q') === n, {}, number);
    await waitForCount(agent, '[data-testid="ticket-row"]', 1);
    expect(await textOf(agent, ROW(number))).toContain('Payroll export times out');
  });

  it('works a reported incident by keyboard, waits for the caller, follows the reply live and resolves it', async () => {
    // Rita reports it from the portal; the assignment rules route VPN trouble to network.
    await requester.click('[data-testid="nav-report"]');
    await waitForPath(requester, /^\/tickets\/new$/);
    await fill(requester, '#title', 'VPN drops every few minutes');
    await fill(requester, '#description', 'Since this morning the VPN disconnects every 5 to 10 minutes.');
    await requester.click('[data-testid="create-ticket"]');
    const number = (await waitForPath(requester, /^\/tickets\/INC\d{7}$/)).split('/').pop()!;
    await waitForText(requester, STATE, /^New$/);

    // Alex finds it among the unassigned, moves with j/k and opens it with Enter.
    await agent.goto(`${api.baseUrl}/console`);
    await agent.waitForSelector('[data-testid="queue-unassigned"]');
    await agent.click('[data-testid="queue-unassigned"]');
    await agent.waitForSelector(ROW(number));
    expect(await agent.$eval(ROW(number), (el) => el.getAttribute('data-active'))).toBe('true');
    await agent.keyboard.press('j');
    await agent.keyboard.press('k');
    await agent.waitForFunction((sel: string) => document.querySelector(sel)?.getAttribute('data-active') === 'true', {}, ROW(number));
    await agent.keyboard.press('?');
    await agent.waitForSelector('[data-testid="shortcut-help"]');
    await screenshot(agent, 'console-shortcuts', { fullPage: false });
    await agent.keyboard.press('Escape');
    await agent.waitForSelector('[data-testid="shortcut-help"]', { hidden: true });
    await agent.keyboard.press('Enter');
    await waitForPath(agent, new RegExp(`^/tickets/${number}$`));
    await waitForText(agent, '[data-testid="assignment-group"]', /^network$/);
    await waitForText(agent, '[data-testid="live-status"]', /Live/);

    // a: assign to me; then start, and hold awaiting the caller, which needs a comment.
    // The page may show a change through its live stream before the action answers: the
    // notice says the action itself is done.
    await agent.keyboard.press('a');
    await waitForText(agent, NOTICE, /Assigned to you/);
    expect(await textOf(agent, '[data-testid="assignee"]')).toBe('alex');
    await agent.click('[data-testid="action-start"]');
    await waitForText(agent, NOTICE, /Work started/);
    expect(await textOf(agent, STATE)).toBe('In progress');
    await agent.click('[data-testid="action-hold"]');
    await agent.waitForSelector('[data-testid="form-hold"]');
    await agent.click('[data-testid="submit-hold"]');
    await waitForText(agent, '[data-testid="field-error-hold-comment"]', /what you need/);
    await agent.type('#hold-comment', 'Which VPN client version do you run?');
    await agent.click('[data-testid="submit-hold"]');
    await waitForText(agent, NOTICE, /On hold: awaiting caller/);
    expect(await textOf(agent, STATE)).toBe('On hold');
    expect(await textOf(agent, '[data-testid="hold-reason"]')).toBe('Awaiting caller');
    await agent.waitForSelector('[data-testid="sla-clock"][data-status="paused"]');
    await screenshot(agent, 'console-ticket-on-hold');

    // Rita's page follows by itself: she sees the question and replies.
    await waitForText(requester, '[data-testid="awaiting-you"]', /waiting for your reply/);
    const question = await textsOf(requester, '[data-testid="timeline-entry"][data-kind="comment"]');
    expect(question.join('\n')).toContain('Which VPN client version do you run?');
    await requester.type('#comment-text', 'Client 5.1.2 on Windows 11.');
    await requester.click('[data-testid="post-comment"]');
    await waitForText(requester, STATE, /^In progress$/);
    await screenshot(requester, 'console-requester-reply');

    // Alex's page updates live (server-sent events): back in progress, with her reply.
    await waitForText(agent, STATE, /^In progress$/);
    expect((await textsOf(agent, '[data-testid="timeline-entry"][data-kind="comment"]')).join('\n')).toContain('Client 5.1.2 on Windows 11.');

    // r: the resolve form; notes missing comes back from the server by the field, input kept.
    await agent.keyboard.press('r');
    await agent.waitForSelector('[data-testid="form-resolve"]');
    await agent.type('#resolve-code', 'Solved (permanently)');
    await agent.click('[data-testid="submit-resolve"]');
    await waitForText(agent, '[data-testid="field-error-resolve-notes"]', /must not be empty/);
    expect(await valueOf(agent, '#resolve-code')).toBe('Solved (permanently)');
    await agent.type('#resolve-notes', 'Upgraded the VPN client to 5.2, which keeps the tunnel alive.');
    await agent.click('[data-testid="submit-resolve"]');
    await waitForText(agent, NOTICE, new RegExp(`${number} resolved`));
    expect(await textOf(agent, STATE)).toBe('Resolved');
    expect(await textOf(agent, '[data-testid="resolution"]')).toContain('Upgraded the VPN client');
    // Escape closes an open form.
    await agent.click('[data-testid="action-reopen"]');
    await agent.waitForSelector('[data-testid="form-reopen"]');
    await agent.keyboard.press('Escape');
    await agent.waitForSelector('[data-testid="form-reopen"]', { hidden: true });
  });

  it('assigns two tickets in bulk and keeps the failing row with its error', async () => {
    const inNetwork = await apiPost('/incidents', alex, { title: 'Printer on floor 2 offline', impact: 3, urgency: 3, assignmentGroup: 'network' });
    const inDesk = await apiPost('/incidents', alex, { title: 'Printer toner empty on floor 5', impact: 3, urgency: 3, assignmentGroup: 'service-desk' });

    await agent.goto(`${api.baseUrl}/console?queue=all&q=printer`);
    await waitForCount(agent, '[data-testid="ticket-row"]', 2);
    // x selects the active row; j moves to the next.
    await agent.keyboard.press('x');
    await agent.keyboard.press('j');
    await agent.keyboard.press('x');
    await waitForText(agent, '[data-testid="bulk-count"]', /^2 selected$/);
    await agent.click('[data-testid="bulk-assign"]');
    await agent.waitForSelector('#bulk-assignee option[value="bob"]');
    await agent.select('#bulk-assignee', 'bob');
    await agent.click('[data-testid="bulk-submit"]');

    await waitForText(agent, '[data-testid="bulk-summary"]', /^1 of 2 done, 1 failed$/);
    const failed = `[data-testid="bulk-result"][data-number="${inNetwork.number}"]`;
    expect(await agent.$eval(failed, (el) => el.getAttribute('data-status'))).toBe('failed');
    expect(await textOf(agent, failed)).toMatch(/bob is not a member of 'network'/);
    expect(await agent.$eval(`[data-testid="bulk-result"][data-number="${inDesk.number}"]`, (el) => el.getAttribute('data-status'))).toBe('done');
    expect(await textOf(agent, `${ROW(inDesk.number)} [data-testid="row-assignee"]`)).toBe('bob');
    // The failed row stays selected, marked, ready for another try.
    expect(await agent.$eval(`${ROW(inNetwork.number)} [data-testid="row-result"]`, (el) => el.getAttribute('data-status'))).toBe('failed');
    expect(await agent.$eval(`${ROW(inNetwork.number)} [data-testid="row-select"]`, (el) => (el as unknown as { checked: boolean }).checked)).toBe(true);
    expect(await textOf(agent, '[data-testid="bulk-count"]')).toBe('1 selected');
    await screenshot(agent, 'console-bulk');
  });

  it('saves a view that survives a reload, and deletes it', async () => {
    await agent.goto(`${api.baseUrl}/console`);
    await agent.waitForSelector('[data-testid="queue-all"]');
    await agent.click('[data-testid="queue-all"]');
    await agent.waitForSelector('#filter-group option[value="network"]');
    await agent.select('#filter-kind', 'incident');
    await agent.waitForFunction(() => new URLSearchParams(location.search).get('kind') === 'incident');
    await agent.select('#filter-group', 'network');
    await agent.waitForFunction(() => new URLSearchParams(location.search).get('group') === 'network');
    await agent.click('[data-testid="save-view-button"]');
    await agent.type('[data-testid="view-name"]', 'Network incidents');
    await agent.click('[data-testid="save-view"]');
    const view = '[data-testid="saved-view"][data-name="Network incidents"]';
    expect(await agent.$eval(view, (el) => el.getAttribute('aria-current'))).toBe('page');

    await agent.goto(`${api.baseUrl}/console`);
    await agent.reload();
    await agent.waitForSelector(view);
    await agent.click(`${view} a`);
    await agent.waitForFunction(() => new URLSearchParams(location.search).get('group') === 'network');
    expect(new URL(agent.url()).searchParams.get('queue')).toBe('all');
    expect(await valueOf(agent, '#filter-kind')).toBe('incident');
    await agent.waitForSelector('[data-testid="ticket-row"]');
    expect(await textsOf(agent, '[data-testid="ticket-row"] td:nth-child(7)')).toEqual(expect.arrayContaining(['network']));
    await screenshot(agent, 'console-saved-view');

    await agent.click(`${view} [data-testid="delete-view"]`);
    await agent.waitForSelector(view, { hidden: true });
    await agent.reload();
    await agent.waitForSelector('[data-testid="queue-all"]');
    expect(await agent.$(view)).toBeNull();
  });
});

describe('known errors', () => {
  it('finds a known error from the incident title and links the incident to its problem', async () => {
    const gina = await addUser(api.db, 'gina', ['group_manager'], ['network']);
    let problem = await apiPost('/problems', gina, { title: 'VPN tunnel drops when the client idles', description: 'Sessions end after a few idle minutes.', impact: 2, urgency: 2, assignmentGroup: 'network' });
    for (const [action, body] of [
      ['assign', { assignee: 'gina' }],
      ['start', {}],
      ['analyse', { rootCause: 'The concentrator ends sessions idle for 5 minutes.', workaround: 'Enable keep-alive in the VPN client settings.' }],
      ['publish_known_error', {}],
    ] as const) {
      const res = await fetch(`${api.baseUrl}/api/v1/tickets/${problem.number}/actions/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'if-match': `"${problem.version}"`, authorization: gina.bearer },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      problem = (await res.json()) as typeof problem;
    }
    const incident = await apiPost('/incidents', alex, { title: 'VPN tunnel drops after idle', impact: 3, urgency: 3, assignmentGroup: 'network' });

    await agent.goto(`${api.baseUrl}/tickets/${incident.number}`);
    await agent.waitForSelector('[data-testid="known-error-search"]');
    expect(await valueOf(agent, '[data-testid="known-error-search"]')).toBe('vpn tunnel drops');
    const found = `[data-testid="known-error"][data-number="${problem.number}"]`;
    await waitForText(agent, found, /Enable keep-alive in the VPN client settings/);
    await screenshot(agent, 'console-known-error');
    await agent.click(`${found} [data-testid="link-known-error"]`);
    await waitForText(agent, '[data-testid="problem-link"]', new RegExp(`^${problem.number}$`));
    await waitForText(agent, found, /Linked ✓/);

    // A DOM click: the "Linked" notice may still cover the link where a mouse click would land.
    await agent.$eval('[data-testid="problem-link"] a', (link) => (link as unknown as { click(): void }).click());
    await waitForPath(agent, new RegExp(`^/tickets/${problem.number}$`));
    await waitForText(agent, STATE, /^Known error$/);
    expect(await textOf(agent, '[data-testid="root-cause"]')).toContain('idle for 5 minutes');
    await waitForText(agent, '[data-testid="linked-incidents"]', new RegExp(incident.number));
  });
});

describe('ordering with approval', () => {
  it('lets the manager batch-approve what the requester ordered, which moves on to fulfilment', async () => {
    // One order through the portal, one through the API: both wait for Mona.
    await requester.goto(`${api.baseUrl}/portal/catalog/laptop`);
    await requester.waitForSelector('#answer-reason');
    await requester.select('#answer-reason', 'New starter');
    await requester.type('#answer-deliveryLocation', 'Canary Wharf, 12th floor, desk 12-041');
    await requester.click('[data-testid="schema-form-submit"]');
    const number = (await waitForPath(requester, /^\/tickets\/REQ\d{7}$/)).split('/').pop()!;
    await waitForText(requester, STATE, /^Awaiting approval$/);
    await requester.waitForSelector('[data-testid="approver"][data-user="mona"][data-state="pending"]');
    const second = await apiPost('/requests', rita, { item: 'laptop', answers: { model: 'Standard 14-inch', reason: 'Additional device', deliveryLocation: 'Floor 3, desk 3-014' } });

    const manager = await newSession();
    await signIn(manager, api.baseUrl, mona);
    await waitForPath(manager, /^\/portal\/catalog$/);
    await waitForText(manager, '[data-testid="approvals-count"]', /^2$/);
    await manager.click('[data-testid="nav-approvals"]');
    await waitForPath(manager, /^\/portal\/approvals$/);
    await waitForCount(manager, '[data-testid="approval-card"]', 2);
    expect(await textOf(manager, `[data-testid="approval-card"][data-number="${number}"]`)).toContain('Canary Wharf, 12th floor, desk 12-041');

    // Rejecting in a batch needs a comment; approving does not, but one is kept.
    await manager.click('[data-testid="select-all-approvals"]');
    await manager.click('[data-testid="batch-reject"]');
    await waitForText(manager, '#batch-comment-error', /Say why/);
    await manager.type('#batch-comment', 'Fine for the new team members.');
    await screenshot(manager, 'console-approvals');
    await manager.click('[data-testid="batch-approve"]');
    for (const n of [number, second.number]) {
      await waitForText(manager, `[data-testid="approval-card"][data-number="${n}"] [data-testid="approval-result"]`, /Approved/);
    }
    await manager.waitForSelector('[data-testid="approvals-count"]', { hidden: true });

    // Rita's page follows: approved by Mona, with the comment, and in fulfilment.
    await waitForText(requester, STATE, /^In fulfilment$/);
    await requester.waitForSelector('[data-testid="approver"][data-user="mona"][data-state="approved"]');
    expect(await textOf(requester, '[data-testid="approver"][data-user="mona"]')).toContain('Fine for the new team members.');
    await requester.click('[data-testid="nav-mine"]');
    await waitForText(requester, `[data-testid="my-ticket"][data-number="${second.number}"] [data-testid="state"]`, /^In fulfilment$/);
    await screenshot(requester, 'console-my-requests');
  });
});
