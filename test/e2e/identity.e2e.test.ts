/**
 * Signing in and administering identity in the web UI, against a real API, worker,
 * Temporal and document store, in Chromium (puppeteer-core): the login page, the admin
 * pages (users, groups, roles), API tokens in the profile, the audit trail, what a
 * requester sees, and signing out. Screenshots land in /tmp/flowdesk-ui-*.png.
 */
import type { Page } from 'puppeteer-core';
import { addUser, startTestApi, type TestApi, type TestUser } from '../setup/harness';
import { ensureUiBuilt, fill, openBrowser, screenshot, signIn, type TestBrowser, textOf, textsOf, waitForCount, waitForPath, waitForText } from './browser';

// The root tsconfig has no DOM lib: the one browser global an in-page callback below uses.
declare const location: { search: string };

let api: TestApi;
let browser: TestBrowser;
let page: Page;
let admin: TestUser;
let requester: TestUser;

/** The password the admin gives the user created through the UI. */
const NINA_PASSWORD = 'Blue-Harbor-Lantern-42';

beforeAll(async () => {
  ensureUiBuilt();
  [api, browser] = await Promise.all([startTestApi(), openBrowser()]);
  page = browser.page;
  admin = await addUser(api.db, 'root-admin', ['admin']);
  requester = await addUser(api.db, 'rita', ['requester']);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

afterEach(() => {
  expect(browser.pageErrors).toEqual([]);
});

const NOTICE = '[data-testid="notice"]';
/** What a requester's navigation offers: the portal, nothing of the console or administration. */
const REQUESTER_NAV = ['Catalog', 'My requests', 'Approvals', 'Report an incident'];

async function apiGet(path: string, authorization: string): Promise<Response> {
  return fetch(`${api.baseUrl}/api/v1${path}`, { headers: { authorization } });
}

async function sessionCookie(): Promise<string> {
  const cookie = (await page.cookies()).find((c) => c.name === 'flowdesk_session');
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  return `${cookie!.name}=${cookie!.value}`;
}

async function inputValue(selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as unknown as { value: string }).value);
}

async function signOut(shot?: string): Promise<void> {
  await page.click('[data-testid="user-menu-button"]');
  await page.waitForSelector('[data-testid="sign-out"]');
  if (shot) await screenshot(page, shot, { fullPage: false });
  await page.click('[data-testid="sign-out"]');
  await waitForPath(page, /^\/login$/);
  await waitForText(page, '[data-testid="login-reason"]', /signed out/);
}

