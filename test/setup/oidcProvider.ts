import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

// A real OpenID provider (oidc-provider, ESM-only, so it runs in a child process) with
// one client 'flowdesk' and one user, carol (groups it-ops and cab-members).
const PROVIDER = path.join(__dirname, '../fixtures/oidc/provider.mjs');

export interface OidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

export async function startOidcProvider(redirectUri: string, clientSecret: string): Promise<OidcProvider> {
  const child = spawn(process.execPath, [PROVIDER, '0', redirectUri, clientSecret], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the OpenID provider did not start in 20 s:\n${log}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code}):\n${log}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return; // oidc-provider's notices
      clearTimeout(timer);
      resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
  });
  return {
    issuer,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Plays the browser: follows the provider's redirects with a cookie jar, submits its
 * login form and its consent form, and returns the URL the provider sends
 * the browser back to (our redirect_uri with code, state and iss), without loading it.
 */
export async function signInAtProvider(authorizationUrl: string, redirectUri: string, login = 'carol', password = 'carol-password'): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()];
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url).href;
      if (next.startsWith(redirectUri)) return next;
      [url, init] = [next, {}];
      continue;
    }
    const html = await res.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (res.status !== 200 || !form) throw new Error(`unexpected answer from the provider at ${url}: ${res.status}\n${html.slice(0, 2000)}`);
    const fields = new URLSearchParams();
    for (const [, name, value] of form[2].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(name, value);
    if (fields.get('prompt') === 'login') {
      fields.set('login', login);
      fields.set('password', password);
    }
    url = new URL(form[1].replaceAll('&amp;', '&'), url).href;
    init = { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('the provider did not redirect back within 12 steps');
}

