/**
 * Discovery in the web UI against a real API, worker, Temporal, store and Net-SNMP agent,
 * in Chromium: a CMDB admin creates a sync job in the JSON editor (fixing what the server
 * refuses), runs jobs and follows their reports; a reader sees jobs and runs, nothing to change.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { type Snmpd, startSnmpd } from '../setup/snmpd';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textsOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
let admin: TestUser;
let reader: TestUser;
let snmpd: Snmpd;
let feed: http.Server;
let feedUrl: string;

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser, snmpd] = await Promise.all([startTestApi(), openBrowser(), startSnmpd({ sysName: 'edge-sw9', sysObjectId: '1.3.6.1.4.1.30065.1.3011' })]);
  page = browser.page;
  admin = await addUser(api.db, 'cmdb-boss', ['cmdb_admin', 'automation_admin']);
  reader = await addUser(api.db, 'olga', ['automation_operator']);
  feed = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ host: 'feed-vm-1' }, { host: 'feed-vm-2' }])));
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/vms`;
}, 60_000);

afterAll(async () => {
  feed?.close();
  await browser?.close();
  await Promise.all([api?.stop(), snmpd?.stop()]);
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

async function setDefinition(definition: unknown): Promise<void> {
  await page.$eval('#job-definition', (el, text) => {
    const area = el as unknown as { value: string; dispatchEvent(e: unknown): void };
    // React tracks the value through the native setter; set it that way, then tell React.
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(area), 'value')!.set!;
    setter.call(area, text);
    area.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
  }, JSON.stringify(definition, null, 2));
}

test('an admin creates a sync job, fixing what the server refuses, runs it and reads the report', async () => {
  await signIn(page, api.baseUrl, admin, '/cmdb/discovery');
  await waitForPath(page, /^\/cmdb\/discovery$/);
  await waitForText(page, 'main', /No discovery jobs yet/);
  await page.click('[data-testid="new-job"]');
  await fill(page, '#job-name', 'feed-vms');
  await setDefinition({ kind: 'sync', sync: { url: feedUrl, format: 'json', mapping: { class: 'virtual_machine', attributes: { name: 'host', flavour: 'size' } } } });
  await page.click('[data-testid="job-editor"] button[type="submit"]');
  await waitForText(page, '[data-testid="job-errors"]', /sync\.mapping\.attributes\.flavour: class 'virtual_machine' has no attribute 'flavour'/);
  await screenshot(page, 'discovery-job-refused');

  await setDefinition({ description: 'VMs from the test feed', kind: 'sync', sync: { url: feedUrl, format: 'json', mapping: { class: 'virtual_machine', attributes: { name: 'host', hostname: 'host' } } } });
  await page.click('[data-testid="job-editor"] button[type="submit"]');
  await waitForCount(page, '[data-testid="job-row"]', 1);
  await waitForText(page, '[data-testid="job-row"]', /feed-vms.*VMs from the test feed.*Sync.*JSON from http:\/\/127\.0\.0\.1.*On demand/);

  await page.click('button[aria-label="Run feed-vms now"]');
  await waitForPath(page, /^\/cmdb\/discovery\/runs\/feed-vms-/);
  await waitForText(page, '[data-testid="run-status"]', /Completed/);
  await waitForText(page, '[data-testid="count-created"]', /^2$/);
  await screenshot(page, 'discovery-sync-run');
});

test('a sweep run from the list shows every target with its outcome and links to the CI found', async () => {
  // The credential is stored through its page; the page shows its id once and never the secret.
  await page.goto(`${api.baseUrl}/admin/credentials`);
  await page.waitForSelector('[data-testid="new-credential"]');
  await page.select('#cred-kind', 'snmp_community');
  await fill(page, '#cred-name', 'Lab SNMP');
  await fill(page, '#cred-community', snmpd.community);
  await page.click('[data-testid="new-credential"] button[type="submit"]');
  await waitForText(page, '[role="alert"]', /name/i);
  await fill(page, '#cred-name', 'lab-snmp');
  await page.click('[data-testid="new-credential"] button[type="submit"]');
  await waitForText(page, '[data-testid="notice"]', /Credential lab-snmp stored as/);
  const cred = { id: (await page.$eval('[data-testid="notice"] code', (el) => el.textContent))! };
  await waitForCount(page, '[data-testid="credential-row"]', 1);
  expect(await page.content()).not.toContain(snmpd.community);
  const saved = await fetch(`${api.baseUrl}/api/v1/cmdb/discovery/jobs/lab-switches`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: admin.bearer },
    body: JSON.stringify({ kind: 'network', network: { targets: ['127.0.0.1-127.0.0.2'], snmp: { credential: cred.id, port: snmpd.port }, timeoutSeconds: 1 }, schedule: { every: '1d' } }),
  });
  expect(saved.status).toBe(200);
  await page.goto(`${api.baseUrl}/cmdb/discovery`);
  await waitForCount(page, '[data-testid="job-row"]', 2);
  await waitForText(page, '[data-testid="job-row"][data-job="lab-switches"]', /Every 1d.*next/);
  await page.click('button[aria-label="Run lab-switches now"]');
  await waitForPath(page, /^\/cmdb\/discovery\/runs\/lab-switches-/);
  await waitForText(page, '[data-testid="run-status"]', /Completed/);
  await waitForCount(page, '[data-testid="target-row"]', 2);
  expect(await textsOf(page, '[data-testid="target-row"] td:nth-child(2)')).toEqual(['Discovered', 'No response']);
  await waitForText(page, '[data-testid="target-row"][data-status="discovered"]', /edge-sw9.*network_device/);
  await screenshot(page, 'discovery-sweep-run');
}, 60_000);

test('a reader sees jobs and runs but nothing to change', async () => {
  const context = await browser.browser.createBrowserContext();
  const readerPage = await context.newPage();
  try {
    await signIn(readerPage, api.baseUrl, reader, '/cmdb/discovery');
    await waitForCount(readerPage, '[data-testid="job-row"]', 2);
    await waitForCount(readerPage, '[data-testid="run-row"]', 2);
    expect(await readerPage.$('[data-testid="new-job"]')).toBeNull();
    expect(await readerPage.$('button[aria-label^="Run "]')).toBeNull();
  } finally {
    await context.close();
  }
});
