import { performance } from 'node:perf_hooks';
import type { Connection } from 'mongoose';
import { connectStore } from '../../store/connection';
import { backfillQueue, compactQueue, listQueue, upsertQueueEntry } from '../../store/ticketQueue';
import { type LatencySummary, summarize } from './measure';
import { GROUPS, OPEN_STATES, seededTicket, summaryDocument } from './queueData';

// The strategy survey behind docs/adr/003-queue-listing.md: the same "my groups" and
// "breaching soon" pages read in each candidate layout, and what one ticket change costs
// in it, on one MongoDB-wire server in one run. Strategy (a), the current query on the full
// projections, is measured by bench/queues.ts itself on its seeded store.

export interface SurveyRow {
  strategy: string;
  what: string;
  latency: LatencySummary;
}

type Say = (line: string) => void;

const MY_GROUPS = ['network-ops', 'database', 'identity'];

async function time(reps: number, fn: (i: number) => Promise<unknown>, warmUp = true): Promise<LatencySummary> {
  if (warmUp) await fn(-1);
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

async function fill(db: Connection, name: string, docs: Array<Record<string, unknown>>, say: Say): Promise<void> {
  const coll = db.collection(name);
  await coll.drop().catch(() => undefined);
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += 1000) await coll.insertMany(docs.slice(i, i + 1000), { ordered: true });
  say(`  survey: ${name}: ${docs.length} documents in ${Math.round(performance.now() - t0)} ms`);
}

/** Runs the survey in its own database of `uri`; `count` tickets in the store (100,000). */
export interface SurveyOptions {
  count: number;
  reps: number;
  slowReps: number;
  /** The open shares for strategies (c) to (f), e.g. [0.05, 0.2, 1]. */
  openShares: number[];
  /** Whether to run (b), the summary collection of every ticket. */
  includeAll: boolean;
  say: Say;
  onRow?: (rows: SurveyRow[]) => void;
}

