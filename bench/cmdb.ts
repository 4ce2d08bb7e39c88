/**
 * CMDB benchmark (issue 5): generate an estate of 100,000 CIs and 300,000 relations, import
 * it into the embedded store (FerretDB / SQLite, or MONGODB_URI), then measure selector
 * queries and impact traversal of depth 6 (p50/p99) on the in-memory graph, how long a cold
 * process takes to load the graph, and, as the peer, the same simple query answered by the
 * store itself.
 *
 *   npx tsx bench/cmdb.ts                 # full size
 *   BENCH_CMDB_SCALE=0.1 npx tsx bench/cmdb.ts
 *   BENCH_CMDB_REPS=200                   # samples per measured query
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Connection } from 'mongoose';
import { select, type Selector } from '../domain/cmdb/selector';
import { impactOf } from '../domain/cmdb/topology';
import { DEFAULT_CATALOG_DIR } from '../runtime/catalog';
import { loadCmdbModel } from '../runtime/catalog/cmdb';
import { startDocumentStore } from '../runtime/embedded';
import { freePort } from '../runtime/ports';
import type { EmbeddedService } from '../runtime/service';
import { importCmdb } from '../store/cmdb/importer';
import { loadModel, seedModel } from '../store/cmdb/modelStore';
import { cmdbGraph, cmdbLog } from '../store/cmdb/replica';
import { connectStore } from '../store/connection';
import { envInt, type LatencySummary, summarize, table } from './lib/measure';
import { generateEstate } from './lib/cmdbEstate';

const say = (message: string) => process.stderr.write(`[bench cmdb] ${message}\n`);
const scale = Number(process.env.BENCH_CMDB_SCALE ?? '1');
const reps = envInt('BENCH_CMDB_REPS', 200);
const peerReps = envInt('BENCH_CMDB_PEER_REPS', 3);

async function time(n: number, run: (i: number) => unknown): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

async function main(): Promise<void> {
  if (!(scale > 0)) throw new Error(`BENCH_CMDB_SCALE must be a positive number, got ${process.env.BENCH_CMDB_SCALE}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-bench-cmdb-'));
  let store: EmbeddedService | undefined;
  const connections: Connection[] = [];
  try {
    let uri = process.env.MONGODB_URI;
    if (!uri) {
      say(`starting FerretDB (SQLite) in ${dataDir}`);
      const started = await startDocumentStore({ dataDir, host: '127.0.0.1', port: await freePort(), timeoutMs: 120_000, say: (m) => say(`  ${m}`) });
      store = started.service;
      uri = started.uri;
    }
    const dbName = `bench_cmdb_${Date.now()}`;
    const db = await connectStore(uri, dbName);
    connections.push(db);
    await seedModel(db, loadCmdbModel(DEFAULT_CATALOG_DIR).definition);

    say(`generating the estate at scale ${scale}`);
    const estate = generateEstate(scale);
    say(`${estate.cis.length.toLocaleString('en')} CIs, ${estate.relations!.length.toLocaleString('en')} relations`);

    const importStarted = performance.now();
    const report = await importCmdb(db, estate, { actor: { type: 'import', id: 'bench' }, progress: (m) => say(`  ${m}`) });
    const importMs = performance.now() - importStarted;
    say(`import: ${Math.round(importMs / 1000)} s; CIs ${JSON.stringify(report.cis)}, relations ${JSON.stringify(report.relations)}`);
    if (report.cis.rejected > 0 || report.relations.rejected > 0) say(`  first problems: ${JSON.stringify([...report.rows.slice(0, 3), ...report.relationErrors.slice(0, 3)])}`);

    const reimportStarted = performance.now();
    const again = await importCmdb(db, { cis: estate.cis.slice(0, Math.round(estate.cis.length / 10)) }, { actor: { type: 'import', id: 'bench-again' }, dryRun: true });
    const reimportMs = performance.now() - reimportStarted;
    say(`dry-run re-import of 10%: ${Math.round(reimportMs)} ms, ${JSON.stringify(again.cis)}`);

    const cold = await connectStore(uri, dbName);
    connections.push(cold);
    const coldStarted = performance.now();
    const graph = await cmdbGraph(cold);
    const coldMs = performance.now() - coldStarted;
    say(`cold process loads the graph: ${Math.round(coldMs)} ms (${graph.ciCount.toLocaleString('en')} CIs, ${graph.relationCount.toLocaleString('en')} relations)`);
    const model = await loadModel(cold);
    const ctx = { graph, model };

    const appName = estate.shape.applications[7]!;
    const selectors: Array<[string, Selector]> = [
      ['hosts in zone (subnet rule)', { class: 'host', where: { zone: estate.shape.zones[2]! } }],
      ['VMs: cpu ≥ 8, name regex, Debian 12', { class: 'virtual_machine', where: { cpu_count: { gte: 8 }, hostname: { matches: '^vm-1' }, os_version: '12' } }],
      ['tagged pci, prod', { tags: ['pci'], where: { lifecycle: 'live' } }],
      [
        `hosts running ${appName} in a zone`,
        { class: 'host', where: { zone: { ne: estate.shape.zones[0]! } }, related: [{ type: 'runs_on', direction: 'in', to: { related: [{ type: 'member_of', direction: 'out', to: { related: [{ type: 'part_of', direction: 'out', to: { class: 'application', where: { name: appName } } }] } }] } }] },
      ],
    ];
    const rows: Array<Array<string | number>> = [];
    const results: Record<string, unknown> = {};
    for (const [name, selector] of selectors) {
      let count = 0;
      const summary = await time(reps, () => (count = select(selector, ctx).size));
      // The API syncs with the store before each read: measure that too.
      const synced = await time(Math.min(reps, 50), async () => select(selector, { graph: await cmdbGraph(cold), model }).size);
      rows.push([name, count, summary.p50Ms, summary.p99Ms, synced.p50Ms, synced.p99Ms]);
      results[name] = { count, inMemory: summary, withSync: synced };
    }

    const starts = [...graph.idsOfClasses(['physical_server', 'network_device'])];
    const impact = await time(reps, (i) => impactOf(graph, model, { failing: [starts[(i * 7919) % starts.length]!], depth: 6, highlight: ['application', 'business_system'] }));
    const sizes = starts.slice(0, 50).map((id) => impactOf(graph, model, { failing: [id], depth: 6 }).impacted.length);
    results.impactDepth6 = { ...impact, meanImpacted: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) };

    // The peer: the store answering "virtual machines in this subnet" itself (a collection scan on FerretDB).
    const peer = await time(peerReps, () => cold.collection('cmdb_cis').find({ class: 'virtual_machine', 'attributes.primary_ip': { $regex: '^10\\.2\\.' } }).toArray());
    const ours = await time(reps, () => select({ class: 'virtual_machine', where: { primary_ip: { within: '10.2.0.0/16' } } }, ctx).size);
    results.peer = { storeFind: peer, graph: ours };

    const print = [
      '',
      `CMDB benchmark: ${estate.cis.length.toLocaleString('en')} CIs, ${estate.relations!.length.toLocaleString('en')} relations, ${uri.startsWith('mongodb://127.0.0.1') && store ? 'FerretDB/SQLite' : uri}`,
      `import ${Math.round(importMs / 1000)} s (${Math.round((estate.cis.length + estate.relations!.length) / (importMs / 1000)).toLocaleString('en')} records/s); dry-run re-import of ${again.cis.unchanged.toLocaleString('en')} CIs ${Math.round(reimportMs)} ms; cold graph load ${Math.round(coldMs)} ms`,
      '',
      table(['selector', 'matches', 'p50 ms', 'p99 ms', 'p50 ms with sync', 'p99 ms with sync'], rows),
      '',
      `impact, depth 6, from a physical server or network device: p50 ${impact.p50Ms} ms, p99 ${impact.p99Ms} ms (mean ${results.impactDepth6 && (results.impactDepth6 as { meanImpacted: number }).meanImpacted} CIs impacted)`,
      `peer: VMs in 10.2.0.0/16 from the store (find) p50 ${peer.p50Ms} ms vs the graph p50 ${ours.p50Ms} ms: ${Math.round(peer.p50Ms / Math.max(ours.p50Ms, 0.01))}× faster`,
    ];
    process.stdout.write(`${print.join('\n')}\n`);
    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `cmdb-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'cmdb', scale, cis: estate.cis.length, relations: estate.relations!.length, importMs, reimportMs, coldMs, report: { cis: report.cis, relations: report.relations }, results }, null, 2)}\n`);
    say(`results: ${path.relative(process.cwd(), file)}`);
    await cmdbLog.idle(db);
  } finally {
    for (const c of connections) await c.close().catch(() => undefined);
    if (store) await store.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
