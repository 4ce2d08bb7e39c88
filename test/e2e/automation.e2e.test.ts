/**
 * Automation in the web UI against a real API, core and zone workers, Temporal, store and
 * OpenSSH server, in Chromium: an author edits and publishes a shipped runbook and reads
 * the diff; a run started from the run form is followed live to its end and its host's
 * output read; the history lists it; a run with an approval step waits until a second
 * person approves it; schedules are made, paused and deleted; a reader changes nothing.
 */
import type { Page } from 'puppeteer-core';
import { addUser, startTestApi, startZoneWorker, type TestApi, type TestUser, type TestWorker } from '../setup/harness';
import { type Sshd, startSshd } from '../setup/sshd';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, textsOf, waitForCount, waitForPath, waitForText } from './browser';

let api: TestApi;
let browser: TestBrowser;
let page: Page;
let sshd: Sshd;
let worker: TestWorker;
let author: TestUser;
let approver: TestUser;
let reader: TestUser;
let credentialId: string;
let firstRun: string;

async function call(user: TestUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.baseUrl}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization: user.bearer }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser, sshd] = await Promise.all([startTestApi(), openBrowser(), startSshd()]);
  page = browser.page;
  author = await addUser(api.db, 'ada', ['automation_admin', 'cmdb_editor']);
  approver = await addUser(api.db, 'bob', ['automation_admin']);
  reader = await addUser(api.db, 'vera', ['auditor']);
  worker = await startZoneWorker(api.db, api.dbName, 'dc-a', api.masterKey);
  const credential = await call(author, 'POST', '/credentials', { name: 'lab-ssh', kind: 'ssh_key', username: sshd.username, privateKey: sshd.privateKey });
  expect(credential.status).toBe(201);
  credentialId = credential.body.id;
  const ci = await call(author, 'POST', '/cmdb/cis', { class: 'virtual_machine', attributes: { name: 'web-01', hostname: 'web-01', primary_ip: '127.0.0.1', zone: 'dc-a', ssh_port: sshd.port, ssh_credential: credentialId } });
  expect(ci.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await Promise.all([api?.stop(), sshd?.stop()]);
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

/** Clicks an element once the page has rendered it (after a navigation the app loads what it shows first). */
async function click(target: Page, selector: string): Promise<void> {
  await target.waitForSelector(selector);
  await target.click(selector);
}

/** Replaces a textarea's whole text at once (typing 30 lines of YAML key by key is slow and auto-indents nothing). */
async function setText(target: Page, selector: string, text: string): Promise<void> {
  await target.$eval(
    selector,
    (el, value) => {
      const area = el as unknown as { value: string; dispatchEvent(e: unknown): void };
      // React tracks the value through the native setter; set it that way, then tell React.
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(area), 'value')!.set!;
      setter.call(area, value);
      area.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
    },
    text,
  );
}

