/**
 * Ticket benchmark on the embedded stack (Temporal dev server + FerretDB + API + worker).
 * Not part of `npm test`; it measures and reports, it never asserts timings.
 *
 *   npx tsx bench/tickets.ts
 *
 * Sizes come from the environment; see bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Connection as StoreConnection } from 'mongoose';
import { hashPassword } from '../api/auth/passwords';
import type { Incident } from '../domain/ticket/incident';
import { permissionsOf } from '../domain/identity/permissions';
import { type Level } from '../domain/priority';
import { loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/log';
import { freePort } from '../runtime/ports';
import { type Stack, startStack } from '../runtime/stack';
import { groupModel } from '../store/groups';
import { roleDefinitions } from '../store/roles';
import { issueToken } from '../store/tokens';
import { insertUser } from '../store/users';
import { envInt, type LatencySummary, progressEvery, runPool, summarize, table } from './lib/measure';
import { seedIncidents } from './lib/seedIncidents';
import { emptyWorkflow } from './workflows';

const settings = {
  /** (a) incidents created through the API, and empty workflows started on the raw server. */
  createCount: envInt('BENCH_CREATE_COUNT', 300),
  createConcurrency: envInt('BENCH_CREATE_CONCURRENCY', 16),
  /** (b) concurrent agents, and incidents each walks through assign→start→resolve→close. */
  agents: envInt('BENCH_AGENTS', 16),
  incidentsPerAgent: envInt('BENCH_INCIDENTS_PER_AGENT', 10),
  /** (c) seeded incident projections, insertMany batch size, timed listing requests. */
  listTickets: envInt('BENCH_LIST_TICKETS', 100_000),
  seedBatch: envInt('BENCH_SEED_BATCH', 1000),
  listRequests: envInt('BENCH_LIST_REQUESTS', 200),
  /** Timed requests of the `all` queue, which reads every ticket document (tens of seconds each at 100,000). */
  historyRequests: process.env.BENCH_HISTORY_REQUESTS === '0' ? 0 : envInt('BENCH_HISTORY_REQUESTS', 3),
  listConcurrency: envInt('BENCH_LIST_CONCURRENCY', 1),
  /** Optional cap in seconds per listing variant (0 = none); the report shows how many requests ran. */
  listBudgetSeconds: process.env.BENCH_LIST_BUDGET_S ? envInt('BENCH_LIST_BUDGET_S', 1) : 0,
};

const RAW_TASK_QUEUE = 'bench-empty';
const BENCH_USER = 'bench-admin';

const say = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Api {
  baseUrl: string;
  bearer: string;
}

