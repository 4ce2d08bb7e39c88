import { Writable } from 'node:stream';
import pino from 'pino';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { connectStore } from '../../store/connection';
import { addUser, isolationName, mongoUri, startTestApi, type TestApi, testMasterKey } from '../setup/harness';

// Everything the API logs, at the most verbose level, to look for secrets in.
let logText = '';
const sink = new Writable({
  write(chunk, _encoding, done) {
    logText += chunk.toString();
    done();
  },
});

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ logger: pino({ level: 'trace' }, sink), corsOrigins: ['https://portal.example.com'] });
});
afterAll(() => api.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.baseUrl}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('secrets never reach the logs', () => {
  it('logs requests made with a password, a session and a token without any of them', async () => {
    const user = await addUser(api.db, 'ivy', ['admin']);
    const login = await post('/auth/login', { username: 'ivy', password: user.password });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const issued = (await (await post('/me/tokens', { name: 'ci', scopes: ['ticket.read'] }, { cookie, 'x-csrf-token': csrfToken })).json()) as { token: string };
    await fetch(`${api.baseUrl}/api/v1/tickets`, { headers: { authorization: `Bearer ${issued.token}` } });
    await post('/auth/login', { username: 'ivy', password: `${user.password}-wrong` });
    await post('/users', { username: 'jay', displayName: 'Jay', roles: [], password: 'Jay-Secret-Pass-42' }, { authorization: user.bearer });

    expect(logText).toMatch(/"path":"\/api\/v1\/auth\/login"|"path":"\/auth\/login"/);
    for (const secret of [user.password, issued.token, issued.token.slice('fdt_'.length + 16 + 1), cookie.split('=')[1]!, csrfToken, 'Jay-Secret-Pass-42', user.bearer.slice(7)]) {
      expect(logText).not.toContain(secret);
    }
    // ...and not in the audit trail either: the created user's password is not in its diff.
    const entries = JSON.stringify(await api.db.collection('audit_log').find().toArray());
    expect(entries).not.toContain('Jay-Secret-Pass-42');
    expect(entries).not.toContain(issued.token);
  });
});

describe('hardening', () => {
  it('sends security headers and no framework banner', async () => {
    const res = await fetch(`${api.baseUrl}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('allows cross-origin calls only from configured origins', async () => {
    const preflight = (origin: string) => fetch(`${api.baseUrl}/api/v1/incidents`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const allowed = await preflight('https://portal.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    expect((await preflight('https://evil.example.net')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate-limits sign-in attempts per address with a clear 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await post('/auth/login', { username: 'nobody', password: 'guess-number-' + i })).status);
    expect(statuses.slice(-1)).toEqual([429]);
    const limited = await post('/auth/login', { username: 'nobody', password: 'again' });
    expect(((await limited.json()) as { detail: string }).detail).toMatch(/too many sign-in attempts/);
  });

  it('answers a store outage with 503, Retry-After and a request id, no stack trace, and logs the details', async () => {
    const db = await connectStore(mongoUri(), isolationName());
    const app = createApp({ db, temporal: api.client, namespace: 'unused', taskQueue: 'unused', logger: pino({ level: 'error' }, sink), masterKey: testMasterKey() });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      await db.close(); // every read now fails: the store cannot be reached
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/auth/me`, { headers: { authorization: `Bearer fdt_${'A'.repeat(16)}_${'b'.repeat(43)}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { detail: string; requestId: string };
      expect(body.detail).toMatch(/database cannot be reached right now; nothing was stored/);
      expect(body.requestId).toMatch(/\S/);
      expect(JSON.stringify(body)).not.toMatch(/ at |node_modules|\.ts:\d+|MongoNotConnected|client must be connected/i);
      expect(logText).toContain(body.requestId);
    } finally {
      server.close();
    }
  });
});