test('an author sees the shipped runbooks, edits the draft of uptime, publishes version 2 and reads the diff', async () => {
  await signIn(page, api.baseUrl, author, '/automation');
  await waitForPath(page, /^\/automation\/runbooks$/);
  await waitForCount(page, '[data-testid="library-row"]', 3);
  expect(await page.$$eval('[data-testid="library-row"]', (rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(['disk-usage', 'restart-service', 'uptime']);
  expect(await textsOf(page, '[data-testid="library-row"] [data-testid="latest-version"] .strong')).toEqual(['v1', 'v1', 'v1']);
  expect(await textsOf(page, '[data-testid="library-row"] [data-testid="risk"]')).toEqual(['Low risk', 'Medium risk', 'Low risk']);
  await screenshot(page, 'automation-library');

  await fill(page, '#library-search', 'uptime');
  await waitForCount(page, '[data-testid="library-row"]', 1);
  await page.click('[data-testid="library-row"][data-id="uptime"] a');
  await waitForPath(page, /^\/automation\/runbooks\/uptime$/);
  await waitForText(page, '[data-testid="entry-version"]', /Version 1 · catalog/);
  await waitForText(page, '[data-testid="definition-source"]', /command: uptime/);
  await waitForText(page, '[data-testid="version-note"]', /from catalog\/runbooks\/uptime\.yaml/);

  await page.click('[data-testid="edit-draft"]');
  await page.waitForSelector('#draft-yaml');
  const yaml = (await page.$eval('#draft-yaml', (el) => (el as unknown as { value: string }).value))!;
  expect(yaml).toMatch(/^name: Uptime and load\n/);

  // What the server refuses comes back by field, and nothing is saved.
  await setText(page, '#draft-yaml', yaml.replace('type: ssh.command', 'type: telnet'));
  await page.click('[data-testid="save-draft"]');
  await waitForText(page, '[data-testid="draft-errors"]', /steps\.0\.type/);
  await screenshot(page, 'automation-draft-refused');

  const edited = yaml.replace(/^description: .*$/m, 'description: How long each host has been up, and its load, checked from the UI.');
  await setText(page, '#draft-yaml', edited);
  await page.click('[data-testid="save-draft"]');
  await waitForText(page, '[data-testid="notice"]', /Draft saved/);
  await waitForText(page, 'header [data-testid="draft-marker"]', /Draft by ada on v1/);

  // A note is required.
  await page.click('[data-testid="publish"]');
  await waitForText(page, '#publish-note-error', /Say what changed/);
  await fill(page, '#publish-note', 'Clearer description');
  await page.click('[data-testid="publish"]');
  await waitForText(page, '[data-testid="entry-version"]', /Version 2 · ada/);
  await waitForText(page, '[data-testid="diff-sides"]', /from v1 to v2/);
  expect(await textsOf(page, '[data-testid="diff-view"] tr[data-op="removed"] .diff-text')).toEqual([expect.stringMatching(/^description: Runs `uptime` on each host/)]);
  expect(await textsOf(page, '[data-testid="diff-view"] tr[data-op="added"] .diff-text')).toEqual(['description: How long each host has been up, and its load, checked from the UI.']);
  expect(await textOf(page, '[data-testid="diff-added"]')).toBe('+1');
  await waitForText(page, '[data-testid="diff-fields"]', /description/);
  await screenshot(page, 'automation-diff');

  await page.click('[data-testid="entry-tab-versions"]');
  await waitForCount(page, '[data-testid="version-row"]', 2);
  expect(await textsOf(page, '[data-testid="version-row"] td:nth-child(4)')).toEqual(['Clearer description', 'from catalog/runbooks/uptime.yaml']);
  expect(await textsOf(page, '[data-testid="version-row"] td:nth-child(2)')).toEqual(['ada', 'catalog']);
  await page.click('[data-testid="entry-tab-definition"]');
  await waitForText(page, '[data-testid="definition-description"]', /checked from the UI/);
}, 90_000);

test('a run started from the run form is followed live to succeeded, with the host’s output and log', async () => {
  // Parameters use the portal's form, checked by the same rules as on the server.
  await page.goto(`${api.baseUrl}/automation/runbooks/restart-service/run`);
  await waitForText(page, '[data-field="service"] label', /Service \(systemd unit\)/);
  await page.click('[data-testid="schema-form-submit"]');
  await waitForText(page, '[data-testid="field-error-answer-service"]', /Service \(systemd unit\) is required/);
  await fill(page, '#answer-service', 'nginx; reboot');
  await page.click('[data-testid="schema-form-submit"]');
  await waitForText(page, '[data-testid="field-error-answer-service"]', /not in the expected format/);
  expect(new URL(page.url()).pathname).toBe('/automation/runbooks/restart-service/run');

  await page.goto(`${api.baseUrl}/automation/runbooks/uptime`);
  await click(page, '[data-testid="run-runbook"]');
  await waitForPath(page, /^\/automation\/runbooks\/uptime\/run$/);
  await waitForText(page, '[data-testid="target-count"]', /^1$/);
  await waitForText(page, '[data-testid="target-zones"]', /dc-a\s*1/);
  await page.waitForSelector(`#run-credential option[value="${credentialId}"]`);
  await page.select('#run-credential', credentialId);
  await screenshot(page, 'automation-run-form');
  await page.click('[data-testid="schema-form-submit"]');
  const path = await waitForPath(page, /^\/automation\/runs\/RUN\d{7}$/);
  firstRun = path.split('/').pop()!;
  await waitForText(page, '[data-testid="run-runbook-version"]', /uptime v2/);
  await waitForText(page, '[data-testid="run-status"]', /Succeeded/);
  await waitForText(page, '[data-testid="run-counts"]', /1 \/ 1 done.*Succeeded 1/);
  await waitForCount(page, '[data-testid="host-row"][data-status="succeeded"]', 1);
  expect(await textOf(page, '[data-testid="host-row"] .step-chip')).toBe('uptime · 0');
  await screenshot(page, 'automation-run-succeeded');

  await click(page, '[data-testid="host-row"] button');
  await waitForText(page, '[data-testid="host-panel"] [data-testid="step-stdout"]', /load average/);
  await waitForText(page, '[data-testid="host-log"]', /load average/);
  expect(new URL(page.url()).search).toBe('?host=0');
  await screenshot(page, 'automation-run-host');

  await page.click('[data-testid="nav-automation-runs"]');
  await waitForPath(page, /^\/automation\/runs$/);
  await waitForText(page, `[data-testid="run-row"][data-run="${firstRun}"]`, /Uptime and load v2.*Succeeded.*ada/);
  await page.select('#filter-status', 'failed');
  await page.click('[data-testid="apply-filters"]');
  await waitForText(page, '[data-testid="runs-empty"]', /No run matches these filters/);
  expect(new URL(page.url()).search).toBe('?status=failed');
  await page.goto(`${api.baseUrl}/automation/runs?runbook=uptime&requestedBy=ada`);
  await waitForCount(page, '[data-testid="run-row"]', 1);
  await click(page, '[data-testid="run-row"] a');
  await waitForPath(page, new RegExp(`^/automation/runs/${firstRun}$`));
}, 120_000);

test('a run of a runbook with an approval step waits until a second person approves it', async () => {
  const saved = await call(author, 'PUT', '/automation/runbooks/gated-uptime/draft', {
    name: 'Gated uptime',
    risk: 'medium',
    allowedRoles: ['automation_admin'],
    targets: { selector: { class: 'host' } },
    steps: [
      { id: 'look', name: 'Look first', type: 'ssh.command', command: 'echo before' },
      { id: 'ok', name: 'Second pair of eyes', type: 'approval', message: 'Go ahead with the uptime check?' },
      { id: 'act', name: 'Then act', type: 'ssh.command', command: 'uptime' },
    ],
  });
  expect(saved.status).toBe(201);
  expect((await call(author, 'POST', '/automation/runbooks/gated-uptime/publish', { note: 'gated' })).status).toBe(201);

  await page.goto(`${api.baseUrl}/automation/runbooks/gated-uptime/run`);
  await waitForText(page, '[data-testid="approval-note"]', /pauses at “ok”/);
  await click(page, '[data-testid="schema-form-submit"]');
  const runId = (await waitForPath(page, /^\/automation\/runs\/RUN\d{7}$/)).split('/').pop()!;
  await waitForText(page, '[data-testid="waiting-approval"]', /Approval needed: Second pair of eyes.*Go ahead with the uptime check\?/);
  await waitForText(page, '[data-testid="own-run"]', /another person approves it/);
  expect(await page.$('[data-testid="approve"]')).toBeNull();
  await waitForText(page, '[data-testid="run-status"]', /Waiting/);
  await screenshot(page, 'automation-approval-waiting');

  const context = await browser.browser.createBrowserContext();
  const second = await context.newPage();
  try {
    await signIn(second, api.baseUrl, approver, `/automation/runs/${runId}`);
    await waitForPath(second, new RegExp(`^/automation/runs/${runId}$`));
    await second.waitForSelector('[data-testid="approve"]');
    await second.type('[data-testid="approval-comment"]', 'looked at it');
    await screenshot(second, 'automation-approval-approver');
    await second.click('[data-testid="approve"]');
    await waitForText(second, '[data-testid="run-status"]', /Succeeded/);
    await waitForText(second, '[data-testid="run-approvals"]', /Step ok approved by bob.*looked at it/);
  } finally {
    await context.close();
  }
  // The requester's page follows the run live to its end.
  await waitForText(page, '[data-testid="run-status"]', /Succeeded/);
  expect(await page.$('[data-testid="waiting-approval"]')).toBeNull();
  await waitForText(page, '[data-testid="host-row"]', /web-01.*Succeeded.*look · 0.*act · 0/);
}, 120_000);

test('a dry run shows each command as the host gets it and the high-risk finding; the real run waits for a second person', async () => {
  const saved = await call(author, 'PUT', '/automation/runbooks/lab-reboot/draft', {
    name: 'Lab reboot',
    risk: 'high',
    allowedRoles: ['automation_admin'],
    targets: { selector: { class: 'host' } },
    parameters: { type: 'object', properties: { reason: { type: 'string', title: 'Reason' } }, required: ['reason'] },
    // A shell function named reboot: the check flags the call, running it only prints.
    steps: [{ id: 'restart', type: 'ssh.command', command: 'reboot() { echo "would reboot: $REASON"; }; reboot', env: { REASON: '{{params.reason}}' } }],
  });
  expect(saved.status).toBe(201);
  expect((await call(author, 'POST', '/automation/runbooks/lab-reboot/publish', { note: 'lab' })).status).toBe(201);

  await page.goto(`${api.baseUrl}/automation/runbooks/lab-reboot/run`);
  await fill(page, '#answer-reason', "patch window: it's time");
  await click(page, '[data-testid="schema-form-alternative"]');
  await waitForText(page, '[data-testid="dry-run"]', /Dry run: nothing ran/);
  await waitForText(page, '[data-testid="dry-run-targets"]', /web-01.*127\.0\.0\.1/);
  expect(await textOf(page, '[data-testid="dry-command"]')).toBe(`export REASON='patch window: it'\\''s time'; reboot() { echo "would reboot: $REASON"; }; reboot`);
  expect(await page.$eval('[data-testid="risk-panel"]', (el) => el.getAttribute('data-decision'))).toBe('approval');
  await waitForText(page, '[data-testid="risk-panel"]', /A second person must approve.*step restart, line 1: reboot.*shutdown-reboot/);
  await screenshot(page, 'automation-dry-run');
  expect(new URL(page.url()).pathname).toBe('/automation/runbooks/lab-reboot/run');
  expect((await call(author, 'GET', '/automation/runs?runbook=lab-reboot')).body.items).toEqual([]);

  await page.click('[data-testid="schema-form-submit"]');
  const runId = (await waitForPath(page, /^\/automation\/runs\/RUN\d{7}$/)).split('/').pop()!;
  await waitForText(page, '[data-testid="waiting-approval"]', /Approval needed: high-risk commands/);
  await waitForText(page, '[data-testid="risk-panel"]', /shutdown-reboot/);
  const context = await browser.browser.createBrowserContext();
  const second = await context.newPage();
  try {
    await signIn(second, api.baseUrl, approver, `/automation/runs/${runId}`);
    await waitForText(second, '[data-testid="risk-panel"]', /step restart, line 1: reboot/);
    await click(second, '[data-testid="approve"]');
    await waitForText(second, '[data-testid="run-status"]', /Succeeded/);
  } finally {
    await context.close();
  }
  await waitForText(page, '[data-testid="run-status"]', /Succeeded/);
}, 120_000);

test('cancelling a run from the live view kills it: the host and its step end cancelled', async () => {
  expect((await call(author, 'PUT', '/automation/runbooks/long-nap/draft', { name: 'Long nap', risk: 'low', allowedRoles: ['automation_admin'], targets: { selector: { class: 'host' } }, steps: [{ id: 'nap', type: 'ssh.command', command: 'sleep 600', timeout: '20m' }] })).status).toBe(201);
  expect((await call(author, 'POST', '/automation/runbooks/long-nap/publish', { note: 'sleeps' })).status).toBe(201);
  await page.goto(`${api.baseUrl}/automation/runbooks/long-nap/run`);
  await click(page, '[data-testid="schema-form-submit"]');
  await waitForPath(page, /^\/automation\/runs\/RUN\d{7}$/);
  await waitForText(page, '[data-testid="host-row"]', /Running/);
  await waitForText(page, '[data-testid="stream-state"]', /Live/);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.click('[data-testid="cancel-run"]');
  await waitForText(page, '[data-testid="run-status"]', /Cancelled/);
  await waitForText(page, '[data-testid="host-row"]', /Cancelled.*nap/);
  expect(await page.$eval('[data-testid="host-row"] .step-chip', (el) => el.getAttribute('data-status'))).toBe('cancelled');
  expect(await page.$('[data-testid="cancel-run"]')).toBeNull();
}, 60_000);

test('schedules: one is made for uptime, shows its next run, is paused and deleted', async () => {
  await page.goto(`${api.baseUrl}/automation/schedules`);
  await waitForText(page, '[data-testid="schedules-empty"]', /No schedules yet/);
  await click(page, '[data-testid="new-schedule"]');
  await fill(page, '#schedule-id', 'nightly-uptime');
  await page.select('#schedule-runbook', 'uptime');
  await setText(page, '#schedule-cron', '61 3 * * *');
  await page.click('[data-testid="save-schedule"]');
  await waitForText(page, '[data-testid="schedule-errors"]', /spec\.cron/);
  await setText(page, '#schedule-cron', '0 3 * * *');
  await page.click('[data-testid="save-schedule"]');
  await waitForText(page, '[data-testid="schedule-row"][data-schedule="nightly-uptime"]', /uptime.*0 3 \* \* \* \(UTC\).*ada/);
  await screenshot(page, 'automation-schedules');

  page.once('dialog', (dialog) => void dialog.accept('maintenance week'));
  await page.click('button[aria-label="Pause nightly-uptime"]');
  await waitForText(page, '[data-testid="schedule-paused"]', /Paused/);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.click('button[aria-label="Delete nightly-uptime"]');
  await waitForText(page, '[data-testid="schedules-empty"]', /No schedules yet/);
}, 60_000);

test('a reader sees the library and runs, and no action to take', async () => {
  const context = await browser.browser.createBrowserContext();
  const readerPage = await context.newPage();
  try {
    await signIn(readerPage, api.baseUrl, reader, '/automation/runbooks/uptime');
    await waitForText(readerPage, '[data-testid="entry-version"]', /Version 2/);
    expect(await readerPage.$('[data-testid="edit-draft"]')).toBeNull();
    expect(await readerPage.$('[data-testid="run-runbook"]')).toBeNull();
    expect(await readerPage.$('[data-testid="entry-tab-draft"]')).toBeNull();
    await readerPage.goto(`${api.baseUrl}/automation/runs/${firstRun}`);
    await waitForText(readerPage, '[data-testid="run-status"]', /Succeeded/);
    expect(await readerPage.$('[data-testid="cancel-run"]')).toBeNull();
    await readerPage.goto(`${api.baseUrl}/automation/runbooks/uptime/run`);
    await waitForText(readerPage, '[data-testid="access-denied"]', /automation\.run/);
    // The safety rules are for everyone who reads automation to see and try; only admins change them.
    await readerPage.goto(`${api.baseUrl}/automation/safety`);
    await waitForText(readerPage, '[data-testid="rules-revision"]', /Revision 0 · the shipped file/);
    expect(await readerPage.$('[data-testid="edit-rules"]')).toBeNull();
    await readerPage.type('[data-testid="try-script"]', 'sudo rm  -r -f "/"');
    await readerPage.click('[data-testid="try-check"]');
    await waitForText(readerPage, '[data-testid="try-result"]', /Blocked.*rm-root/);
  } finally {
    await context.close();
  }
});

test('an admin changes the safety rules in YAML: problems are named and nothing changes, then a valid change is saved', async () => {
  const admin = await addUser(api.db, 'root-admin', ['admin']);
  const context = await browser.browser.createBrowserContext();
  const page = await context.newPage();
  await signIn(page, api.baseUrl, admin, '/automation/safety');
  await page.waitForSelector('[data-testid="rule-row"]');
  const shipped = await page.$$eval('[data-testid="rule-row"]', (rows) => rows.length);
  await screenshot(page, 'automation-safety-rules');
  await click(page, '[data-testid="edit-rules"]');
  await page.waitForSelector('#rules-yaml');
  const yaml = (await page.$eval('#rules-yaml', (el) => (el as unknown as { value: string }).value))!;
  const rule = (pattern: string) => `  - id: fd-lab-wipe\n    severity: critical\n    description: Wipes the lab.\n    pattern: "${pattern}"\n    examples:\n      - fd-lab-wipe --all\n`;
  await setText(page, '#rules-yaml', `${yaml}${rule('^(fd-lab-wipe')}`);
  await page.click('[data-testid="save-rules"]');
  await waitForText(page, '[data-testid="rules-errors"]', new RegExp(`rules\\.${shipped}\\.pattern`));
  await setText(page, '#rules-yaml', `${yaml}${rule('^fd-lab-wipe(?:\\\\s|$)')}`);
  await page.click('[data-testid="save-rules"]');
  await waitForText(page, '[data-testid="notice"]', /Rules saved as revision 1/);
  await waitForText(page, '[data-testid="rules-revision"]', /Revision 1 · changed by root-admin/);
  await waitForCount(page, '[data-testid="rule-row"]', shipped + 1);
  await fill(page, '#try-script', 'fd-lab-wipe --all');
  await page.click('[data-testid="try-check"]');
  await waitForText(page, '[data-testid="try-result"]', /Blocked.*fd-lab-wipe/);
  await context.close();
}, 60_000);