export async function runSurvey(uri: string, options: SurveyOptions): Promise<SurveyRow[]> {
  const { count, reps, slowReps, say } = options;
  const rows: SurveyRow[] = [];
  const add = (strategy: string, what: string, latency: LatencySummary) => {
    rows.push({ strategy, what, latency });
    say(`  survey ${strategy} | ${what}: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms (n=${latency.count})`);
    options.onRow?.(rows);
  };
  const now = Date.now();
  const tickets = (openShare: number) => Array.from({ length: count }, (_, k) => seededTicket(k + 1, { openShare, resolvedShare: 0, now, count }));
  const openFilter = { state: { $in: OPEN_STATES } };
  const myGroups = { ...openFilter, assignmentGroup: { $in: MY_GROUPS } };
  const breaching = { ...openFilter, slaDueAt: { $ne: null } };

  const db = await connectStore(uri, `bench_survey_${Date.now()}`);
  try {
    // (b) one small summary document per ticket, all tickets: a scan of count documents.
    if (options.includeAll) {
      say(`survey (b): summary collection of all ${count} tickets`);
      const realistic = tickets(0.1);
      await fill(db, 'summaries_all', realistic.map((t) => summaryDocument(t.summary)), say);
      const all = db.collection('summaries_all');
      add('(b) summaries, all tickets', `my groups page (find+sort+limit 51), ${count} docs`, await time(slowReps, () => all.find(myGroups).sort({ createdAt: -1, _id: -1 }).limit(51).toArray()));
      add('(b) summaries, all tickets', 'breaching page', await time(slowReps, () => all.find(breaching).sort({ slaDueAt: 1, _id: 1 }).limit(51).toArray()));
      const lastId = realistic[realistic.length - 1]!.summary.number;
      add('(b) summaries, all tickets', 'write: updateOne({_id}) $set (newest ticket)', await time(slowReps, (i) => all.updateOne({ _id: lastId as never }, { $set: { version: 100 + i } }), false));
      await all.drop();
    }

    // (c) only the open tickets' summaries: closed ones leave (a delete by _id).
    for (const share of options.openShares) {
      const open = tickets(share).filter((t) => t.open);
      const name = `summaries_open_${open.length}`;
      say(`survey (c): open-only summary collection, ${open.length} open of ${count}`);
      await fill(db, name, open.map((t) => summaryDocument(t.summary)), say);
      const coll = db.collection(name);
      const r = open.length >= 50_000 ? slowReps : Math.max(slowReps, Math.min(reps, 10));
      add(`(c) open-only summaries, ${open.length} open`, 'my groups page', await time(r, () => coll.find({ assignmentGroup: { $in: MY_GROUPS } }).sort({ createdAt: -1, _id: -1 }).limit(51).toArray()));
      add(`(c) open-only summaries, ${open.length} open`, 'breaching page', await time(r, () => coll.find({ slaDueAt: { $ne: null } }).sort({ slaDueAt: 1, _id: 1 }).limit(51).toArray()));
      const newest = open[open.length - 1]!.summary.number;
      add(`(c) open-only summaries, ${open.length} open`, 'write: updateOne({_id}) $set (newest ticket)', await time(slowReps, (i) => coll.updateOne({ _id: newest as never }, { $set: { version: 100 + i } }), false));
      add(`(c) open-only summaries, ${open.length} open`, 'write: version-guarded upsert {_id, version: {$lt}}', await time(Math.min(slowReps, 2), (i) => coll.updateOne({ _id: newest as never, version: { $lt: 1000 + i } }, { $set: { version: 1000 + i } }, { upsert: true }), false));
      add(`(c) open-only summaries, ${open.length} open`, 'write: insertOne (ticket opens)', await time(slowReps, (i) => coll.insertOne({ ...summaryDocument(open[0]!.summary), _id: `NEW${Date.now()}${i}` as never }), false));

      if (open.length === 20_000 || (open.length > 10_000 && open.length < 30_000)) {
        // (d) one document per queue key holding the ordered numbers, read by _id, then the
        // tickets by _id: {$in} (not pushed down) or one find by _id each (a SQLite scan each).
        say(`survey (d): bucket documents per queue key over ${open.length} open`);
        const buckets = new Map<string, string[]>();
        const push = (key: string, number: string) => (buckets.get(key) ?? buckets.set(key, []).get(key)!).push(number);
        for (const t of [...open].reverse()) {
          const s = t.summary;
          push(`group:${s.assignmentGroup}`, s.number);
          push(s.assignee ? `assignee:${s.assignee}` : 'unassigned', s.number);
        }
        const byDue = open.filter((t) => t.summary.slaDueAt).sort((a, b) => (a.summary.slaDueAt! < b.summary.slaDueAt! ? -1 : 1));
        buckets.set('due', byDue.map((t) => t.summary.number));
        await fill(db, 'queue_buckets', [...buckets].map(([key, numbers]) => ({ _id: key, n: numbers })), say);
        const bucketColl = db.collection('queue_buckets');
        const page = async () => {
          const docs = await Promise.all(MY_GROUPS.map((g) => bucketColl.findOne({ _id: `group:${g}` as never })));
          return docs.flatMap((d) => (d?.n as string[]) ?? []).sort().reverse().slice(0, 51);
        };
        add(`(d) buckets by key, ${open.length} open`, 'my groups: 3 bucket docs by _id', await time(r, page));
        const numbers = await page();
        add(`(d) buckets by key, ${open.length} open`, '… + 51 summaries by _id: {$in} (not pushed down)', await time(r, () => coll.find({ _id: { $in: numbers as never[] } }).toArray()));
        add(`(d) buckets by key, ${open.length} open`, '… + 51 summaries by one find({_id}) each', await time(Math.min(r, 3), () => Promise.all(numbers.map((n) => coll.findOne({ _id: n as never })))));
        add(`(d) buckets by key, ${open.length} open`, 'breaching: the "due" bucket by _id', await time(r, () => bucketColl.findOne({ _id: 'due' as never })));
        add(
          `(d) buckets by key, ${open.length} open`,
          'write: move a ticket between groups ($pull + $push; not atomic on FerretDB)',
          await time(slowReps, async (i) => {
            await bucketColl.updateOne({ _id: `group:${GROUPS[1]}` as never }, { $pull: { n: `X${i}` } as never });
            await bucketColl.updateOne({ _id: `group:${GROUPS[2]}` as never }, { $push: { n: `X${i}` } as never });
          }, false),
        );

        // (e) what the source does push down: LIMIT without filter or sort (natural order, not a
        // queue order), and _id equality; an _id range is not pushed down.
        say(`survey (e): natural order and _id predicates on ${open.length} open summaries`);
        add(`(e) ${open.length} open summaries`, 'find({}).limit(51): LIMIT pushed down, natural (insertion) order', await time(r, () => coll.find({}).limit(51).toArray()));
        add(`(e) ${open.length} open summaries`, 'find({_id: X}) newest ticket: pushed down, but a SQLite table scan', await time(r, () => coll.findOne({ _id: newest as never })));
        add(`(e) ${open.length} open summaries`, 'find({_id: {$gt: X}}).limit(51): not pushed down', await time(r, () => coll.find({ _id: { $gt: newest } as never }).limit(51).toArray()));
        add(`(e) ${open.length} open summaries`, 'find(filter).limit(51) without sort: stops at 51 matches (no order)', await time(r, () => coll.find({ assignmentGroup: { $in: MY_GROUPS } }).limit(51).toArray()));
        await bucketColl.drop();
      }
      await coll.drop();

      // (f) the chosen layout (store/ticketQueue.ts) with the same open tickets.
      say(`survey (f): change log + snapshots with ${open.length} open`);
      const qdb = await connectStore(uri, `bench_survey_q_${open.length}_${Date.now()}`);
      try {
        const t0 = performance.now();
        await backfillQueue(qdb, open.map((t) => t.summary));
        say(`  survey: snapshot of ${open.length} written in ${Math.round(performance.now() - t0)} ms`);
        const strategy = `(f) change log + snapshot, ${open.length} open`;
        add(strategy, 'my groups page (warm process)', await time(reps, () => listQueue(qdb, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 })));
        add(strategy, 'breaching page (warm process)', await time(reps, () => listQueue(qdb, { queue: 'breaching', compactAfter: 0 })));
        add(
          strategy,
          'my groups page, cold process (reads the snapshot chunks)',
          await time(slowReps, async () => {
            const cold = await connectStore(uri, qdb.name);
            try {
              await listQueue(cold, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 });
            } finally {
              await cold.close();
            }
          }),
        );
        const base = open[open.length - 1]!.summary;
        add(strategy, 'write: upsertQueueEntry (one insert)', await time(reps, (i) => upsertQueueEntry(qdb, { ...base, version: base.version + 2 + i }), false));
        add(strategy, `my groups page with ${reps} pending changes`, await time(reps, () => listQueue(qdb, { queue: 'my_groups', groups: MY_GROUPS, compactAfter: 0 })));
        add(strategy, 'compaction (background; amortised over ~200 changes)', await time(1, () => compactQueue(qdb), false));
      } finally {
        await qdb.dropDatabase().catch(() => undefined);
        await qdb.close();
      }
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
  return rows;
}
