/**
 * The web UI against a real API, worker, Temporal and document store: an agent signs in,
 * reports an incident through the form and works it to closed in Chromium
 * (puppeteer-core). Screenshots land in /tmp/flowdesk-ui-*.png.
 */
import type { Page } from 'puppeteer-core';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, textsOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
/** Signed in in the browser; its API token makes the calls that stand for other agents. */
let admin: TestUser;

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser] = await Promise.all([startTestApi(), openBrowser()]);
  page = browser.page;
  admin = await addUser(api.db, 'agent-admin', ['admin']);
  await signIn(page, api.baseUrl, admin);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

const STATE = '[data-testid="state"]';
const TIMELINE = '[data-testid="timeline-entry"]';
const PANEL = '[data-testid="action-panel"]';

interface Created {
  number: string;
  version: number;
}

async function createViaApi(title: string, impact = 3, urgency = 3): Promise<Created> {
  const res = await fetch(`${api.baseUrl}/api/v1/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: admin.bearer },
    body: JSON.stringify({ title, description: '', impact, urgency }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

async function actViaApi(incident: Created, action: string, body: object = {}): Promise<Created> {
  const res = await fetch(`${api.baseUrl}/api/v1/tickets/${incident.number}/actions/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'if-match': `"${incident.version}"`, authorization: admin.bearer },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Created;
}

async function lastTimelineEntry(): Promise<{ kind: string | null; to: string | null; text: string }> {
  return page.$$eval(TIMELINE, (els) => {
    const last = els[els.length - 1]!;
    return { kind: last.getAttribute('data-kind'), to: last.getAttribute('data-to'), text: (last.textContent ?? '').trim() };
  });
}

