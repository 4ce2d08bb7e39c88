/**
 * The alert console in Chromium against a real API and store: alerts delivered through the
 * Alertmanager intake are listed with their CI, filtered by severity; one alert shows its
 * context, labels, history and payload; an operator acknowledges it and gives it back;
 * a silence made from the alert (with its preview) turns it suppressed and is expired
 * from the silences page. A reader without alert.act sees no buttons. The list is live: an
 * alert delivered while it is open appears, counts and leaves without a reload; the CI in a
 * row filters by it; the grouped view opens a group to its alerts; the noise panel gives each
 * source's figures; the maintenance calendar opens and ends windows.
 */
import type { Page } from 'puppeteer-core';
import { issueToken } from '../../store/tokens';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, textsOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
let lead: TestUser;
let reader: TestUser;
let sender: string;
let ciId: string;

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
  sender = `Bearer ${(await issueToken(api.db, 'prometheus', 'prod-alertmanager', ['alert.intake'], null)).token}`;
  const ci = await fetch(`${api.baseUrl}/api/v1/cmdb/cis`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: lead.bearer }, body: JSON.stringify({ class: 'physical_server', attributes: { name: 'db-01', hostname: 'db-01' } }) });
  expect(ci.status).toBe(201);
  ciId = ((await ci.json()) as { id: string }).id;
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

// ---------------------------------------------------------------- live list, grouped view, noise, maintenance

const deliver = async (body: unknown) => {
  const res = await fetch(`${api.baseUrl}/api/v1/alerts/intake/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: sender }, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
};
/** One Alertmanager notification about the LiveProbe alert; `n` makes each body a new delivery. */
const probe = (status: 'firing' | 'resolved', n: number) => ({
  ...fixture('alertmanager-v4-firing'),
  status,
  groupKey: `{}:{alertname="LiveProbe"}#${n}`,
  alerts: [
    {
      status,
      labels: { alertname: 'LiveProbe', instance: 'web-07:9100', job: 'node', severity: 'warning', team: 'web' },
      annotations: { summary: `web-07 probe failing (${n})` },
      startsAt: '2026-12-03T15:00:00Z',
      endsAt: status === 'resolved' ? '2026-12-03T15:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.bank.example:9090/graph',
      fingerprint: 'b7c1d2e3f4a5b6c7',
    },
  ],
});
/** Marks the page; a reload would lose the mark. */
const markPage = () => page.evaluate('window.__noReload = true');
const stillSamePage = async () => expect(await page.evaluate('window.__noReload === true')).toBe(true);

test('the list is live: an alert delivered while it is open appears, counts again and leaves when it resolves, without a reload', async () => {
  await page.goto(`${api.baseUrl}/alerts`);
  await waitForText(page, '[data-testid="alerts-live"]', /Live/);
  await waitForCount(page, '[data-testid="alert-row"]', 2);
  await markPage();
  await deliver(probe('firing', 1));
  await waitForCount(page, '[data-testid="alert-row"]', 3);
  await waitForText(page, '[data-testid="alert-row"][data-new]', /LiveProbe/);
  await deliver(probe('firing', 2));
  await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('[data-testid="alert-row"][data-new] td')].some((td: any) => td.textContent === '2'));
  await screenshot(page, 'alerts-live');
  await deliver(probe('resolved', 3));
  await waitForCount(page, '[data-testid="alert-row"]', 2);
  expect(await textOf(page, '[data-testid="alerts-table"]')).not.toMatch(/LiveProbe/);
  await stillSamePage();
});

test('the CI in a row filters the list by it; source chips filter too', async () => {
  await page.goto(`${api.baseUrl}/alerts?state=`);
  await waitForCount(page, '[data-testid="alert-row"]', 3);
  await click(page, '[data-testid="alert-ci"]');
  await waitForPath(page, /^\/alerts$/);
  await waitForCount(page, '[data-testid="alert-row"]', 1);
  expect(new URL(page.url()).searchParams.get('ci')).toBe(ciId);
  expect(await textOf(page, '[data-testid="filter-ci"]')).toMatch(/CI: db-01/);
  await click(page, '[data-testid="filter-ci"]');
  await waitForCount(page, '[data-testid="alert-row"]', 3);
  await click(page, '[data-testid="filter-source-zabbix"]');
  await waitForCount(page, '[data-testid="alert-row"]', 0);
  await click(page, '[data-testid="filter-source-alertmanager"]');
  await waitForCount(page, '[data-testid="alert-row"]', 3);
});

test('the noise panel gives each source its figures', async () => {
  await page.goto(`${api.baseUrl}/alerts`);
  // Alertmanager: 3 alerts from 4 firing messages (LiveProbe came twice) in 3 groups; LiveProbe resolved by itself.
  await waitForText(page, '[data-testid="noise-source-alertmanager"]', /4 events → 3 alerts → 3 groups/);
  expect(await textOf(page, '[data-testid="noise-source-alertmanager"] [data-testid="noise-dedup"]')).toBe('25%');
  expect(await textOf(page, '[data-testid="noise-source-alertmanager"] [data-testid="noise-correlation"]')).toBe('0%');
  expect(await textOf(page, '[data-testid="noise-source-alertmanager"] [data-testid="noise-auto-resolved"]')).toMatch(/100%\s*\(1\/1\)/);
  await screenshot(page, 'alerts-noise');
});