describe('signing in and identity administration', () => {
  it('sends a signed-out visitor to the login page, refuses a wrong password, then returns where they were going', async () => {
    await page.goto(`${api.baseUrl}/admin/users`);
    await waitForPath(page, /^\/login$/);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/users');
    await waitForText(page, 'h1', /^Sign in$/);
    expect(await textOf(page, '.auth-card')).toContain('FlowDesk');
    // No single sign-on is configured on this server: no SSO buttons.
    expect(await page.$('[data-testid="sso"]')).toBeNull();
    expect(await page.$('.sidebar')).toBeNull();
    await screenshot(page, 'login');

    await fill(page, '#username', admin.username);
    await fill(page, '#password', 'not-the-password');
    await page.click('[data-testid="login-submit"]');
    await waitForText(page, '[role="alert"]', /invalid username or password/);
    expect(await textOf(page, '[role="alert"] .alert-title')).toBe('Sign-in failed');
    expect(await inputValue('#password')).toBe('');
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-error');

    await fill(page, '#password', admin.password);
    await page.click('[data-testid="login-submit"]');
    await waitForPath(page, /^\/admin\/users$/);
    await waitForText(page, 'h1', /^Users$/);
    expect(await textOf(page, '[data-testid="user-name"]')).toBe('Root-admin');
    expect(await textOf(page, '[data-testid="user-roles"]')).toBe('Admin');
    for (const entry of ['nav-users', 'nav-groups', 'nav-roles', 'nav-audit']) expect(await page.$(`[data-testid="${entry}"]`)).not.toBeNull();
    await page.waitForSelector(`[data-testid="user-row"][data-username="${requester.username}"]`);
  });

  it('creates a user, a group and a custom role through the admin pages', async () => {
    await page.goto(`${api.baseUrl}/admin/users`);
    await page.waitForSelector('[data-testid="user-row"]');

    // A password that breaks the policy comes back as field messages next to the field.
    await page.click('[data-testid="new-user-button"]');
    await page.waitForSelector('[data-testid="user-form"]');
    await fill(page, '#user-username', 'nina');
    await fill(page, '#user-displayName', 'Nina Okafor');
    await fill(page, '#user-email', 'nina@example.com');
    await page.click('[data-testid="role-requester"]'); // on by default: swap it for agent
    await page.click('[data-testid="role-agent"]');
    await fill(page, '#user-password', 'nina-short');
    expect(await textsOf(page, '[data-testid="password-policy"] li.bad')).toHaveLength(3);
    await page.click('[data-testid="save-user"]');
    await waitForText(page, '[data-testid="field-error-password"]', /at least 12 characters/);
    expect(await textOf(page, '[data-testid="user-panel"] [role="alert"]')).toMatch(/password/);
    await screenshot(page, 'admin-user-error');

    await fill(page, '#user-password', NINA_PASSWORD);
    expect(await textsOf(page, '[data-testid="password-policy"] li.bad')).toHaveLength(0);
    await page.click('[data-testid="save-user"]');
    await waitForText(page, NOTICE, /User nina created/);
    const ninaRow = '[data-testid="user-row"][data-username="nina"]';
    await page.waitForSelector(ninaRow);
    expect(await textsOf(page, `${ninaRow} [data-testid="role-badge"]`)).toEqual(['Agent']);
    expect(await textOf(page, `${ninaRow} [data-testid="user-status"]`)).toBe('Active');
    // The panel now edits the new user.
    await page.waitForSelector('[data-testid="user-panel"][data-username="nina"]');
    await screenshot(page, 'admin-users');

    // Groups: create one with a manager and two members, then drop a member.
    await page.click('[data-testid="nav-groups"]');
    await waitForPath(page, /^\/admin\/groups$/);
    await waitForText(page, 'h1', /^Assignment groups$/);
    await page.click('[data-testid="new-group-button"]');
    await page.waitForSelector('[data-testid="group-form"]');
    await fill(page, '#group-name', 'network-ops');
    await fill(page, '#group-displayName', 'Network operations');
    await page.select('#group-manager', 'nina');
    await page.click('[data-testid="member-nina"]');
    await page.click(`[data-testid="member-${admin.username}"]`);
    expect(await textsOf(page, '[data-testid="selected-members"] .removable')).toEqual(['nina×', `${admin.username}×`]);
    await page.click('[data-testid="save-group"]');
    await waitForText(page, NOTICE, /Group network-ops created with 2 members/);
    const groupRow = '[data-testid="group-row"][data-name="network-ops"]';
    await waitForText(page, `${groupRow} [data-testid="group-members"]`, /2 members/);
    expect(await textOf(page, groupRow)).toContain('Nina Okafor');

    await page.click(`[data-testid="member-${admin.username}"]`);
    await page.click('[data-testid="save-group"]');
    await waitForText(page, NOTICE, /Saved group network-ops/);
    await waitForText(page, `${groupRow} [data-testid="group-members"]`, /^1 member$/);
    await screenshot(page, 'admin-groups');
    const groups = (await (await apiGet('/groups', admin.bearer)).json()) as { items: { name: string; manager: string; members: string[] }[] };
    expect(groups.items.find((g) => g.name === 'network-ops')).toMatchObject({ manager: 'nina', members: ['nina'] });

    // Roles: built-in ones are read-only; a custom one is composed from checkboxes.
    await page.click('[data-testid="nav-roles"]');
    await waitForPath(page, /^\/admin\/roles$/);
    await page.waitForSelector('[data-testid="role-row"][data-name="requester"]');
    await page.click('[data-testid="role-row"][data-name="requester"]');
    await page.waitForSelector('[data-testid="role-panel"] [data-testid="copy-role"]');
    expect(await page.$eval('[data-testid="perm-ticket.read"]', (el) => el.matches(':disabled'))).toBe(true);
    await page.click('[data-testid="new-role-button"]');
    await page.waitForSelector('#role-name');
    await fill(page, '#role-name', 'night_shift');
    await fill(page, '#role-description', 'Covers incidents overnight');
    await page.click('[data-testid="perm-ticket.read"]');
    await page.click('[data-testid="perm-ticket.act"]');
    await page.click('[data-testid="save-role"]');
    await waitForText(page, NOTICE, /Role night_shift created/);
    await waitForText(page, '[data-testid="custom-role-table"] [data-testid="role-row"][data-name="night_shift"]', /ticket\.read.*ticket\.act|ticket\.act.*ticket\.read/);
    await screenshot(page, 'admin-roles');
  });

  it('creates an API token in the profile, shows it once, and revokes it', async () => {
    await page.click('[data-testid="user-menu-button"]');
    await page.click('[data-testid="menu-profile"]');
    await waitForPath(page, /^\/profile$/);
    await waitForText(page, '[data-testid="profile-name"]', /^Root-admin$/);
    // addUser gave this user one token already.
    await waitForCount(page, '[data-testid="token-row"]', 1);

    await page.click('[data-testid="new-token-button"]');
    await page.waitForSelector('[data-testid="new-token-form"]');
    await fill(page, '#token-name', 'ci-script');
    await page.select('#token-expiry', '30');
    await page.click('[data-testid="create-token"]');
    await page.waitForSelector('[data-testid="token-reveal"]');
    const token = await inputValue('[data-testid="new-token"]');
    expect(token).toMatch(/^fdt_\S+$/);
    expect(await textOf(page, '[data-testid="token-reveal"]')).toMatch(/You will not see it again/);
    await page.click('[data-testid="copy-token"]');
    await waitForText(page, '[data-testid="token-reveal"]', /Copied|press Ctrl\+C/);
    await waitForCount(page, '[data-testid="token-row"]', 2);
    await screenshot(page, 'profile-token');

    // The token works as a Bearer credential.
    const me = await apiGet('/auth/me', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { username: admin.username }, via: 'token' });

    // Once dismissed, the secret is gone from the page for good.
    await page.click('[data-testid="token-done"]');
    await waitForText(page, NOTICE, /ci-script/);
    expect(await page.$('[data-testid="token-reveal"]')).toBeNull();
    expect(await page.content()).not.toContain(token);

    const row = '[data-testid="token-row"][data-name="ci-script"]';
    expect(await textOf(page, `${row} [data-testid="token-status"]`)).toBe('Active');
    await page.click(`${row} [data-testid="revoke-token"]`);
    await page.click(`${row} [data-testid="confirm-revoke"]`);
    await waitForText(page, `${row} [data-testid="token-status"]`, /^Revoked$/);
    await waitForText(page, NOTICE, /revoked/);
    expect((await apiGet('/auth/me', `Bearer ${token}`)).status).toBe(401);
    await screenshot(page, 'profile');
  });

  it('searches the audit trail, verifies its chain and links the exports', async () => {
    await page.click('[data-testid="nav-audit"]');
    await waitForPath(page, /^\/audit$/);
    await page.waitForSelector('[data-testid="audit-row"]');
    const actions = await page.$$eval('[data-testid="audit-row"]', (els) => els.map((el) => el.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['auth.login', 'user.create', 'group.create', 'group.update', 'role.put', 'token.create', 'token.revoke']));

    await page.click('[data-testid="verify-chain"]');
    await waitForText(page, '[data-testid="verify-result"]', /Chain intact/);
    expect(await page.$eval('[data-testid="verify-result"]', (el) => el.getAttribute('data-ok'))).toBe('true');

    await fill(page, '#audit-action', 'user.create');
    await page.click('[data-testid="apply-filters"]');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('action') === 'user.create');
    await waitForCount(page, '[data-testid="audit-row"]', 1);
    await page.click('[data-testid="audit-row"]');
    await waitForText(page, '[data-testid="audit-details"]', /nina/);
    await screenshot(page, 'audit');

    const csv = await page.$eval('[data-testid="export-csv"]', (el) => el.getAttribute('href'));
    expect(csv).toBe('/api/v1/audit/export?action=user.create&format=csv');
    const exported = await apiGet(csv!.replace('/api/v1', ''), admin.bearer);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await exported.text()).toContain('nina');
  });

  it('shows a locked account and unlocks it', async () => {
    const attempt = (password: string) =>
      fetch(`${api.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: requester.username, password }) });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const locked = await attempt(requester.password);
    expect(locked.status).toBe(423);
    expect(((await locked.json()) as { detail: string }).detail).toMatch(/locked until/);

    await page.goto(`${api.baseUrl}/admin/users`);
    const row = `[data-testid="user-row"][data-username="${requester.username}"]`;
    await waitForText(page, `${row} [data-testid="user-status"]`, /^Locked$/);
    await page.click(row);
    await waitForText(page, '[data-testid="locked"]', /Locked until/);
    await page.click('[data-testid="unlock-user"]');
    await waitForText(page, NOTICE, /rita unlocked/);
    await waitForText(page, `${row} [data-testid="user-status"]`, /^Active$/);
    expect(await page.$('[data-testid="locked"]')).toBeNull();
    expect((await attempt(requester.password)).status).toBe(200);
  });

  it('signs out to the login page, after which the old session cookie no longer works', async () => {
    const cookie = await sessionCookie();
    const before = await fetch(`${api.baseUrl}/api/v1/auth/me`, { headers: { cookie } });
    expect(before.status).toBe(200);

    await signOut('user-menu');
    const after = await fetch(`${api.baseUrl}/api/v1/auth/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
    // And the app itself no longer lets the browser in.
    await page.goto(`${api.baseUrl}/console`);
    await waitForPath(page, /^\/login$/);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/console');
  });

  it('hides administration from a requester and explains a direct visit', async () => {
    await signIn(page, api.baseUrl, requester);
    await waitForPath(page, /^\/portal\/catalog$/);
    expect(await textOf(page, '[data-testid="user-roles"]')).toBe('Requester');
    const nav = await textsOf(page, 'nav[aria-label="Main"] a');
    expect(nav).toEqual(REQUESTER_NAV);
    expect(await textOf(page, 'nav[aria-label="Main"]')).not.toMatch(/Administration|Users|Audit/);

    await page.goto(`${api.baseUrl}/admin/users`);
    await waitForText(page, '[data-testid="access-denied"]', /Access denied/);
    expect(await textOf(page, '[data-testid="access-denied"]')).toContain('identity.read');
    expect(await textOf(page, '[data-testid="access-denied"]')).toMatch(/signed in as Rita \(rita\) with the role Requester/);
    expect(await page.$('[data-testid="user-table"]')).toBeNull();
    await screenshot(page, 'access-denied');

    await page.goto(`${api.baseUrl}/audit`);
    await waitForText(page, '[data-testid="access-denied"]', /audit\.read/);
    // The server refuses the same, whatever the UI shows.
    expect((await apiGet('/users', requester.bearer)).status).toBe(403);

    // Narrow screens: the sidebar becomes a top bar with the user menu at its end.
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${api.baseUrl}/tickets/new?kind=incident`);
    await page.waitForSelector('[data-testid="new-ticket-form"]');
    // A requester may not list groups: the group is typed, not picked.
    expect(await page.$eval('#assignmentGroup', (el) => el.tagName)).toBe('INPUT');
    await screenshot(page, 'mobile-new-incident', { fullPage: false });
    await signOut('mobile-user-menu');
    await screenshot(page, 'mobile-login', { fullPage: false });
    await page.setViewport({ width: 1360, height: 900 });
  });

  it('explains a 403 from the server when permissions shrink during a session', async () => {
    // nina (agent, so identity.read) signs in; meanwhile an admin makes her a requester.
    await signIn(page, api.baseUrl, { username: 'nina', password: NINA_PASSWORD });
    await page.waitForSelector('[data-testid="nav-users"]');
    const patched = await fetch(`${api.baseUrl}/api/v1/users/nina`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: admin.bearer },
      body: JSON.stringify({ roles: ['requester'] }),
    });
    expect(patched.status).toBe(200);

    await page.click('[data-testid="nav-users"]');
    await waitForPath(page, /^\/admin\/users$/);
    await waitForText(page, '[data-testid="access-denied-detail"]', /needs the permission 'identity\.read'/);
    expect(await textOf(page, '[data-testid="access-denied"]')).toContain('See users, groups and roles');
    // The app re-read the session: the navigation now matches the shrunk permissions.
    await page.waitForSelector('[data-testid="nav-users"]', { hidden: true });
    expect(await textsOf(page, 'nav[aria-label="Main"] a')).toEqual(REQUESTER_NAV);
    await screenshot(page, 'server-403');
  });

  it('sends the user to sign in when the session ends mid-use, then back to where they were', async () => {
    // Still nina from the previous test. A new password ends all her open sessions.
    await page.waitForSelector('[data-testid="user-menu"]');
    const newPassword = 'Quiet-Meadow-Compass-77';
    const reset = await fetch(`${api.baseUrl}/api/v1/users/nina`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: admin.bearer },
      body: JSON.stringify({ password: newPassword }),
    });
    expect(reset.status).toBe(200);

    await page.click('nav[aria-label="Main"] a[href="/portal/mine"]');
    await waitForPath(page, /^\/login$/);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/portal/mine');
    await waitForText(page, '[data-testid="login-reason"]', /session has ended/);
    await screenshot(page, 'login-session-ended', { fullPage: false });

    await fill(page, '#username', 'nina');
    await fill(page, '#password', newPassword);
    await page.click('[data-testid="login-submit"]');
    await waitForPath(page, /^\/portal\/mine$/);
    await waitForText(page, 'h1', /^My requests$/);
    expect(await textOf(page, '[data-testid="user-name"]')).toBe('Nina Okafor');
  });
});
