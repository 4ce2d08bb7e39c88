/**
 * The alert console in Chromium against a real API and store: alerts delivered through the
 * Alertmanager intake are listed with their CI, filtered by severity; one alert shows its
 * context, labels, history and payload; an operator acknowledges it and gives it back;
 * a silence made from the alert (with its preview) turns it suppressed and is expired
 * from the silences page. A reader without alert.act sees no buttons.
 */
import type { Page } from 'puppeteer-core';
import { issueToken } from '../../store/tokens';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
let lead: TestUser;
let reader: TestUser;

const fixture = (name: string) => structuredClone(require(`../fixtures/alerts/${name}.json`));

async function click(target: Page, selector: string): Promise<void> {
  await target.waitForSelector(selector);
  await target.click(selector);
}

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser] = await Promise.all([startTestApi(), openBrowser()]);
  page = browser.page;
  lead = await addUser(api.db, 'lee', ['group_manager', 'cmdb_editor']);
  reader = await addUser(api.db, 'vera', ['auditor']);
  await addUser(api.db, 'prometheus', ['alert_sender']);
  const sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'prod-alertmanager', ['alert.intake'], null)).token}`;
  const ci = await fetch(`${api.baseUrl}/api/v1/cmdb/cis`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: lead.bearer }, body: JSON.stringify({ class: 'physical_server', attributes: { name: 'db-01', hostname: 'db-01' } }) });
  expect(ci.status).toBe(201);
  const body = fixture('alertmanager-v4-firing');
  body.alerts[1].labels.severity = 'warning';
  const res = await fetch(`${api.baseUrl}/api/v1/alerts/intake/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: sender }, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

test('the list shows open alerts with their CI; severity filters it', async () => {
  await signIn(page, api.baseUrl, lead, '/alerts');
  await waitForPath(page, /^\/alerts$/);
  await waitForCount(page, '[data-testid="alert-row"]', 2);
  await waitForText(page, '[data-testid="alerts-table"]', /db-01/);
  await click(page, '[data-testid="filter-severity-critical"]');
  await waitForCount(page, '[data-testid="alert-row"]', 1);
  expect(await textOf(page, '[data-testid="alert-row"]')).toMatch(/NodeFilesystemAlmostFull/);
  await screenshot(page, 'alerts-console');
});

test('one alert: context, labels, history, payload; acknowledge and give back', async () => {
  await page.goto(`${api.baseUrl}/alerts?state=firing&label=team%3Ddba`);
  await waitForCount(page, '[data-testid="alert-row"]', 1);
  await click(page, '[data-testid="alert-row"] a');
  await waitForPath(page, /^\/alerts\/[0-9a-f]{64}%23\d+$|^\/alerts\/[0-9a-f]{64}#\d+$/);
  await waitForText(page, '[data-testid="alert-context"]', /db-01/);
  expect(await textOf(page, '[data-testid="alert-context"]')).toMatch(/resource\.host = db-01/);
  expect(await textOf(page, '[data-testid="alert-labels"]')).toMatch(/team=dba/);
  expect(await textOf(page, '[data-testid="alert-history"]')).toMatch(/firing — fired/);
  await click(page, '[data-testid="alert-acknowledge"]');
  await waitForText(page, '[data-testid="alert-facts"]', /acknowledged.*by lee/);
  await click(page, '[data-testid="alert-unacknowledge"]');
  await waitForText(page, '[data-testid="alert-state"]', /firing/);
  await screenshot(page, 'alert-detail');
});

test('silence like this: a preview, then the alert is suppressed; expired from the silences page', async () => {
  await click(page, '[data-testid="alert-silence"]');
  await page.waitForSelector('[data-testid="silence-form"]');
  expect(await page.$eval('[data-testid="silence-matchers"]', (el) => (el as unknown as { value: string }).value)).toMatch(/alertname="NodeFilesystemAlmostFull"/);
  await fill(page, '[data-testid="silence-matchers"]', '{team="dba"}');
  await click(page, '[data-testid="silence-preview-button"]');
  await waitForText(page, '[data-testid="silence-preview"]', /Matches 1 open alert/);
  // Without a reason the server refuses, naming the field.
  await click(page, '[data-testid="silence-create"]');
  await waitForText(page, '#silence-comment-error', /must say why/);
  await fill(page, '[data-testid="silence-comment"]', 'CHG0000042: disk swap');
  await click(page, '[data-testid="silence-create"]');
  await waitForText(page, '[data-testid="alert-state"]', /suppressed/);
  await page.goto(`${api.baseUrl}/alerts/silences`);
  await waitForCount(page, '[data-testid="silence-row"]', 1);
  await click(page, '[data-testid="silence-expire"]');
  await waitForText(page, '[data-testid="silence-row"]', /expired/);
});

test('a reader sees alerts but no buttons', async () => {
  const context = await browser.browser.createBrowserContext();
  const other = await context.newPage();
  await signIn(other, api.baseUrl, reader, '/alerts?state=firing');
  await waitForCount(other, '[data-testid="alert-row"]', 2);
  await click(other, '[data-testid="alert-row"] a');
  await other.waitForSelector('[data-testid="alert-facts"]');
  expect(await other.$('[data-testid="alert-acknowledge"]')).toBeNull();
  expect(await other.$('[data-testid="alert-silence"]')).toBeNull();
  await context.close();
});
