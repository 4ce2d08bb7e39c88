/**
 * Queue listing benchmark: store/ticketQueue.ts (change log + snapshots) next to the current
 * full-collection query of GET /api/v1/tickets, on the same 100,000 tickets, in one run.
 * Not part of `npm test`; it measures and reports, it never asserts timings.
 *
 *   npx tsx bench/queues.ts
 *   BENCH_QUEUES_SURVEY=1 npx tsx bench/queues.ts     # also the strategy survey of ADR 003
 *
 * Sizes come from the environment; see bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Connection } from 'mongoose';
import type { Principal } from '../api/auth/principal';
import { listTicketsQuery } from '../api/schemas/ticket';
import { scopeFilter, scopeOf } from '../api/ticketAccess';
import type { Permission } from '../domain/identity/permissions';
import { startDocumentStore } from '../runtime/embedded';
import { freePort } from '../runtime/ports';
import type { EmbeddedService } from '../runtime/service';
import { connectStore } from '../store/connection';
import { backfillQueue, compactQueue, type ListQueueRequest, listQueue, queueCompaction, queueStats, type TicketSummary, upsertQueueEntry } from '../store/ticketQueue';
import { ticketModel, type TicketDocument } from '../store/tickets';
import { envInt, type LatencySummary, summarize, table } from './lib/measure';
import { queueQuery } from './lib/documentQueue';
import { GROUPS, seededTicket } from './lib/queueData';
import { runSurvey, type SurveyRow } from './lib/queueSurvey';

const settings = {
  /** Tickets in the store, and the share of them that is open. */
  tickets: envInt('BENCH_QUEUE_TICKETS', 100_000),
  openPercent: envInt('BENCH_QUEUE_OPEN_PERCENT', 10),
  /** Timed requests per queue for the new layout (after one untimed warm-up). */
  reps: envInt('BENCH_QUEUE_REPS', 30),
  /** Timed requests per queue for the current query (each reads every ticket: ~0.3 ms per ticket). */
  baselineReps: envInt('BENCH_QUEUE_BASELINE_REPS', 3),
  /** Timed writes of the current projection write (persistTicket's filter) on the full collection; 0 skips. */
  baselineWrites: process.env.BENCH_QUEUE_BASELINE_WRITES === '0' ? 0 : envInt('BENCH_QUEUE_BASELINE_WRITES', 1),
  /** Ticket changes recorded while measuring the write path (and left pending for one listing). */
  changes: envInt('BENCH_QUEUE_CHANGES', 200),
  seedBatch: envInt('BENCH_SEED_BATCH', 1000),
  /** 0: skip the per-queue comparison (page 2, cold process and writes still run). */
  reads: process.env.BENCH_QUEUE_READS !== '0',
  survey: process.env.BENCH_QUEUES_SURVEY === '1',
  surveySlowReps: envInt('BENCH_QUEUES_SURVEY_SLOW_REPS', 3),
  /** Open shares (percent of the tickets) the survey builds its open-only layouts for. */
  surveyOpenPercents: (process.env.BENCH_QUEUES_SURVEY_OPEN ?? '5,20,100').split(',').map((p) => Number(p.trim())),
  /** 0: skip survey strategy (b), the summary collection of every ticket. */
  surveyAll: process.env.BENCH_QUEUES_SURVEY_ALL !== '0',
};

