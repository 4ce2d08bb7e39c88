import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

// The root tsconfig has no DOM lib; these are the few browser globals the in-page
// callbacks below use (they run in Chromium, not in Node).
declare const document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): { length: number } };
declare const location: { pathname: string };

const root = path.resolve(__dirname, '../..');

/** Builds the UI when ui/dist is missing (npm test builds it before Jest anyway). */
export function ensureUiBuilt(): void {
  if (fs.existsSync(path.join(root, 'ui', 'dist', 'index.html'))) return;
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', 'ui', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building the UI failed (exit ${result.status ?? result.signal})`);
}

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}); install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  return found;
}

export interface TestBrowser {
  browser: Browser;
  page: Page;
  /** Uncaught exceptions thrown by the app in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-dev-shm-usage', '--lang=en-US'],
    defaultViewport: { width: 1360, height: 900 },
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error instanceof Error ? error.message : String(error)));
  return { browser, page, pageErrors, close: () => browser.close() };
}

export async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<string> {
  try {
    await page.waitForFunction(
      (sel: string, source: string, flags: string) => {
        const el = document.querySelector(sel);
        return !!el && new RegExp(source, flags).test(el.textContent ?? '');
      },
      {},
      selector,
      pattern.source,
      pattern.flags,
    );
  } catch (error) {
    throw new Error(`waiting for ${selector} to match ${pattern}: ${(error as Error).message}\n${await describePage(page)}`, { cause: error });
  }
  return (await textOf(page, selector)) ?? '';
}

export async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  try {
    await page.waitForFunction((sel: string, n: number) => document.querySelectorAll(sel).length === n, {}, selector, count);
  } catch (error) {
    const actual = await page.$$eval(selector, (els) => els.length);
    throw new Error(`waiting for ${count} × ${selector} (have ${actual}): ${(error as Error).message}\n${await describePage(page)}`, { cause: error });
  }
}

export async function waitForPath(page: Page, pattern: RegExp): Promise<string> {
  try {
    await page.waitForFunction((source: string) => new RegExp(source).test(location.pathname), {}, pattern.source);
  } catch (error) {
    throw new Error(`waiting for the path to match ${pattern} (it is ${new URL(page.url()).pathname}): ${(error as Error).message}\n${await describePage(page)}`, { cause: error });
  }
  return new URL(page.url()).pathname;
}

export async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.$eval(selector, (el) => el.textContent).catch(() => null);
}

export async function textsOf(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.map((el) => (el.textContent ?? '').trim()));
}

/** Replaces an input's value by typing, as a user would. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  // After a navigation the app loads what it shows first: wait for the field (a loaded machine is slow).
  await page.waitForSelector(selector);
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  if (value) await page.type(selector, value);
}

/** What is on screen, for failure messages: any alerts, then the start of the page text. */
async function describePage(page: Page): Promise<string> {
  const alerts = await textsOf(page, '[role="alert"]').catch(() => []);
  const body = ((await textOf(page, 'body').catch(() => null)) ?? '').replace(/\s+/g, ' ').slice(0, 600);
  return `page ${page.url()}\nalerts: ${JSON.stringify(alerts)}\ntext: ${body}`;
}

/**
 * Signs in through the login page: opens `from` (the app sends a signed-out visitor to
 * /login?next=…), types the credentials and waits until the app has moved on.
 */
export async function signIn(page: Page, baseUrl: string, user: { username: string; password: string }, from = '/'): Promise<string> {
  await page.goto(`${baseUrl}${from}`);
  await waitForPath(page, /^\/login$/);
  await page.waitForSelector('[data-testid="login-form"] #username');
  await fill(page, '#username', user.username);
  await fill(page, '#password', user.password);
  await page.click('[data-testid="login-submit"]');
  try {
    await page.waitForFunction(() => location.pathname !== '/login');
  } catch (error) {
    throw new Error(`signing in as ${user.username} did not leave the login page: ${(error as Error).message}\n${await describePage(page)}`, { cause: error });
  }
  await page.waitForSelector('[data-testid="user-menu"]');
  return new URL(page.url()).pathname;
}

export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  const file = path.join('/tmp', `flowdesk-ui-${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
