/**
 * The requester portal against a real API in Chromium: a requester browses and searches
 * the shipped catalog, opens an item and meets the form's rules, checked in the browser
 * by the same validator the server runs. Screenshots land in /tmp/flowdesk-ui-portal-*.png.
 */
import type { HTTPRequest, Page } from 'puppeteer-core';
import { addUser, startTestApi, type TestApi } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, textsOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
/** Orders the page sent to POST /api/v1/requests. */
const orders: { body: unknown; idempotencyKey: string | undefined }[] = [];

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser] = await Promise.all([startTestApi(), openBrowser()]);
  page = browser.page;
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/requests') {
      orders.push({ body: JSON.parse(request.postData() ?? 'null'), idempotencyKey: request.headers()['idempotency-key'] });
    }
  });
  const rita = await addUser(api.db, 'rita', ['requester']);
  expect(await signIn(page, api.baseUrl, rita, '/portal/catalog')).toBe('/portal/catalog');
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

const CARD = '[data-testid="catalog-item"]';
const cardIds = () => page.$$eval(CARD, (els) => els.map((el) => el.getAttribute('data-id')));

/** Waits until the page has sent `count` orders in all. */
async function ordersSent(count: number): Promise<void> {
  for (let waited = 0; orders.length < count; waited += 50) {
    if (waited > 10_000) throw new Error(`the page sent ${orders.length} orders, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const valueOf = (selector: string) => page.$eval(selector, (el) => (el as unknown as { value: string }).value);

describe('the service catalog', () => {
  it('lists the items, filters by category and searches as the requester types', async () => {
    await waitForCount(page, CARD, 7);
    expect(await textsOf(page, 'h1')).toEqual(['Service catalog']);
    expect(await page.$eval('[data-testid="nav-catalog"]', (el) => el.getAttribute('aria-current'))).toBe('page');
    expect(await cardIds()).toEqual(['password-reset', 'laptop', 'software-installation', 'vpn-access', 'shared-mailbox', 'new-starter', 'database-access']);
    expect(await textOf(page, `${CARD}[data-id="database-access"]`)).toContain('Needs approval');
    expect(await textOf(page, `${CARD}[data-id="password-reset"]`)).toContain('No approval needed');
    await screenshot(page, 'portal-catalog');

    await page.click('[data-testid="category"][data-category="Access"]');
    await waitForPath(page, /^\/portal\/catalog$/);
    await waitForCount(page, CARD, 2);
    expect(new URL(page.url()).searchParams.get('category')).toBe('Access');
    expect(await cardIds()).toEqual(['vpn-access', 'database-access']);

    await page.type('[data-testid="catalog-search"]', 'remote');
    await waitForCount(page, CARD, 1);
    expect(await cardIds()).toEqual(['vpn-access']);
    expect(await textOf(page, '[data-testid="catalog-count"]')).toBe('1 item in Access matching “remote”');

    await page.click('[data-testid="category-all"]');
    await fill(page, '[data-testid="catalog-search"]', 'laptops');
    await waitForText(page, '[data-testid="catalog-count"]', /matching “laptops”/);
    expect((await cardIds())[0]).toBe('laptop');

    await fill(page, '[data-testid="catalog-search"]', 'teleporter');
    await waitForText(page, '.empty-title', /Nothing matches/);
    await page.click('.empty .btn');
    await waitForCount(page, CARD, 7);
    expect(await valueOf('[data-testid="catalog-search"]')).toBe('');
  });

  it('opens an item from its card and says what happens after ordering', async () => {
    await page.goto(`${api.baseUrl}/portal/catalog?q=vpn`);
    await waitForCount(page, CARD, 1);
    await page.click(`${CARD}[data-id="vpn-access"]`);
    await waitForPath(page, /^\/portal\/catalog\/vpn-access$/);
    await waitForText(page, 'h1', /^VPN access$/);
    expect(await textOf(page, '[data-testid="item-description"]')).toContain('Remote access to the bank network');
    expect(await textOf(page, '[data-testid="approval-note"]')).toBe('Your manager approves the request first.');
    expect(await textOf(page, '[data-testid="order-next"]')).toContain('Add the user to the VPN access group');
    expect(await textsOf(page, '[data-testid="schema-form"] .field > label')).toEqual([
      'Access type* (required)',
      'Start date* (required)',
      'End date',
      'Second factor',
      'Business justification* (required)',
    ]);
    expect(await page.$eval('#answer-startDate', (el) => el.getAttribute('type'))).toBe('date');
    expect(await page.$eval('#answer-justification', (el) => el.tagName)).toBe('TEXTAREA');
    expect(await valueOf('#answer-tokenType')).toBe('Authenticator app');
  });

  it('checks an invalid form in the browser, by the field, keeping what was typed', async () => {
    await page.goto(`${api.baseUrl}/portal/catalog/vpn-access`);
    await page.waitForSelector('[data-testid="schema-form"]');
    await page.select('#answer-accessType', 'Contractor or vendor');
    await page.type('#answer-justification', 'Audit work');
    // Leaving the field shows its problem at once.
    await page.click('#answer-endDate');
    await waitForText(page, '[data-testid="field-error-answer-justification"]', /^Business justification must be at least 20 characters \(it has 10\)$/);
    expect(await page.$('[data-testid="field-error-answer-startDate"]')).toBeNull();

    await page.click('[data-testid="schema-form-submit"]');
    await waitForText(page, '[data-testid="field-error-answer-startDate"]', /^Start date is required$/);
    expect(await textOf(page, '[data-testid="schema-form-summary"]')).toBe('2 fields need your attention.');
    expect(await page.$eval('#answer-startDate', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('answer-startDate');
    expect(await valueOf('#answer-accessType')).toBe('Contractor or vendor');
    expect(await valueOf('#answer-justification')).toBe('Audit work');
    expect(orders).toHaveLength(0);
    await screenshot(page, 'portal-order-invalid');

    // Fixing a field clears its message as the requester types.
    await page.type('#answer-justification', ' for the Q3 payments review');
    await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-testid="field-error-answer-justification"]'));
    expect(await textOf(page, '[data-testid="schema-form-summary"]')).toBe('One field needs your attention.');
  });

  it("shows the server's field errors next to the fields and keeps the answers", async () => {
    // The server refuses with a rule the browser cannot know; its answer follows the API contract.
    const refuse = (request: HTTPRequest) => {
      if (request.isInterceptResolutionHandled()) return;
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/requests') {
        void request.respond({
          status: 400,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            type: 'about:blank',
            title: 'Invalid request',
            status: 400,
            detail: 'invalid body: answers.database: you already hold access to this database until 2026-04-30',
            requestId: 'test',
            errors: [{ field: 'body.answers.database', message: 'You already hold access to this database until 2026-04-30' }],
          }),
        });
      } else void request.continue();
    };
    await page.setRequestInterception(true);
    page.on('request', refuse);
    try {
      await page.goto(`${api.baseUrl}/portal/catalog/database-access`);
      await page.waitForSelector('[data-testid="schema-form"]');
      expect(await textOf(page, '[data-testid="approval-note"]')).toBe('Every member of the dba group approves the request first.');
      await page.select('#answer-database', 'PAYMENTS-PROD (PostgreSQL)');
      await fill(page, '#answer-durationDays', '14');
      await page.type('#answer-justification', 'Month-end reconciliation of settled payments needs ad-hoc queries.');
      await page.click('[data-testid="schema-form-submit"]');

      await waitForText(page, '[data-testid="field-error-answer-database"]', /^You already hold access to this database until 2026-04-30$/);
      expect(await textOf(page, '[data-testid="error-detail"]')).toMatch(/already hold access/);
      expect(await valueOf('#answer-database')).toBe('PAYMENTS-PROD (PostgreSQL)');
      expect(await valueOf('#answer-durationDays')).toBe('14');
      expect(await valueOf('#answer-justification')).toBe('Month-end reconciliation of settled payments needs ad-hoc queries.');
      expect(await page.$eval('[data-testid="schema-form-submit"]', (el) => (el as unknown as { disabled: boolean }).disabled)).toBe(false);
      expect(new URL(page.url()).pathname).toBe('/portal/catalog/database-access');
      await ordersSent(1);
      expect(orders[0]).toEqual({
        body: {
          item: 'database-access',
          answers: { database: 'PAYMENTS-PROD (PostgreSQL)', accessLevel: 'Read only', durationDays: 14, justification: 'Month-end reconciliation of settled payments needs ad-hoc queries.' },
        },
        idempotencyKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      await screenshot(page, 'portal-order-server-error');

      // The same order again reuses its Idempotency-Key, so a retry never opens a second request.
      await page.click('[data-testid="schema-form-submit"]');
      await ordersSent(2);
      await waitForCount(page, '[data-testid="field-error-answer-database"]', 1);
      expect(orders[1]!.idempotencyKey).toBe(orders[0]!.idempotencyKey);

      // Changing the field retires the server's message for it; the changed order gets a new key.
      await page.select('#answer-database', 'PAYMENTS-UAT (PostgreSQL)');
      await waitForCount(page, '[data-testid="field-error-answer-database"]', 0);
      await page.click('[data-testid="schema-form-submit"]');
      await ordersSent(3);
      await waitForCount(page, '[data-testid="field-error-answer-database"]', 1);
      expect(orders[2]!.idempotencyKey).not.toBe(orders[0]!.idempotencyKey);
    } finally {
      page.off('request', refuse);
      await page.setRequestInterception(false);
    }
  });

  it('explains an unknown item', async () => {
    await page.goto(`${api.baseUrl}/portal/catalog/teleporter`);
    await waitForText(page, '[data-testid="error-detail"]', /there is no catalog item 'teleporter'/);
    expect(await textsOf(page, 'h1')).toEqual(['No such item']);
    await page.click('.eyebrow a');
    await waitForPath(page, /^\/portal\/catalog$/);
    await waitForCount(page, CARD, 7);
  });
});