const say = (line: string) => process.stdout.write(`[queues ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const MY_GROUPS = ['network-ops', 'database', 'identity'];
const ME = 'agent7';

type RouteQuery = Parameters<typeof queueQuery>[0];

interface Scenario {
  name: string;
  request: ListQueueRequest;
  /** The same queue as the peer asks it. */
  route: Record<string, unknown>;
}

const scenarios: Scenario[] = [
  { name: 'my work (assignee = me, open)', request: { queue: 'mine', user: ME }, route: { queue: 'mine' } },
  { name: 'my groups (3 of 10 groups, open)', request: { queue: 'my_groups', groups: MY_GROUPS }, route: { queue: 'my_groups' } },
  { name: 'unassigned (open)', request: { queue: 'unassigned' }, route: { queue: 'unassigned' } },
  { name: 'breaching soon (open, by SLA due)', request: { queue: 'breaching' }, route: { queue: 'breaching' } },
  { name: 'recently updated', request: { queue: 'recent' }, route: { queue: 'recent' } },
  { name: 'my groups, P2 incidents in progress', request: { queue: 'my_groups', groups: MY_GROUPS, filters: { priority: 'P2', kind: 'incident', state: 'in_progress' } }, route: { queue: 'my_groups', priority: 'P2', kind: 'incident', state: 'in_progress' } },
  { name: 'recently updated, words "vpn"', request: { queue: 'recent', filters: { q: 'vpn' } }, route: { queue: 'recent', q: 'vpn' } },
];

/** A number search for a ticket near the newest (it exists whatever the store size). */
function numberSearch(count: number): Scenario {
  const number = seededTicket(Math.max(1, count - 9), { openShare: 0, now: 0, count }).summary.number;
  return { name: `recently updated, number search (${number})`, request: { queue: 'recent', filters: { q: number } }, route: { queue: 'recent', q: number } };
}

const principal: Principal = {
  via: 'token',
  username: ME,
  displayName: ME,
  groups: MY_GROUPS,
  roles: ['agent'],
  permissions: new Set(['ticket.read', 'ticket.read_all'] as Permission[]),
};

async function time(reps: number, fn: () => Promise<unknown>, warmUp: boolean): Promise<LatencySummary> {
  if (warmUp) await fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** The peer: one find with sort and limit on the full ticket documents (bench/lib/documentQueue.ts). */
async function routePage(db: Connection, query: Record<string, unknown>, cursor?: string) {
  const parsed: RouteQuery = listTicketsQuery.parse({ ...query, limit: 50, ...(cursor && { cursor }) });
  const { filter, sort, limit, page } = queueQuery(parsed, principal);
  const docs = await ticketModel(db).find({ $and: [filter, scopeFilter(scopeOf(principal))] }).sort(sort).limit(limit + 1).lean<TicketDocument[]>().exec();
  return page(docs);
}

async function seed(db: Connection) {
  const { tickets: count, openPercent, seedBatch } = settings;
  const shape = { openShare: openPercent / 100, now: Date.now(), count };
  const model = ticketModel(db);
  await model.init(); // the production indexes exist before the bulk load
  say(`seeding ${count} tickets (${openPercent}% open; full projections into 'tickets', shaped like store/tickets.ts), batches of ${seedBatch}`);
  const summaries: TicketSummary[] = [];
  let open = 0;
  const t0 = performance.now();
  for (let start = 1; start <= count; start += seedBatch) {
    const batch = Array.from({ length: Math.min(seedBatch, count - start + 1) }, (_, k) => seededTicket(start + k, shape));
    await model.collection.insertMany(batch.map((t) => t.full) as never[], { ordered: true });
    for (const t of batch) {
      summaries.push(t.summary);
      if (t.open) open++;
    }
    const done = start + batch.length - 1;
    if (done % 10_000 === 0 || done === count) say(`  tickets: ${done}/${count} (${Math.round(done / ((performance.now() - t0) / 1000))} docs/s)`);
  }
  const ticketsSeconds = (performance.now() - t0) / 1000;

  say(`loading the ${count} summaries into the queues (backfillQueue: one compaction, as on an upgrade)`);
  const t1 = performance.now();
  const compaction = await backfillQueue(db, summaries);
  const backfillSeconds = (performance.now() - t1) / 1000;
  say(`  snapshot: ${compaction.entries} tickets in the queue set (open, resolved, final in the last 24 h) in ${backfillSeconds.toFixed(1)} s`);
  return { count, open, queueEntries: compaction.entries, ticketsSeconds, backfillSeconds, newest: summaries[summaries.length - 1]! };
}

const round = (n: number) => Math.round(n * 10) / 10;
const ratio = (baseline: number, ours: number) => (ours > 0 ? `${Math.round(baseline / ours).toLocaleString('en')}×` : 'n/a');

async function main(): Promise<void> {
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-bench-queues-'));
  let store: EmbeddedService | undefined;
  let db: Connection | undefined;
  let stopping: Promise<void> | undefined;
  const cleanup = () =>
    (stopping ??= (async () => {
      try {
        if (db) {
          await Promise.race([queueCompaction(db), new Promise((resolve) => setTimeout(resolve, 10_000))]);
          if (process.env.MONGODB_URI) await db.dropDatabase().catch(() => undefined);
          await db.close().catch(() => undefined);
        }
        if (store) {
          say('stopping the document store');
          await store.stop();
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
    let uri = process.env.MONGODB_URI;
    if (!uri) {
      say(`starting FerretDB (SQLite) in ${dataDir}`);
      const started = await startDocumentStore({ dataDir, host: '127.0.0.1', port: await freePort(), timeoutMs: 120_000, say: (m) => say(`  ${m}`) });
      store = started.service;
      uri = started.uri;
    }
    db = await connectStore(uri, `bench_queues_${Date.now()}`);
    say(`store ${uri}, database ${db.name}`);
    const seeded = await seed(db);

    // ---- reads: every queue, ours (warm process) next to the route's current query
    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `queues-${runId}.json`);
    const partial: Record<string, unknown> = { benchmark: 'queues', settings, seeded: { ...seeded, newest: seeded.newest.number } };
    // Written after every phase, so an interrupted run keeps what it measured.
    const save = (key: string, value: unknown) => {
      partial[key] = value;
      fs.writeFileSync(file, `${JSON.stringify(partial, null, 2)}\n`);
    };

    const rows: Array<{ name: string; ours: LatencySummary; route: LatencySummary; samePage: string }> = [];
    for (const scenario of settings.reads ? [...scenarios, numberSearch(settings.tickets)] : []) {
      say(`${scenario.name}: ${settings.reps} × listQueue, then ${settings.baselineReps} × the current query`);
      const ours = await time(settings.reps, () => listQueue(db!, { ...scenario.request, compactAfter: 0 }), true);
      say(`  listQueue p50 ${ours.p50Ms} ms, p95 ${ours.p95Ms} ms`);
      const route = await time(settings.baselineReps, () => routePage(db!, scenario.route), false);
      say(`  current  p50 ${route.p50Ms} ms, p95 ${route.p95Ms} ms (${ratio(route.p50Ms, ours.p50Ms)})`);
      const [a, b] = [await listQueue(db, { ...scenario.request, compactAfter: 0 }), await routePage(db, scenario.route)];
      const theirs = new Set(b.items.map((doc) => doc._id));
      const shared = a.items.filter((s) => theirs.has(s.number)).length;
      rows.push({ name: scenario.name, ours, route, samePage: `${shared}/${Math.max(a.items.length, b.items.length)}` });
      save('reads', rows);
    }

    say('my groups, 2nd page (cursor)');
    const ourFirst = await listQueue(db, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 });
    const routeFirst = await routePage(db, { queue: 'my_groups' });
    const ours2 = await time(settings.reps, () => listQueue(db!, { queue: 'my_groups', groups: MY_GROUPS, cursor: ourFirst.nextCursor!, compactAfter: 0 }), true);
    const route2 = await time(settings.baselineReps, () => routePage(db!, { queue: 'my_groups' }, routeFirst.nextCursor!), false);
    say(`  listQueue p50 ${ours2.p50Ms} ms, p95 ${ours2.p95Ms} ms; current p50 ${route2.p50Ms} ms, p95 ${route2.p95Ms} ms (${ratio(route2.p50Ms, ours2.p50Ms)})`);
    rows.push({ name: 'my groups, 2nd page (cursor)', ours: ours2, route: route2, samePage: '-' });
    save('reads', rows);

    say('cold process: a new connection lists my groups (fetches and parses the snapshot)');
    const cold = await time(
      Math.min(settings.reps, 5),
      async () => {
        const fresh = await connectStore(uri!, db!.name);
        try {
          await listQueue(fresh, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 });
        } finally {
          await fresh.close();
        }
      },
      false,
    );
    say(`  p50 ${cold.p50Ms} ms, p95 ${cold.p95Ms} ms`);
    save('cold', cold);

    // ---- writes: what a ticket change costs
    say(`writes: ${settings.changes} × upsertQueueEntry (one insert each)`);
    const changed = (await listQueue(db, { queue: 'open', limit: 200, compactAfter: 0 })).items;
    let k = 0;
    const writes = await time(
      settings.changes,
      async () => {
        const s = changed[k++ % changed.length]!;
        await upsertQueueEntry(db!, { ...s, version: s.version + 1 + Math.floor(k / changed.length), updatedAt: new Date().toISOString(), assignee: `agent${k % 200}` });
      },
      false,
    );
    const pending = (await queueStats(db)).pendingChanges;
    say(`  p50 ${writes.p50Ms} ms, p95 ${writes.p95Ms} ms; ${pending} changes pending`);
    const withPending = await time(settings.reps, () => listQueue(db!, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 }), true);
    say(`  my groups with ${pending} pending changes: p50 ${withPending.p50Ms} ms, p95 ${withPending.p95Ms} ms`);
    const compaction = await time(1, () => compactQueue(db!), false);
    say(`  compaction of ${pending} changes into the ${seeded.queueEntries}-ticket snapshot: ${compaction.p50Ms} ms`);
    const afterCompaction = await time(1, () => listQueue(db!, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 }), false);
    say(`  first listing after it, same process (rebuilds the snapshot from what it read): ${afterCompaction.p50Ms} ms`);

    let routeWrite: LatencySummary | undefined;
    if (settings.baselineWrites > 0) {
      say(`writes: ${settings.baselineWrites} × the current projection write (persistTicket: updateOne {_id, version: {$lt}} upsert) on the full collection`);
      const newest = seeded.newest;
      let v = newest.version;
      routeWrite = await time(settings.baselineWrites, () => ticketModel(db!).updateOne({ _id: newest.number, version: { $lt: ++v } }, { $set: { version: v } }, { upsert: true }).exec(), false);
      say(`  p50 ${routeWrite.p50Ms} ms`);
    }
    save('writes', { upsertQueueEntry: writes, listingWithPending: { pending, latency: withPending }, compaction, firstListingAfterCompaction: afterCompaction, currentProjectionWrite: routeWrite });

    let survey: SurveyRow[] = [];
    if (settings.survey) {
      say('strategy survey (BENCH_QUEUES_SURVEY=1)');
      survey = await runSurvey(uri, {
        count: settings.tickets,
        reps: Math.min(settings.reps, 20),
        slowReps: settings.surveySlowReps,
        openShares: settings.surveyOpenPercents.map((p) => p / 100),
        includeAll: settings.surveyAll,
        say,
        onRow: (rows) => save('survey', rows),
      });
    }

    const result = {
      benchmark: 'queues',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg() },
      settings,
      store: store ? 'FerretDB (embedded, SQLite)' : uri,
      seeded: { ...seeded, newest: seeded.newest.number },
      reads: rows,
      cold,
      writes: { upsertQueueEntry: writes, listingWithPending: { pending, latency: withPending }, compaction, firstListingAfterCompaction: afterCompaction, currentProjectionWrite: routeWrite },
      survey,
    };
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

    process.stdout.write(
      [
        '',
        `Summary: ${seeded.count} tickets (${seeded.open} open, ${seeded.queueEntries} in the queue set), ${result.store}; ${result.machine.cpus} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
        'Both columns ran in this process against the same store, one after the other: compare them, not runs.',
        '',
        table(
          ['queue (page of 50)', 'listQueue p50 ms', 'p95 ms', 'current query p50 ms', 'p95 ms', 'n (ours/current)', 'current/ours', 'same page 1'],
          rows.map((r) => [r.name, round(r.ours.p50Ms), round(r.ours.p95Ms), round(r.route.p50Ms), round(r.route.p95Ms), `${r.ours.count}/${r.route.count}`, ratio(r.route.p50Ms, r.ours.p50Ms), r.samePage]),
        ),
        '',
        table(
          ['other', 'p50 ms', 'p95 ms', 'n'],
          [
            ['cold process: connect + first my-groups page', round(cold.p50Ms), round(cold.p95Ms), cold.count],
            ['write: upsertQueueEntry', round(writes.p50Ms), round(writes.p95Ms), writes.count],
            [`my groups with ${pending} changes pending`, round(withPending.p50Ms), round(withPending.p95Ms), withPending.count],
            [`compaction (${pending} changes, ${seeded.queueEntries} tickets)`, round(compaction.p50Ms), round(compaction.p95Ms), compaction.count],
            ['first listing after a compaction (same process)', round(afterCompaction.p50Ms), round(afterCompaction.p95Ms), afterCompaction.count],
            ...(routeWrite ? [['current projection write (persistTicket filter), full collection', round(routeWrite.p50Ms), round(routeWrite.p95Ms), routeWrite.count] as Array<string | number>] : []),
          ],
        ),
        ...(survey.length
          ? ['', table(['survey: strategy', 'what', 'p50 ms', 'p95 ms', 'n'], survey.map((r) => [r.strategy, r.what, round(r.latency.p50Ms), round(r.latency.p95Ms), r.latency.count]))]
          : []),
        '',
        `groups: ${GROUPS.length}, "my groups" = ${MY_GROUPS.join(', ')}; "me" = ${ME}`,
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