test('the grouped view: one line per group; a line opens to its alerts', async () => {
  await page.goto(`${api.baseUrl}/alerts?state=`);
  await click(page, '[data-testid="alert-tab-groups"]');
  await waitForPath(page, /^\/alerts\/groups$/);
  await waitForCount(page, '[data-testid="group-row"]', 3);
  expect(await textsOf(page, '[data-testid="group-row"] [data-testid="group-toggle"]')).toEqual(['▸ LiveProbe', expect.stringMatching(/NodeFilesystemAlmostFull/), expect.stringMatching(/NodeFilesystemAlmostFull/)]);
  expect(await textOf(page, '[data-testid="group-row"] [data-testid="group-counts"]')).toMatch(/1 · 1 resolved/);
  await click(page, '[data-testid="group-row"]');
  await waitForCount(page, '[data-testid="group-member"]', 1);
  expect(await textOf(page, '[data-testid="group-member"]')).toMatch(/LiveProbe/);
  // Open states only: the resolved LiveProbe group leaves.
  await click(page, '[data-testid="filter-state-firing"]');
  await waitForCount(page, '[data-testid="group-row"]', 2);
  await screenshot(page, 'alerts-grouped');
});

test('the alert shows its group and the runs its group started', async () => {
  await page.goto(`${api.baseUrl}/alerts?state=resolved`);
  await waitForCount(page, '[data-testid="alert-row"]', 1);
  await click(page, '[data-testid="alert-row"] a');
  await waitForText(page, '[data-testid="alert-runs"]', /started no runbook/);
  await click(page, '[data-testid="alert-group"]');
  await waitForPath(page, /^\/alerts\/groups$/);
  await waitForCount(page, '[data-testid="group-row"]', 1);
});

test('maintenance: a window opened from the calendar shows in the week and the list; a weekly one too; ending one expires it', async () => {
  await page.goto(`${api.baseUrl}/alerts/maintenance`);
  await page.waitForSelector('[data-testid="maintenance-week"]');
  await click(page, '[data-testid="maintenance-new"]');
  // Refused without a scope: the field says why.
  await fill(page, '[data-testid="maintenance-title"]', 'Swap the disk on db-01');
  await click(page, '[data-testid="maintenance-create"]');
  await waitForText(page, '#mw-scope-error', /at least one CI/);
  await fill(page, '[data-testid="maintenance-cis"]', ciId);
  await click(page, '[data-testid="maintenance-create"]');
  await waitForCount(page, '[data-testid="maintenance-row"]', 1);
  const oneOff = await page.$eval('[data-testid="maintenance-row"]', (el) => el.getAttribute('data-window'));
  await page.waitForSelector(`[data-testid="calendar-occurrence"][data-window="${oneOff}"]`);
  expect(await textOf(page, '[data-testid="maintenance-row"]')).toMatch(/active/);

  await click(page, '[data-testid="maintenance-new"]');
  await fill(page, '[data-testid="maintenance-title"]', 'Nightly backups');
  await fill(page, '[data-testid="maintenance-cis"]', ciId);
  await click(page, '[data-testid="maintenance-recurring"]');
  // Every day 02:00–04:00, with no end (a weekly window leaves Ends empty unless given).
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat']) await click(page, `[data-testid="maintenance-day-${day}"]`);
  expect(await page.$eval('[data-testid="maintenance-ends"]', (el) => (el as unknown as { value: string }).value)).toBe('');
  await click(page, '[data-testid="maintenance-create"]');
  await waitForCount(page, '[data-testid="maintenance-row"]', 2);
  await waitForText(page, '[data-testid="maintenance-table"]', /every day 02:00–04:00 \(.+\).*until ended/);
  await screenshot(page, 'alerts-maintenance');

  await click(page, `[data-testid="maintenance-row"][data-window="${oneOff}"] [data-testid="maintenance-end"]`);
  await page.waitForSelector(`[data-testid="maintenance-row"][data-window="${oneOff}"][data-state="expired"]`);
  expect(await page.$(`[data-testid="maintenance-row"][data-window="${oneOff}"] [data-testid="maintenance-end"]`)).toBeNull();
});

test('a reader sees the maintenance calendar but cannot open or end a window', async () => {
  const context = await browser.browser.createBrowserContext();
  const other = await context.newPage();
  await signIn(other, api.baseUrl, reader, '/alerts/maintenance');
  await waitForCount(other, '[data-testid="maintenance-row"]', 2);
  expect(await other.$('[data-testid="maintenance-new"]')).toBeNull();
  expect(await other.$('[data-testid="maintenance-end"]')).toBeNull();
  await context.close();
});