describe('the incident UI', () => {
  it('reports an incident through the form and works it from new to closed', async () => {
    await page.goto(`${api.baseUrl}/`);
    await waitForPath(page, /^\/incidents$/);
    await waitForText(page, 'h1', /^Incidents$/);
    expect(await textOf(page, '.brand')).toContain('FlowDesk');
    expect(await textOf(page, '[data-testid="user-name"]')).toBe('Agent-admin');

    // An assignment group to route the incident to: the form offers it in a select.
    const group = await fetch(`${api.baseUrl}/api/v1/groups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: admin.bearer },
      body: JSON.stringify({ name: 'service-desk', displayName: 'Service desk', manager: null, members: ['agent-admin'] }),
    });
    expect(group.status).toBe(201);

    // The form: an empty title comes back from the server as a field error and a banner.
    await page.click('.page-actions a[href="/incidents/new"]');
    await waitForPath(page, /^\/incidents\/new$/);
    await page.waitForSelector('select#assignmentGroup option[value="service-desk"]');
    await page.select('#assignmentGroup', 'service-desk');
    await page.select('#impact', '1');
    await page.select('#urgency', '2');
    expect(await textOf(page, '[data-testid="priority-preview"] [data-testid="priority"]')).toMatch(/^P2/);
    await page.select('#urgency', '3');
    expect(await textOf(page, '[data-testid="priority-preview"] [data-testid="priority"]')).toMatch(/^P3/);
    await page.select('#urgency', '1');
    expect(await textOf(page, '[data-testid="priority-preview"] [data-testid="priority"]')).toMatch(/^P1/);
    await fill(page, '#description', 'Checkout answers 502 for every card payment since 09:10.');
    await page.click('button[type="submit"]');
    expect(await waitForText(page, '[data-testid="field-error-title"]', /must not be empty/)).toBeTruthy();
    expect(await textOf(page, '[role="alert"]')).toMatch(/invalid body/);
    expect(await page.$eval('#title', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    await screenshot(page, 'new-incident-error');

    await fill(page, '#title', 'Payments API returns 502');
    await page.click('button[type="submit"]');
    const path = await waitForPath(page, /^\/incidents\/INC\d{7}$/);
    const number = path.split('/').pop()!;
    await waitForText(page, STATE, /^New$/);
    expect(await textOf(page, '[data-testid="incident-title"]')).toBe('Payments API returns 502');
    expect(await textOf(page, '[data-testid="opened-by"]')).toBe('agent-admin');
    expect(await textOf(page, '[data-testid="assignment-group"]')).toBe('service-desk');
    expect(await textOf(page, '[role="status"]')).toContain(`Incident ${number} created with priority P1`);
    await waitForCount(page, TIMELINE, 1);
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'created', text: expect.stringContaining('Incident opened with priority P1') });
    expect(await page.$('[data-testid="action-resolve"]')).toBeNull();

    // Start before anyone is assigned: the workflow refuses and the UI shows why.
    await page.click('[data-testid="action-start"]');
    await waitForText(page, `${PANEL} [role="alert"]`, new RegExp(`cannot start ${number}: assign it to someone first`));
    expect(await textOf(page, STATE)).toBe('New');
    await screenshot(page, 'detail-409');

    await fill(page, '#assignee', 'alice');
    await page.click('[data-testid="action-assign"]');
    await waitForText(page, '[data-testid="assignee"]', /^alice$/);
    await waitForCount(page, TIMELINE, 2);
    expect(await page.$(`${PANEL} [role="alert"]`)).toBeNull();
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'assigned', text: expect.stringContaining('Assigned to alice') });
    expect(await textOf(page, STATE)).toBe('New');

    await page.click('[data-testid="action-start"]');
    await waitForText(page, STATE, /^In progress$/);
    await waitForCount(page, TIMELINE, 3);
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'state_changed', to: 'in_progress', text: expect.stringContaining('State changed from new to in_progress') });
    expect(await page.$('[data-testid="action-start"]')).toBeNull();

    // Resolving without a code and notes: the server's field messages appear by each field.
    await page.click('[data-testid="action-resolve"]');
    await waitForText(page, '[data-testid="field-error-resolutionCode"]', /must not be empty/);
    await waitForText(page, '[data-testid="field-error-resolutionNotes"]', /must not be empty/);
    expect(await textOf(page, `${PANEL} [role="alert"]`)).toMatch(/invalid body/);
    await fill(page, '#resolutionCode', 'Solved (permanently)');
    await fill(page, '#resolutionNotes', 'Rolled back the gateway config; payments succeed again.');
    await page.click('[data-testid="action-resolve"]');
    await waitForText(page, STATE, /^Resolved$/);
    await waitForCount(page, TIMELINE, 4);
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'state_changed', to: 'resolved' });
    expect(await textOf(page, '[data-testid="resolution"]')).toContain('Rolled back the gateway config');
    expect(await page.$('#assignee')).toBeNull();

    await page.click('[data-testid="action-close"]');
    await waitForText(page, STATE, /^Closed$/);
    await waitForCount(page, TIMELINE, 5);
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'state_changed', to: 'closed', text: expect.stringContaining('State changed from resolved to closed') });
    expect(await textOf(page, '[data-testid="closed-note"]')).toMatch(/closed/);
    expect(await page.$$(`${PANEL} button:not(.alert-close)`)).toHaveLength(0);
    await screenshot(page, 'detail-closed');

    // A reload of the deep link is served the SPA and shows the stored incident.
    await page.reload();
    await waitForText(page, STATE, /^Closed$/);
    await waitForCount(page, TIMELINE, 5);

    // Back to the list: the incident is there, closed, and only under the matching filter.
    await page.click('nav[aria-label="Main"] a[href="/incidents"]');
    await waitForPath(page, /^\/incidents$/);
    const row = `[data-testid="incident-row"][data-number="${number}"]`;
    await waitForText(page, `${row} ${STATE}`, /^Closed$/);
    expect(await textOf(page, row)).toContain('Payments API returns 502');
    expect(await textOf(page, row)).toContain('alice');
    await screenshot(page, 'list');

    await page.click('[data-testid="filter-closed"]');
    await waitForText(page, '.filter[aria-current="page"]', /Closed/);
    await waitForCount(page, row, 1);
    await page.click('[data-testid="filter-new"]');
    await waitForText(page, '.filter[aria-current="page"]', /New/);
    await page.waitForSelector('[data-testid="incident-row"], .empty');
    expect(await page.$(row)).toBeNull();

    await page.click('[data-testid="filter-all"]');
    await page.waitForSelector(row);
    await page.click(`${row} td.cell-title`);
    await waitForPath(page, new RegExp(`^/incidents/${number}$`));
    await waitForText(page, STATE, /^Closed$/);
  });

  it('shows the 412 when someone else changed the incident, and reloads it on request', async () => {
    const { number } = await createViaApi('Printer on floor 3 jams');
    await page.goto(`${api.baseUrl}/incidents/${number}`);
    await waitForText(page, STATE, /^New$/);

    // Another agent assigns it meanwhile; this page still shows version 1.
    const behind = await fetch(`${api.baseUrl}/api/v1/tickets/${number}/actions/assign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-match': '"1"', authorization: admin.bearer },
      body: JSON.stringify({ assignee: 'bob' }),
    });
    expect(behind.status).toBe(200);

    await fill(page, '#assignee', 'carol');
    await page.click('[data-testid="action-assign"]');
    const alert = await waitForText(page, `${PANEL} [role="alert"]`, /\S/);
    expect(alert).toMatch(/Precondition failed/);
    expect(alert).toContain(`${number} is at version 2, not 1: reload it and try again`);
    expect(await textOf(page, '[data-testid="assignee"]')).toMatch(/Unassigned/);

    await page.click(`${PANEL} [role="alert"] .btn`);
    await waitForText(page, '[data-testid="assignee"]', /^bob$/);
    expect(await page.$(`${PANEL} [role="alert"]`)).toBeNull();
    await waitForCount(page, TIMELINE, 2);

    // With the fresh version the same action goes through.
    await page.click('[data-testid="action-assign"]');
    await waitForText(page, '[data-testid="assignee"]', /^carol$/);
  });

  it('pages the list with Load more and opens a missing incident with a clear error', async () => {
    const titles = ['VPN drops every few minutes', 'Cannot print to floor 2 printer', 'Laptop battery swollen', 'Shared drive is read-only', 'Password reset emails are late'];
    const created: Created[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const batchOf = Array.from({ length: 10 }, (_, i) => createViaApi(`${titles[i % titles.length]} (#${batch * 10 + i})`, (i % 3) + 1, ((i + batch) % 3) + 1));
      created.push(...(await Promise.all(batchOf)));
    }
    // Some variety for the screenshot: the newest few get assigned, started, resolved.
    const newest = created.slice(-6);
    await Promise.all(
      newest.map(async (incident, i) => {
        if (i % 3 === 0) return;
        let next = await actViaApi(incident, 'assign', { assignee: ['dana', 'eli', 'farah'][i % 3] });
        next = await actViaApi(next, 'start');
        if (i % 3 === 2) await actViaApi(next, 'resolve', { resolutionCode: 'Solved (workaround)', resolutionNotes: 'Restarted the service' });
      }),
    );

    await page.goto(`${api.baseUrl}/incidents`);
    await waitForCount(page, '[data-testid="incident-row"]', 50);
    await screenshot(page, 'list-many', { fullPage: false });
    const total = (await fetchAllNumbers()).length;
    expect(total).toBeGreaterThan(50);

    await page.click('.list-foot button');
    await waitForCount(page, '[data-testid="incident-row"]', Math.min(total, 100));
    const shown = await page.$$eval('[data-testid="incident-row"]', (els) => els.map((el) => el.getAttribute('data-number')));
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(expect.arrayContaining(created.map((c) => c.number)));
    expect(shown).toEqual([...shown].sort().reverse());

    // Narrow screens: the sidebar becomes a top bar and the table still fits.
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${api.baseUrl}/incidents/${newest[5]!.number}`);
    await waitForText(page, STATE, /^Resolved$/);
    await screenshot(page, 'mobile-detail', { fullPage: false });
    await page.goto(`${api.baseUrl}/incidents`);
    await waitForCount(page, '[data-testid="incident-row"]', 50);
    await screenshot(page, 'mobile-list', { fullPage: false });
    await page.setViewport({ width: 1360, height: 900 });

    await page.goto(`${api.baseUrl}/incidents/INC9999999`);
    await waitForText(page, '[role="alert"]', /no incident INC9999999/);
    expect(await textsOf(page, 'h1')).toEqual(['INC9999999']);
  });
});

async function fetchAllNumbers(): Promise<string[]> {
  const numbers: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=200&cursor=${cursor}` : '?limit=200';
    const page = (await (await fetch(`${api.baseUrl}/api/v1/tickets${query}`, { headers: { authorization: admin.bearer } })).json()) as { items: { number: string }[]; nextCursor: string | null };
    numbers.push(...page.items.map((i) => i.number));
    cursor = page.nextCursor;
  } while (cursor);
  return numbers;
}

describe('comments and work notes in the UI', () => {
  it('posts a work note and a comment under the timeline, marking the work note', async () => {
    const created = await createViaApi('Printer queue stuck on floor 4');
    await page.goto(`${api.baseUrl}/incidents/${created.number}`);
    await waitForCount(page, TIMELINE, 1);

    await page.click('[data-testid="post-comment"]');
    await waitForText(page, '#comment-error', /must not be empty/);

    await fill(page, '#comment-text', 'Spooler service hung; restarted it');
    await page.click('[data-testid="work-note"]');
    await page.click('[data-testid="post-comment"]');
    await waitForCount(page, TIMELINE, 2);
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'work_note', text: expect.stringMatching(/^Work note\s*Spooler service hung; restarted it/) });

    await page.click('[data-testid="work-note"]');
    await fill(page, '#comment-text', 'Please try printing again');
    await page.click('[data-testid="post-comment"]');
    await waitForCount(page, TIMELINE, 3);
    expect(await lastTimelineEntry()).toMatchObject({ kind: 'comment', text: expect.stringContaining('Please try printing again') });
    await screenshot(page, 'detail-comments');
  });
});
