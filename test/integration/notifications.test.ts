import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SMTPServer } from 'smtp-server';
import { createNotificationActivities } from '../../activities/notifications';
import type { SmtpSettings } from '../../activities/notify';
import type { TicketEvent } from '../../domain/notification/event';
import { loadWebhooks, type Webhook, WebhookCatalogError } from '../../runtime/catalog/webhooks';
import { freePort } from '../../runtime/ports';
import { deliveryModel } from '../../store/deliveries';
import { groupModel } from '../../store/groups';
import { insertNotification, notificationModel } from '../../store/notifications';
import { userModel } from '../../store/users';
import { notificationWorkflow } from '../../workflows/notification';
import { addUser, startTestApi, startTestWorker, type TestApi, temporalAddress, type TestUser, type TestWorker } from '../setup/harness';

const PUBLIC_URL = 'https://flowdesk.bank.example';
const SECRETS = { dingtalk: 'SECdingtalk-test-secret', generic: 'generic-test-secret' };

// ---- a real SMTP receiver ----
interface Mail {
  to: string[];
  raw: string;
}
const inbox: Mail[] = [];
let smtpServer: SMTPServer;
let smtp: SmtpSettings;

async function startSmtp(): Promise<void> {
  const port = await freePort();
  smtpServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.example')) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtpServer.listen(port, '127.0.0.1', resolve));
  smtp = { host: '127.0.0.1', port, secure: false, from: 'FlowDesk <flowdesk@bank.example>' };
}

/** Folded headers joined and their RFC 2047 words decoded, quoted-printable bodies decoded (as UTF-8). */
function decode(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const qp = (text: string) => text.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const headerBytes = raw
    .slice(0, split)
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, text: string) => qp(text.replace(/_/g, ' ')));
  const headers = Buffer.from(headerBytes, 'latin1').toString('utf8');
  const bytes = raw.slice(split).replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return headers + Buffer.from(bytes, 'latin1').toString('utf8');
}

