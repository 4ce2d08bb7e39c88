/**
 * The CMDB browser in the web UI against a real API and store, in Chromium: the class
 * tree, filters, saved queries across a reload, the raw selector mode with the server's
 * error, and a CI's page with its attributes, relations and history.
 */
import type { Page } from 'puppeteer-core';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textsOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
let editor: TestUser;
const ids: Record<string, string> = {};

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: editor.bearer, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return { body: (await res.json()) as { id: string }, etag: res.headers.get('etag') ?? '' };
}

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser] = await Promise.all([startTestApi(), openBrowser()]);
  page = browser.page;
  editor = await addUser(api.db, 'carla', ['cmdb_editor']);
  ids.zone = (await call('POST', '/cmdb/cis', { class: 'zone', attributes: { name: 'dc-a', subnets: ['10.1.0.0/16'] } })).body.id;
  ids.app = (await call('POST', '/cmdb/cis', { class: 'application', attributes: { name: 'payments-api', environment: 'prod' } })).body.id;
  for (const [name, cpus] of [['pay-vm-1', 8], ['pay-vm-2', 2], ['web-vm-1', 16]] as const) {
    ids[name] = (await call('POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name, hostname: name, primary_ip: `10.1.0.${cpus}`, cpu_count: cpus, lifecycle: 'live' } })).body.id;
  }
  ids.inst = (await call('POST', '/cmdb/cis', { class: 'process', attributes: { name: 'payments-api@pay-vm-1' } })).body.id;
  await call('POST', '/cmdb/relations', { type: 'runs_on', source: ids.inst, target: ids['pay-vm-1'] });
  await call('POST', '/cmdb/relations', { type: 'depends_on', source: ids.app, target: ids.inst });
  const { etag } = await call('GET', `/cmdb/cis/${ids['pay-vm-1']}`);
  await call('PATCH', `/cmdb/cis/${ids['pay-vm-1']}`, { attributes: { cpu_count: 12 } }, { 'if-match': etag });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

test('browse by class, filter, and keep a saved query across a reload', async () => {
  await signIn(page, api.baseUrl, editor, '/cmdb');
  await waitForPath(page, /^\/cmdb$/);
  await page.click('button[data-class="virtual_machine"]');
  await waitForText(page, '[data-testid="ci-total"]', /^3 CIs$/);
  await page.select('#filter-attribute', 'cpu_count');
  await page.select('#filter-operator', 'gt');
  await fill(page, '#filter-value', '4');
  await page.click('form[aria-label="Add a filter"] button[type="submit"]');
  await waitForText(page, '[data-testid="ci-total"]', /^2 CIs$/);
  await fill(page, '#name-contains', 'pay');
  await waitForText(page, '[data-testid="ci-total"]', /^1 CI$/);
  expect(await textsOf(page, '[data-testid="ci-row"] td:first-child')).toEqual(['pay-vm-1']);
  expect(await textsOf(page, '[data-testid="ci-row"] td:nth-child(3)')).toEqual(['dc-a']);

  page.once('dialog', (dialog) => void dialog.accept('Big payment VMs'));
  await page.click('[data-testid="save-query"]');
  await page.reload();
  await waitForText(page, '[data-testid="saved-query"]', /Big payment VMs/);
  await page.click('[data-testid="saved-query"]');
  await waitForText(page, '[data-testid="ci-total"]', /^1 CI$/);
  await screenshot(page, 'cmdb-browser');
});

test('a raw selector runs as typed; a wrong one shows the server\u2019s reason', async () => {
  await page.goto(`${api.baseUrl}/cmdb?class=ci`);
  await (await page.waitForSelector('[data-testid="raw-toggle"]'))!.click();
  await page.$eval('#raw-selector', (el) => {
    const area = el as unknown as { value: string; dispatchEvent(e: unknown): void };
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(area), 'value')!.set!.call(area, JSON.stringify({ class: 'host', related: [{ type: 'runs_on', direction: 'in', to: { where: { name: { matches: 'payments.*' } } } }] }));
    area.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
  });
  await page.click('::-p-text(Run selector)');
  await waitForText(page, '[data-testid="ci-total"]', /^1 CI$/);
  await page.$eval('#raw-selector', (el) => {
    const area = el as unknown as { value: string; dispatchEvent(e: unknown): void };
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(area), 'value')!.set!.call(area, JSON.stringify({ class: 'spaceship' }));
    area.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
  });
  await page.click('::-p-text(Run selector)');
  await waitForText(page, '[role="alert"]', /spaceship/);
});