async function call<T>(api: Api, method: 'GET' | 'POST', url: string, expected: number, body?: unknown): Promise<T> {
  const response = await fetch(`${api.baseUrl}/api/v1${url}`, {
    method,
    headers: { authorization: api.bearer, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function addBenchAdmin(db: StoreConnection): Promise<string> {
  await insertUser(db, { username: BENCH_USER, displayName: 'Bench admin', roles: ['admin'], passwordHash: await hashPassword(`bench-${Date.now()}-${Math.random()}`) });
  const permissions = permissionsOf(['admin'], await roleDefinitions(db));
  const { token } = await issueToken(db, BENCH_USER, 'bench', [...permissions], null);
  // The assignment rules route the bench's incidents to service-desk; the bench admin works there.
  const now = new Date().toISOString();
  await groupModel(db).updateOne({ _id: 'service-desk' }, { $addToSet: { members: BENCH_USER }, $setOnInsert: { displayName: 'Service desk', manager: null, createdAt: now, updatedAt: now } }, { upsert: true }).exec();
  return `Bearer ${token}`;
}

const LEVELS: Level[] = [1, 2, 3];
function newIncidentBody(i: number) {
  return { title: `Bench incident ${i}`, description: 'Created by bench/tickets.ts', impact: LEVELS[i % 3]!, urgency: LEVELS[Math.floor(i / 3) % 3]! };
}

// ---------------------------------------------------------------- (a) creation rate

async function benchCreate(api: Api) {
  const { createCount: n, createConcurrency: c } = settings;
  say(`(a) creating ${n} incidents through POST /api/v1/incidents, concurrency ${c}`);
  const pool = await runPool(n, c, (i) => call<Incident>(api, 'POST', '/incidents', 201, newIncidentBody(i)), progressEvery(say, 'created'));
  say(`(a) FlowDesk: ${pool.perSecond} incidents/s (${pool.latenciesMs.length} ok, ${pool.errors} failed, ${Math.round(pool.elapsedMs)} ms)`);
  for (const message of pool.firstErrors) say(`  error: ${message}`);
  const numbers = pool.results.filter((r): r is Incident => r !== undefined).map((r) => r.number);
  return { pool, numbers };
}

async function benchRawTemporal(stack: Stack, runId: string) {
  const { createCount: n, createConcurrency: c } = settings;
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: RAW_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
  });
  const running = worker.run();
  try {
    const client = new Client({ connection, namespace: 'default' });
    say(`(a) raw Temporal: starting ${n} empty workflows (client.workflow.start), concurrency ${c}`);
    const start = await runPool(n, c, (i) => client.workflow.start(emptyWorkflow, { taskQueue: RAW_TASK_QUEUE, workflowId: `bench-${runId}-start-${i}` }), progressEvery(say, 'started'));
    say(`(a) raw start: ${start.perSecond} workflows/s; waiting for them to finish (untimed) before the next phase`);
    await Promise.all(start.results.map((handle) => handle?.result().catch(() => undefined)));

    say(`(a) raw Temporal: start + result of ${n} empty workflows, concurrency ${c}`);
    const execute = await runPool(
      n,
      c,
      (i) => client.workflow.execute(emptyWorkflow, { taskQueue: RAW_TASK_QUEUE, workflowId: `bench-${runId}-exec-${i}` }),
      progressEvery(say, 'executed'),
    );
    say(`(a) raw start+result: ${execute.perSecond} workflows/s`);
    for (const message of [...start.firstErrors, ...execute.firstErrors]) say(`  error: ${message}`);
    return { start, execute };
  } finally {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  }
}

// ---------------------------------------------------------------- (b) action round trips

const ACTIONS = [
  { type: 'assign', body: { assignee: BENCH_USER } },
  { type: 'start', body: {} },
  { type: 'resolve', body: { resolutionCode: 'fixed', resolutionNotes: 'Resolved by bench/tickets.ts' } },
  { type: 'close', body: {} },
] as const;

async function benchActions(api: Api, available: string[]) {
  const { agents, incidentsPerAgent } = settings;
  const needed = agents * incidentsPerAgent;
  const numbers = available.slice(0, needed);
  if (numbers.length < needed) {
    say(`(b) creating ${needed - numbers.length} more incidents for the agents (untimed)`);
    const extra = await runPool(needed - numbers.length, settings.createConcurrency, (i) => call<Incident>(api, 'POST', '/incidents', 201, newIncidentBody(i)));
    numbers.push(...extra.results.filter((r): r is Incident => r !== undefined).map((r) => r.number));
  }
  say(`(b) ${agents} agents, ${incidentsPerAgent} incidents each: assign → start → resolve → close`);
  const latencies: Record<string, number[]> = Object.fromEntries(ACTIONS.map((a) => [a.type, []]));
  const errors: Record<string, number> = Object.fromEntries(ACTIONS.map((a) => [a.type, 0]));
  const firstErrors: string[] = [];
  let walked = 0;
  const progress = progressEvery(say, 'incidents walked to closed');
  const started = performance.now();
  await Promise.all(
    Array.from({ length: agents }, async (_, agent) => {
      for (let k = 0; k < incidentsPerAgent; k++) {
        const number = numbers[agent * incidentsPerAgent + k];
        if (!number) return;
        for (const action of ACTIONS) {
          const t0 = performance.now();
          try {
            await call<Incident>(api, 'POST', `/tickets/${number}/actions/${action.type}`, 200, action.body);
            latencies[action.type]!.push(performance.now() - t0);
          } catch (error) {
            errors[action.type]!++;
            if (firstErrors.length < 5) firstErrors.push((error as Error).message);
            break;
          }
        }
        progress(++walked, numbers.length);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const total = Object.values(latencies).reduce((sum, l) => sum + l.length, 0);
  const perAction = Object.fromEntries(ACTIONS.map((a) => [a.type, summarize(latencies[a.type]!, errors[a.type])])) as Record<string, LatencySummary>;
  const all = summarize(Object.values(latencies).flat(), Object.values(errors).reduce((s, e) => s + e, 0));
  say(`(b) ${total} actions in ${Math.round(elapsedMs)} ms: ${Math.round((total / elapsedMs) * 100_000) / 100} actions/s`);
  for (const message of firstErrors) say(`  error: ${message}`);
  return { perAction, all, elapsedMs, actionsPerSecond: Math.round((total / elapsedMs) * 100_000) / 100 };
}

// ---------------------------------------------------------------- (c) queue listing

interface Page {
  items: Incident[];
  nextCursor: string | null;
}

async function benchListing(api: Api) {
  const { listRequests, historyRequests, listConcurrency: c } = settings;
  const first = await call<Page>(api, 'GET', '/tickets?queue=recent&limit=50', 200);
  if (!first.nextCursor) throw new Error('the first page has no next cursor: nothing to page through');
  const cursor = encodeURIComponent(first.nextCursor);
  // The work queues come from the queue index; `all` (every ticket ever) reads the ticket documents.
  const variants = [
    { name: 'queue=mine', url: '/tickets?queue=mine&limit=50', n: listRequests },
    { name: 'queue=unassigned', url: '/tickets?queue=unassigned&limit=50', n: listRequests },
    { name: 'queue=breaching', url: '/tickets?queue=breaching&limit=50', n: listRequests },
    { name: 'queue=recent&state=in_progress', url: '/tickets?queue=recent&state=in_progress&limit=50', n: listRequests },
    { name: 'queue=recent, 2nd page (cursor)', url: `/tickets?queue=recent&limit=50&cursor=${cursor}`, n: listRequests },
    { name: 'queue=recent&q=vpn', url: '/tickets?queue=recent&q=vpn&limit=50', n: listRequests },
    { name: 'queue=all (history, documents)', url: '/tickets?queue=all&limit=50', n: historyRequests },
  ];
  const out: Record<string, LatencySummary> = {};
  for (const { n, ...variant } of variants) {
    if (n === 0) continue;
    say(`(c) ${n} × GET /api/v1${variant.url.slice(0, 60)}, concurrency ${c}`);
    await call<Page>(api, 'GET', variant.url, 200); // warm-up, untimed
    const deadline = settings.listBudgetSeconds ? performance.now() + settings.listBudgetSeconds * 1000 : Infinity;
    let skipped = 0;
    const timed: number[] = [];
    const pool = await runPool(
      n,
      c,
      async () => {
        if (performance.now() > deadline) {
          skipped++;
          return;
        }
        const t0 = performance.now();
        const page = await call<Page>(api, 'GET', variant.url, 200);
        timed.push(performance.now() - t0);
        if (page.items.length !== 50) throw new Error(`expected 50 items, got ${page.items.length}`);
      },
      progressEvery(say, 'requests', 10_000),
    );
    if (skipped) say(`  BENCH_LIST_BUDGET_S=${settings.listBudgetSeconds} reached: ${n - skipped} of ${n} requests ran`);
    out[variant.name] = summarize(timed, pool.errors);
    say(`  p50 ${out[variant.name]!.p50Ms} ms, p95 ${out[variant.name]!.p95Ms} ms, p99 ${out[variant.name]!.p99Ms} ms`);
    for (const message of pool.firstErrors) say(`  error: ${message}`);
  }
  return out;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-bench-'));
  const [port, temporalPort, temporalUiPort, mongoPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn', 'flowdesk-bench');
  let stack: Stack | undefined;
  let stopping: Promise<void> | undefined;
  const cleanup = () =>
    (stopping ??= (async () => {
      try {
        if (stack) {
          say('stopping the stack');
          await stack.stop();
        }
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: shutting down`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say(`settings ${JSON.stringify(settings)}`);
    say(`starting the embedded stack in ${dataDir}`);
    const t0 = performance.now();
    const config = loadConfig({
      FLOWDESK_DATA_DIR: dataDir,
      FLOWDESK_PORT: String(port),
      FLOWDESK_TEMPORAL_PORT: String(temporalPort),
      FLOWDESK_TEMPORAL_UI_PORT: String(temporalUiPort),
      FLOWDESK_MONGO_PORT: String(mongoPort),
      FLOWDESK_LOG_LEVEL: 'warn',
    });
    stack = await startStack(config, { say: (m) => say(`  ${m}`), logger, api: true, worker: true, zones: [] });
    const startupMs = Math.round(performance.now() - t0);
    say(`stack up in ${startupMs} ms: API ${stack.apiUrl}, Temporal ${stack.temporalAddress}, store ${stack.storeUri}`);
    const api: Api = { baseUrl: stack.apiUrl!, bearer: await addBenchAdmin(stack.db) };

    // Warm-up: the first workflow task and first requests pay one-time costs (bundle load, JIT, connections).
    await call<Incident>(api, 'POST', '/incidents', 201, newIncidentBody(0));

    const create = await benchCreate(api);
    const raw = await benchRawTemporal(stack, runId);
    const actions = await benchActions(api, create.numbers);
    const seeded = await seedIncidents(stack.db, { count: settings.listTickets, seedBatch: settings.seedBatch, assignee: BENCH_USER, say });
    const listing = await benchListing(api);

    const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
    const result = {
      benchmark: 'tickets',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version },
      settings,
      startupMs,
      create: {
        flowdesk: { perSecond: create.pool.perSecond, ok: create.pool.latenciesMs.length, errors: create.pool.errors, elapsedMs: Math.round(create.pool.elapsedMs), latency: summarize(create.pool.latenciesMs, create.pool.errors) },
        rawStart: { perSecond: raw.start.perSecond, errors: raw.start.errors, elapsedMs: Math.round(raw.start.elapsedMs), latency: summarize(raw.start.latenciesMs, raw.start.errors) },
        rawStartAndResult: { perSecond: raw.execute.perSecond, errors: raw.execute.errors, elapsedMs: Math.round(raw.execute.elapsedMs), latency: summarize(raw.execute.latenciesMs, raw.execute.errors) },
        ratioFlowDeskToRawStart: ratio(create.pool.perSecond, raw.start.perSecond),
        ratioFlowDeskToRawStartAndResult: ratio(create.pool.perSecond, raw.execute.perSecond),
      },
      actions,
      listing: { seeded, requests: listing },
    };

    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `tickets-${runId}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

    const c = result.create;
    process.stdout.write(
      [
        '',
        `Summary (${result.machine.cpus} cores, ${result.machine.cpuModel ?? 'unknown CPU'}, Node ${process.version})`,
        '',
        table(
          ['(a) creation', 'per second', 'p50 ms', 'p99 ms', 'errors'],
          [
            [`FlowDesk POST /incidents (n=${settings.createCount}, c=${settings.createConcurrency})`, c.flowdesk.perSecond, c.flowdesk.latency.p50Ms, c.flowdesk.latency.p99Ms, c.flowdesk.errors],
            ['raw Temporal start (empty workflow)', c.rawStart.perSecond, c.rawStart.latency.p50Ms, c.rawStart.latency.p99Ms, c.rawStart.errors],
            ['raw Temporal start + result', c.rawStartAndResult.perSecond, c.rawStartAndResult.latency.p50Ms, c.rawStartAndResult.latency.p99Ms, c.rawStartAndResult.errors],
          ],
        ),
        `FlowDesk/raw: ${c.ratioFlowDeskToRawStart} of raw start, ${c.ratioFlowDeskToRawStartAndResult} of raw start+result`,
        '',
        table(
          [`(b) action (${settings.agents} agents × ${settings.incidentsPerAgent})`, 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'errors'],
          [...Object.entries(actions.perAction), ['all', actions.all] as const].map(([name, s]) => [name, s.count, s.p50Ms, s.p90Ms, s.p99Ms, s.errors]),
        ),
        `${actions.actionsPerSecond} actions/s overall`,
        '',
        `(c) seeded ${seeded.count} incidents in ${seeded.seconds} s (${seeded.docsPerSecond} docs/s); ${seeded.totalIncidents} in the store; queue index ${seeded.queueEntries} entries loaded in ${seeded.indexSeconds} s`,
        table(
          ['(c) GET /api/v1/tickets', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
          Object.entries(listing).map(([name, s]) => [name, s.count, s.p50Ms, s.p95Ms, s.p99Ms, s.errors]),
        ),
        '',
        `results: ${path.relative(process.cwd(), file)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