// ---- a real HTTP receiver for every webhook format ----
interface Hook {
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
const hooks: Hook[] = [];
let hookServer: Server;
let hookBase: string;
const flakyCalls = new Map<string, number>();

/** What each test endpoint answers: [status, content type, body]. */
function answerFor(pathname: string, deliveryId: string): [number, string, string] {
  if (pathname === '/flaky') {
    // Fails the first time for each delivery, then takes it.
    const calls = (flakyCalls.get(deliveryId) ?? 0) + 1;
    flakyCalls.set(deliveryId, calls);
    return calls === 1 ? [500, 'text/plain', 'temporarily broken'] : [200, 'text/plain', 'ok'];
  }
  if (pathname === '/broken') return [400, 'text/plain', 'invalid_payload'];
  if (pathname === '/wecom' || pathname === '/dingtalk') return [200, 'application/json', '{"errcode":0,"errmsg":"ok"}'];
  if (pathname === '/teams') return [202, 'text/plain', ''];
  return [200, 'text/plain', 'ok'];
}

async function startHooks(): Promise<void> {
  hookServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      hooks.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const [status, type, text] = answerFor(url.pathname, String(req.headers['x-flowdesk-delivery']));
      res.writeHead(status, { 'content-type': type }).end(text);
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  hookBase = `http://127.0.0.1:${(hookServer.address() as { port: number }).port}`;
}

const hooksAt = (p: string) => hooks.filter((h) => h.path === p);

/** A catalog folder holding only notifications/webhooks.yaml. */
function catalogWith(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-catalog-'));
  fs.mkdirSync(path.join(dir, 'notifications'));
  fs.writeFileSync(path.join(dir, 'notifications', 'webhooks.yaml'), yaml);
  return dir;
}

const WEBHOOKS_YAML = `
webhooks:
  - name: chat-slack
    format: slack
    url: \${HOOK_BASE}/slack
  - name: chat-teams
    format: teams
    url: \${HOOK_BASE}/teams
    events: [commented, created]
  - name: chat-wecom
    format: wecom
    url: \${HOOK_BASE}/wecom?key=abc
    kinds: [incident]
  - name: chat-dingtalk
    format: dingtalk
    url: \${HOOK_BASE}/dingtalk?access_token=tok
    secret: \${DINGTALK_SECRET}
    priorities: [P1, P2]
  - name: integration
    format: generic
    url: \${HOOK_BASE}/generic
    secret: \${GENERIC_SECRET}
    groups: [payments]
  - name: flaky
    format: generic
    url: \${HOOK_BASE}/flaky
    events: [commented]
  - name: broken
    format: generic
    url: \${HOOK_BASE}/broken
    events: [commented]
  - name: changes-only
    format: slack
    url: \${HOOK_BASE}/changes
    kinds: [change]
  - name: not-configured
    format: slack
    url: \${UNSET_WEBHOOK_URL}
`;

let api: TestApi;
let worker: TestWorker;
let webhooks: Webhook[];
const warnings: string[] = [];
let notifyQueue: string;
let rita: TestUser;
let dave: TestUser;
let nina: TestUser;

beforeAll(async () => {
  await Promise.all([startSmtp(), startHooks()]);
  api = await startTestApi();
  webhooks = loadWebhooks(catalogWith(WEBHOOKS_YAML), {
    env: { HOOK_BASE: hookBase, DINGTALK_SECRET: SECRETS.dingtalk, GENERIC_SECRET: SECRETS.generic },
    warn: (message) => warnings.push(message),
  });
  notifyQueue = `${api.taskQueue}-notify`;
  worker = await startTestWorker(api.db, notifyQueue, api.dbName, { smtp, webhooks, publicUrl: PUBLIC_URL });

  rita = await addUser(api.db, 'rita', ['requester']);
  dave = await addUser(api.db, 'dave', ['agent'], ['payments']);
  nina = await addUser(api.db, 'nina', ['requester']);
  await addUser(api.db, 'carol', ['agent'], ['payments']);
  await addUser(api.db, 'walt', ['requester']);
  await addUser(api.db, 'ghost', ['requester']);
  await addUser(api.db, 'olga', ['agent']);
  const users = userModel(api.db);
  await users.updateOne({ _id: 'rita' }, { $set: { email: 'rita@bank.example' } }).exec();
  await users.updateOne({ _id: 'dave' }, { $set: { email: 'dave@bank.example', displayName: 'Dave Agent' } }).exec();
  await users.updateOne({ _id: 'ghost' }, { $set: { email: 'ghost@refused.example' } }).exec();
  await users.updateOne({ _id: 'olga' }, { $set: { email: 'olga@bank.example', active: false } }).exec();
  await groupModel(api.db).updateOne({ _id: 'payments' }, { $set: { manager: 'carol' } }).exec();
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await new Promise<void>((resolve) => smtpServer.close(() => resolve()));
  hookServer.closeAllConnections();
  await new Promise((resolve) => hookServer.close(resolve));
});

function ticketEvent(type: TicketEvent['type'], version: number, detail: TicketEvent['detail'] = {}): TicketEvent {
  return {
    id: `INC0000042/${version}/${type}`,
    type,
    at: new Date(Date.UTC(2026, 2, 2, 9, version)).toISOString(),
    actor: 'carol',
    detail,
    ticket: {
      number: 'INC0000042',
      kind: 'incident',
      title: 'Card payments fail — 支付失败',
      priority: 'P1',
      state: 'in_progress',
      assignmentGroup: 'payments',
      assignee: 'dave',
      openedBy: 'rita',
      watchers: ['walt', 'ghost', 'olga'],
    },
  };
}

async function call(method: string, p: string, user: TestUser | null, body?: unknown) {
  const res = await fetch(`${api.baseUrl}/api/v1${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(user && { authorization: user.bearer }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

describe('the outgoing webhook catalog', () => {
  it('fills in ${VARIABLES} and leaves out, with a warning, a webhook whose variable is unset', () => {
    expect(webhooks.map((w) => w.name)).toEqual(['chat-slack', 'chat-teams', 'chat-wecom', 'chat-dingtalk', 'integration', 'flaky', 'broken', 'changes-only']);
    expect(webhooks.find((w) => w.name === 'chat-dingtalk')).toMatchObject({ url: `${hookBase}/dingtalk?access_token=tok`, secret: SECRETS.dingtalk, priorities: ['P1', 'P2'] });
    expect(warnings).toEqual([expect.stringMatching(/^webhook 'not-configured' is disabled: UNSET_WEBHOOK_URL is not set \(.*webhooks\.yaml\)$/)]);
  });

  it('ships examples that are all off until their variables are set', () => {
    const shipped: string[] = [];
    expect(loadWebhooks(path.resolve(__dirname, '../../catalog'), { env: {}, warn: (m) => shipped.push(m) })).toEqual([]);
    expect(shipped.length).toBeGreaterThanOrEqual(4);
    const slack = loadWebhooks(path.resolve(__dirname, '../../catalog'), { env: { FLOWDESK_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x' }, warn: () => undefined });
    expect(slack).toEqual([expect.objectContaining({ name: 'ops-slack', format: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x', secret: null })]);
  });

  it('names the file and the field of each mistake', () => {
    const load = (yaml: string) => () => loadWebhooks(catalogWith(yaml), { env: { URL: 'https://x.example/hook', BAD: 'not a url' }, warn: () => undefined });
    expect(load('webhooks:\n  - name: a\n    format: telegram\n    url: https://x\n    event: [created]\n')).toThrow(WebhookCatalogError);
    expect(load('webhooks:\n  - name: a\n    format: telegram\n    url: https://x\n    event: [created]\n')).toThrow(/webhooks\.yaml is invalid:\n {2}webhooks\[0\] \(a\)\.format: .*slack.*\n {2}webhooks\[0\] \(a\): unknown field\(s\) event/);
    expect(load('webhooks:\n  - name: a\n    format: slack\n    url: https://x\n    events: [exploded]\n')).toThrow(/webhooks\[0\] \(a\)\.events\.0: /);
    expect(load('webhooks:\n  - name: Bad Name\n    format: slack\n    url: https://x\n')).toThrow(/webhooks\[0\] \(Bad Name\)\.name: must be lower-case/);
    expect(load('webhooks:\n  - { name: a, format: slack, url: "${URL}" }\n  - { name: a, format: teams, url: "${URL}" }\n')).toThrow(/webhooks\[1\] \(a\)\.name: another webhook already has this name/);
    expect(load('webhooks:\n  - { name: a, format: slack, url: "${BAD}" }\n')).toThrow(/webhooks\[0\] \(a\)\.url: must be an http:\/\/ or https:\/\/ URL/);
    expect(load('webhooks:\n  - { name: a, format: slack, url: "${BAD}" }\n')).not.toThrow(/not a url/);
    expect(load('webhooks: [\n')).toThrow(/webhooks\.yaml: not valid YAML/);
  });

  it('treats a missing file as no webhooks', () => {
    expect(loadWebhooks(fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-empty-')))).toEqual([]);
  });
});

describe('delivering a ticket event (notificationWorkflow on a real worker)', () => {
  const comment = ticketEvent('commented', 4, { text: 'Rolled back the gateway to v1.8' });
  let summary: { delivered: number; failed: number };

  beforeAll(async () => {
    summary = await api.client.workflow.execute(notificationWorkflow, { taskQueue: notifyQueue, workflowId: `notify/${comment.id}`, args: [comment] });
  });

  it('delivers to each subscriber once per channel, and records every delivery', async () => {
    // In-app: rita (requester), dave (assignee), walt and ghost (watchers); not carol (the actor), not olga (inactive).
    // Email: rita, dave and ghost (refused by the server); walt has no address.
    // Webhooks: every one whose filters match; not changes-only.
    const records = await deliveryModel(api.db).find({ event: comment.id }).lean().exec();
    const byId = Object.fromEntries(records.map((r) => [r._id.slice(comment.id.length + 1), r]));
    expect(Object.keys(byId).sort()).toEqual([
      'email/dave',
      'email/ghost',
      'email/rita',
      'in_app/dave',
      'in_app/ghost',
      'in_app/rita',
      'in_app/walt',
      'webhook/broken',
      'webhook/chat-dingtalk',
      'webhook/chat-slack',
      'webhook/chat-teams',
      'webhook/chat-wecom',
      'webhook/flaky',
      'webhook/integration',
    ]);
    expect(summary).toEqual({ delivered: 12, failed: 2 });
    expect(byId['in_app/rita']).toMatchObject({ state: 'delivered', attempts: 1, error: null, channel: 'in_app', recipient: 'rita', ticket: 'INC0000042', type: 'commented' });
    expect(byId['email/ghost']).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringMatching(/refused the message to ghost@refused\.example/) });
  });

  it('retries a webhook that answers 500, and records it delivered on the second attempt', async () => {
    expect(hooksAt('/flaky')).toHaveLength(2);
    expect(await deliveryModel(api.db).findById(`${comment.id}/webhook/flaky`).lean().exec()).toMatchObject({ state: 'delivered', attempts: 2, error: null });
  });

  it('gives up at once on a webhook that answers 400, and records why', async () => {
    expect(hooksAt('/broken')).toHaveLength(1);
    expect(await deliveryModel(api.db).findById(`${comment.id}/webhook/broken`).lean().exec()).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: "webhook 'broken' answered HTTP 400: invalid_payload",
    });
  });

  it('sends the email rendered from the template, with the ticket link', () => {
    const toRita = inbox.find((m) => m.to.includes('rita@bank.example'));
    const toDave = inbox.find((m) => m.to.includes('dave@bank.example'));
    expect(inbox.filter((m) => m.to.includes('walt@bank.example') || m.to.includes('carol@bank.example'))).toEqual([]);
    const body = decode(toDave!.raw);
    expect(body).toMatch(/^Subject: \[INC0000042\] New comment from carol: Card payments fail/m);
    expect(body).toMatch(/^Message-ID: <INC0000042\.4\.commented\.email\.dave@flowdesk>\r?$/im);
    expect(body).toContain('Hello Dave Agent,');
    expect(body).toContain('Rolled back the gateway to v1.8');
    expect(body).toContain(`${PUBLIC_URL}/tickets/INC0000042`);
    expect(toRita).toBeDefined();
  });

  it('stores one in-app notification per person, with the rendered subject', async () => {
    const rows = await notificationModel(api.db).find({ ticket: 'INC0000042', type: 'commented' }).sort({ user: 1 }).lean().exec();
    expect(rows.map((r) => r.user)).toEqual(['dave', 'ghost', 'rita', 'walt']);
    expect(rows[0]).toMatchObject({ _id: `${comment.id}/in_app/dave`, title: 'Card payments fail — 支付失败', text: '[INC0000042] New comment from carol: Card payments fail — 支付失败', at: comment.at, readAt: null });
  });

  it('posts Slack blocks, a Teams Adaptive Card and WeCom markdown', () => {
    const slack = JSON.parse(hooksAt('/slack')[0]!.body);
    expect(slack.text).toContain('New comment from carol');
    expect(slack.blocks[0].text.text).toContain(`<${PUBLIC_URL}/tickets/INC0000042|INC0000042>`);
    const teams = JSON.parse(hooksAt('/teams')[0]!.body);
    expect(teams).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }] });
    const wecom = hooksAt('/wecom')[0]!;
    expect(wecom.query.get('key')).toBe('abc');
    expect(JSON.parse(wecom.body)).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining('支付失败') } });
    expect(wecom.headers['content-type']).toMatch(/^application\/json/);
  });

  it('signs DingTalk messages with timestamp and sign as DingTalk checks them', () => {
    const dingtalk = hooksAt('/dingtalk')[0]!;
    expect(dingtalk.query.get('access_token')).toBe('tok');
    const timestamp = dingtalk.query.get('timestamp')!;
    expect(Math.abs(Date.now() - Number(timestamp))).toBeLessThan(60 * 60_000);
    const expected = createHmac('sha256', SECRETS.dingtalk).update(`${timestamp}\n${SECRETS.dingtalk}`).digest('base64');
    expect(dingtalk.query.get('sign')).toBe(expected);
    expect(JSON.parse(dingtalk.body)).toMatchObject({ msgtype: 'markdown', markdown: { title: expect.stringContaining('INC0000042'), text: expect.stringContaining('FlowDesk') } });
  });

  it('signs generic webhooks with an HMAC of the body, and sends the event plus its link', () => {
    const generic = hooksAt('/generic')[0]!;
    expect(generic.headers['x-flowdesk-signature']).toBe(`sha256=${createHmac('sha256', SECRETS.generic).update(generic.body).digest('hex')}`);
    expect(generic.headers['x-flowdesk-event']).toBe('commented');
    expect(generic.headers['x-flowdesk-delivery']).toBe(`${comment.id}/webhook/integration`);
    expect(JSON.parse(generic.body)).toEqual({ ...comment, url: `${PUBLIC_URL}/tickets/INC0000042` });
  });

  it('lists the recorded deliveries of a ticket to agents, and to no one else', async () => {
    const reply = await call('GET', '/notification-deliveries?ticket=INC0000042&limit=100', dave);
    expect(reply.status).toBe(200);
    expect(reply.body.items).toHaveLength(14);
    expect(reply.body.items).toContainEqual({
      id: `${comment.id}/webhook/broken`,
      event: comment.id,
      type: 'commented',
      ticket: 'INC0000042',
      channel: 'webhook',
      recipient: 'broken',
      state: 'failed',
      attempts: 1,
      error: "webhook 'broken' answered HTTP 400: invalid_payload",
      at: expect.any(String),
    });
    const first = await call('GET', '/notification-deliveries?ticket=INC0000042&limit=10', dave);
    const second = await call('GET', `/notification-deliveries?ticket=INC0000042&limit=10&cursor=${first.body.nextCursor}`, dave);
    expect(second.body.nextCursor).toBeNull();
    expect(new Set([...first.body.items, ...second.body.items].map((d: { id: string }) => d.id)).size).toBe(14);
    expect((await call('GET', '/notification-deliveries?ticket=INC0000042', rita)).status).toBe(403);
    const bad = await call('GET', '/notification-deliveries?ticket=42', dave);
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^application\/problem\+json/);
  });
});

describe('announce(): the ticket workflow hands an event to its notification workflow', () => {
  let announcer: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  const queue = `announce-${randomUUID()}`;

  beforeAll(async () => {
    // A stand-in for the ticket workflow: announces the same event twice, as a retry or a
    // replay would. Written to a temporary file and bundled with the real workflows.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-announce-'));
    const file = path.join(dir, 'announcingTicket.ts');
    const root = path.resolve(__dirname, '../..');
    fs.writeFileSync(
      file,
      [
        `import { announce } from ${JSON.stringify(path.join(root, 'workflows/announce'))};`,
        `export { notificationWorkflow } from ${JSON.stringify(path.join(root, 'workflows/notification'))};`,
        'export async function announcingTicket(event: any): Promise<string> {',
        '  await announce(event);',
        '  await announce(event);',
        "  return 'announced';",
        '}',
      ].join('\n'),
    );
    connection = await NativeConnection.connect({ address: temporalAddress() });
    announcer = await Worker.create({
      connection,
      namespace: api.dbName,
      taskQueue: queue,
      workflowsPath: file,
      bundlerOptions: { webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, modules: [path.join(root, 'node_modules'), 'node_modules'] } }) },
      activities: createNotificationActivities(api.db, { smtp: null, webhooks: [], publicUrl: PUBLIC_URL }),
    });
    running = announcer.run();
  });

  afterAll(async () => {
    announcer.shutdown();
    await running;
    await connection.close();
  });

  it('starts one notification workflow per event, which outlives the ticket and delivers once', async () => {
    const event = ticketEvent('state_changed', 7, { from: 'new', to: 'in_progress' });
    const first = await api.client.workflow.execute('announcingTicket', { taskQueue: queue, workflowId: `ticket/${randomUUID()}`, args: [event] });
    expect(first).toBe('announced');
    const child = api.client.workflow.getHandle(`notify/${event.id}`);
    expect(await child.result()).toEqual({ delivered: 4, failed: 0 }); // in-app: rita, dave, walt, ghost
    const { runId } = await child.describe();

    // Announced again after it finished (a ticket run that continued as new): not run twice.
    expect(await api.client.workflow.execute('announcingTicket', { taskQueue: queue, workflowId: `ticket/${randomUUID()}`, args: [event] })).toBe('announced');
    expect((await api.client.workflow.getHandle(`notify/${event.id}`).describe()).runId).toBe(runId);
    expect(await notificationModel(api.db).countDocuments({ _id: { $regex: `^INC0000042/7/` } }).exec()).toBe(4);
  });
});

describe('in-app notifications API', () => {
  const base = Date.UTC(2026, 3, 1, 8, 0);
  const ids = Array.from({ length: 5 }, (_, i) => `INC0000050/${i + 1}/assigned/in_app/nina`);

  beforeAll(async () => {
    for (const [i, id] of ids.entries()) {
      await insertNotification(api.db, { _id: id, user: 'nina', type: 'assigned', ticket: 'INC0000050', title: 'VPN down', text: `[INC0000050] event ${i + 1}`, at: new Date(base + i * 60_000).toISOString() });
    }
    await insertNotification(api.db, { _id: 'INC0000050/1/assigned/in_app/rita', user: 'rita', type: 'assigned', ticket: 'INC0000050', title: 'VPN down', text: 'x', at: new Date(base).toISOString() });
  });

  it('lists my notifications newest first, page by page', async () => {
    const first = await call('GET', '/me/notifications?limit=3', nina);
    expect(first.status).toBe(200);
    expect(first.body.items.map((n: { id: string }) => n.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(first.body.items[0]).toEqual({ id: ids[4], type: 'assigned', ticket: 'INC0000050', title: 'VPN down', text: '[INC0000050] event 5', at: new Date(base + 4 * 60_000).toISOString(), readAt: null });
    const second = await call('GET', `/me/notifications?limit=3&cursor=${first.body.nextCursor}`, nina);
    expect(second.body.items.map((n: { id: string }) => n.id)).toEqual([ids[1], ids[0]]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('counts, marks one read (keeping the first time), filters unread, then marks all read', async () => {
    expect((await call('GET', '/me/notifications/unread-count', nina)).body).toEqual({ unread: 5 });
    const read = await call('POST', `/me/notifications/${encodeURIComponent(ids[2]!)}/read`, nina);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: ids[2], readAt: expect.any(String) });
    const again = await call('POST', `/me/notifications/${encodeURIComponent(ids[2]!)}/read`, nina);
    expect(again.body.readAt).toBe(read.body.readAt);
    expect((await call('GET', '/me/notifications/unread-count', nina)).body).toEqual({ unread: 4 });
    const unread = await call('GET', '/me/notifications?unread=true', nina);
    expect(unread.body.items.map((n: { id: string }) => n.id)).toEqual([ids[4], ids[3], ids[1], ids[0]]);

    expect((await call('POST', '/me/notifications/read-all', nina)).body).toEqual({ updated: 4 });
    expect((await call('GET', '/me/notifications/unread-count', nina)).body).toEqual({ unread: 0 });
    expect((await call('GET', '/me/notifications?unread=true', nina)).body.items).toEqual([]);
    // Someone else's stay as they were.
    expect((await call('GET', '/me/notifications/unread-count', rita)).body.unread).toBeGreaterThan(0);
  });

  it("answers someone else's notification exactly like a missing one", async () => {
    for (const id of ['INC0000050/1/assigned/in_app/rita', 'INC0000050/9/assigned/in_app/nina']) {
      const reply = await call('POST', `/me/notifications/${encodeURIComponent(id)}/read`, nina);
      expect(reply.status).toBe(404);
      expect(reply.type).toMatch(/^application\/problem\+json/);
      expect(reply.body.detail).toBe(`you have no notification ${id}`);
    }
    expect((await notificationModel(api.db).findById('INC0000050/1/assigned/in_app/rita').lean().exec())?.readAt).toBeNull();
  });

  it('refuses bad ids, cursors and filters with a problem naming the field', async () => {
    const badId = await call('POST', '/me/notifications/not-an-id/read', nina);
    expect(badId.status).toBe(400);
    expect(badId.type).toMatch(/^application\/problem\+json/);
    expect(badId.body.errors).toEqual([{ field: 'params.id', message: expect.stringMatching(/not a notification id/) }]);
    const badCursor = await call('GET', '/me/notifications?cursor=garbage', nina);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors).toEqual([{ field: 'query.cursor', message: 'invalid cursor' }]);
    expect((await call('GET', '/me/notifications?unread=yes', nina)).body.errors[0].field).toBe('query.unread');
    expect((await call('GET', '/me/notifications?limit=0', nina)).status).toBe(400);
    expect((await call('GET', '/me/notifications?sort=at', nina)).body.detail).toMatch(/unknown field\(s\): sort/);
  });

  it('needs a signed-in caller', async () => {
    for (const [method, p] of [
      ['GET', '/me/notifications'],
      ['GET', '/me/notifications/unread-count'],
      ['POST', `/me/notifications/${encodeURIComponent(ids[0]!)}/read`],
      ['POST', '/me/notifications/read-all'],
      ['GET', '/notification-deliveries?ticket=INC0000042'],
    ] as const) {
      const reply = await call(method, p, null);
      expect(reply.status).toBe(401);
      expect(reply.type).toMatch(/^application\/problem\+json/);
    }
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json', null)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/me/notifications', '/me/notifications/unread-count', '/me/notifications/{id}/read', '/me/notifications/read-all', '/notification-deliveries']));
    expect(doc.paths['/me/notifications/{id}/read'].post['x-permission']).toBe('authenticated');
    expect(doc.paths['/notification-deliveries'].get['x-permission']).toBe('ticket.act');
  });
});