test("a CI's page shows its attributes with their sources, its relations and its history", async () => {
  await page.goto(`${api.baseUrl}/cmdb?class=virtual_machine`);
  await waitForCount(page, '[data-testid="ci-row"]', 3);
  await page.click('::-p-text(pay-vm-1)');
  await waitForPath(page, /^\/cmdb\/cis\//);
  await waitForText(page, '[data-testid="ci-attributes"] [data-attribute="cpu_count"]', /CPUs\s*12\s*· manual/);
  await waitForText(page, '[data-testid="ci-relations"]', /runs payments-api@pay-vm-1/);
  await waitForCount(page, '[data-testid="ci-history"] li', 2);
  await waitForText(page, '[data-testid="ci-history"] li[data-version="2"]', /Changed by carla.*CPUs\s*8\s*→\s*12/);
  await screenshot(page, 'cmdb-ci');

  // The topology: the VM, what runs on it, and the application that needs that.
  await waitForCount(page, '[data-testid="topology-nodes"] li', 3);
  expect((await textsOf(page, '[data-testid="topology-nodes"] li')).sort()).toEqual(['pay-vm-1', 'payments-api', 'payments-api@pay-vm-1']);
  await page.waitForSelector('[data-testid="topology-canvas"] canvas');
  await page.click('[data-testid="show-impact"]');
  await waitForText(page, '[data-testid="impact-summary"]', /Application: payments-api \(down\)/);
  expect(await page.$eval(`[data-testid="topology-nodes"] li[data-id="${ids.app}"]`, (el) => el.getAttribute('data-effect'))).toBe('down');
  expect(await page.$eval(`[data-testid="topology-nodes"] li[data-id="${ids['pay-vm-1']}"]`, (el) => el.getAttribute('data-effect'))).toBe('failing');
  await screenshot(page, 'cmdb-topology-impact');
  await page.select('#topology-depth', '1');
  await waitForCount(page, '[data-testid="topology-nodes"] li', 2);

  await page.click('::-p-text(payments-api@pay-vm-1)');
  await waitForText(page, 'h1', /payments-api@pay-vm-1/);
});

test('create a CI: the server\u2019s per-attribute error shows next to its field; then edit it, and a concurrent change is caught', async () => {
  await page.goto(`${api.baseUrl}/cmdb?class=virtual_machine`);
  await (await page.waitForSelector('[data-testid="new-ci"]'))!.click();
  await waitForPath(page, /^\/cmdb\/new$/);
  await page.click('[data-testid="ci-editor"] button[type="submit"]');
  await waitForText(page, '#attr-name-error', /required/);
  await fill(page, '#attr-name', 'ui-vm-1');
  await fill(page, '#attr-hostname', 'ui-vm-1');
  await fill(page, '#attr-primary_ip', '10.1.0.999');
  await page.select('#attr-environment', 'test');
  await page.click('[data-testid="ci-editor"] button[type="submit"]');
  await waitForText(page, '#attr-primary_ip-error', /IP/i);
  await screenshot(page, 'cmdb-new-ci-invalid');
  await fill(page, '#attr-primary_ip', '10.1.0.77');
  await page.click('[data-testid="ci-editor"] button[type="submit"]');
  await waitForPath(page, /^\/cmdb\/cis\//);
  await waitForText(page, 'h1', /ui-vm-1/);
  await waitForText(page, '[data-attribute="primary_ip"]', /10\.1\.0\.77/);

  await (await page.waitForSelector('[data-testid="edit-ci"]'))!.click();
  await fill(page, '#attr-cpu_count', '6');
  await page.click('[data-testid="ci-editor"] button[type="submit"]');
  await waitForText(page, '[data-testid="ci-history"] li[data-version="2"]', /CPUs\s*—\s*→\s*6/);

  // Someone else changes it while the editor is open: the save is refused, not lost silently.
  await (await page.waitForSelector('[data-testid="edit-ci"]'))!.click();
  const id = new URL(page.url()).pathname.split('/').pop()!;
  const { etag } = await call('GET', `/cmdb/cis/${id}`);
  await call('PATCH', `/cmdb/cis/${id}`, { attributes: { cpu_count: 7 } }, { 'if-match': etag });
  await fill(page, '#attr-cpu_count', '8');
  await page.click('[data-testid="ci-editor"] button[type="submit"]');
  await waitForText(page, '[role="alert"]', /Someone else changed this CI/);
});

test('a reader browses and opens CIs but is offered no way to change them', async () => {
  const reader = await addUser(api.db, 'otto', ['automation_operator']);
  const context = await browser.browser.createBrowserContext();
  const readerPage = await context.newPage();
  try {
    await signIn(readerPage, api.baseUrl, reader, `/cmdb/cis/${ids['pay-vm-2']}`);
    await waitForText(readerPage, 'h1', /pay-vm-2/);
    expect(await readerPage.$('[data-testid="edit-ci"]')).toBeNull();
    await readerPage.goto(`${api.baseUrl}/cmdb?class=virtual_machine`);
    await waitForCount(readerPage, '[data-testid="ci-row"]', 4);
    expect(await readerPage.$('[data-testid="new-ci"]')).toBeNull();
  } finally {
    await context.close();
  }
});

test('a data centre shows its racks; a rack shows each device in its units', async () => {
  const dc = (await call('POST', '/cmdb/cis', { class: 'data_centre', attributes: { name: 'DC North', code: 'dcn' } })).body.id;
  const rack = (await call('POST', '/cmdb/cis', { class: 'rack', attributes: { name: 'R01', data_centre: dc, units: 42 } })).body.id;
  await call('POST', '/cmdb/cis', { class: 'rack', attributes: { name: 'R02', data_centre: dc } });
  await call('POST', '/cmdb/cis', { class: 'physical_server', attributes: { name: 'db-01', hostname: 'db-01', rack, rack_unit: 10, rack_units: 2 } });
  await call('POST', '/cmdb/cis', { class: 'network_device', attributes: { name: 'tor-sw-01', rack, rack_unit: 42 } });

  await page.goto(`${api.baseUrl}/cmdb/datacentres`);
  await waitForText(page, '[data-testid="data-centre"]', /DC North\s*2 racks/);
  await waitForCount(page, '[data-testid="dc-rack"]', 2);
  await (await page.waitForSelector('::-p-text(R01)'))!.click();
  await waitForPath(page, /^\/cmdb\/racks\//);
  await waitForCount(page, '[data-testid="rack-device"]', 2);
  const devices = await page.$$eval('[data-testid="rack-device"]', (els) => els.map((el) => [el.textContent, el.getAttribute('data-unit'), el.getAttribute('data-height')]));
  expect(devices).toEqual([
    ['42tor-sw-01', '42', '1'],
    ['10db-01', '10', '2'],
  ]);
  // 42 units: 2 for db-01, 1 for the switch, 39 empty.
  await waitForCount(page, '.rack-units > li', 41);
  await screenshot(page, 'cmdb-rack');
  await page.click('::-p-text(db-01)');
  await waitForText(page, 'h1', /db-01/);
});

test('a cmdb admin sees what a class change does to stored CIs before applying it; an editor may only read the model', async () => {
  await page.goto(`${api.baseUrl}/cmdb/model`);
  await (await page.waitForSelector('[data-testid="model-class"][data-class="virtual_machine"]'))!.click();
  expect(await page.$('[data-testid="check-definition"]')).toBeNull();

  const boss = await addUser(api.db, 'mona', ['cmdb_admin']);
  const context = await browser.browser.createBrowserContext();
  const adminPage = await context.newPage();
  try {
    await signIn(adminPage, api.baseUrl, boss, '/cmdb/model');
    await (await adminPage.waitForSelector('[data-testid="model-class"][data-class="virtual_machine"]'))!.click();
    const definition = JSON.parse(await adminPage.$eval('#model-definition', (el) => (el as unknown as { value: string }).value)) as { attributes?: Record<string, unknown> };
    const changed = { ...definition, attributes: { ...definition.attributes, hypervisor_cluster: { type: 'string', required: true, label: 'Hypervisor cluster' } } };
    await adminPage.$eval('#model-definition', (el, text) => {
      const area = el as unknown as { value: string; dispatchEvent(e: unknown): void };
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(area), 'value')!.set!.call(area, text);
      area.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
    }, JSON.stringify(changed));
    await adminPage.click('[data-testid="check-definition"]');
    await waitForText(adminPage, '[data-testid="class-report"]', /4 of 4 existing CIs would not fit this class\..*hypervisor_cluster/);
    await screenshot(adminPage, 'cmdb-model-report');
    await adminPage.click('[data-testid="apply-class"]');
    await waitForText(adminPage, '[data-testid="notice"]', /Class virtual_machine saved; 4 CIs do not fit it yet/);
  } finally {
    await context.close();
  }
  const model = await fetch(`${api.baseUrl}/api/v1/cmdb/classes/virtual_machine`, { headers: { authorization: editor.bearer } }).then((r) => r.json() as Promise<{ attributes: Record<string, { required?: boolean }> }>);
  expect(model.attributes.hypervisor_cluster?.required).toBe(true);
});
