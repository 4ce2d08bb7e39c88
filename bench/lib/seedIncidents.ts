import { performance } from 'node:perf_hooks';
import type { Connection as StoreConnection } from 'mongoose';
import type { IncidentState } from '../../domain/ticket/incident';
import { type Level, priorityOf } from '../../domain/priority';
import { formatTicketNumber } from '../../domain/ticketNumber';
import { backfillQueue, summaryOf, type TicketSummary } from '../../store/ticketQueue';
import { type TicketDocument, ticketModel } from '../../store/tickets';

// Projections written straight into the store, shaped like the workflow writes them,
// so the listing benchmark can have 100,000 tickets without running 100,000 workflows.
// Like a working desk: created over the last 90 days, about 10% open, 4% resolved, the
// rest closed or cancelled; 50 agents, one of them the benchmark's user.
const LEVELS: Level[] = [1, 2, 3];
const GROUPS = ['service-desk', 'network-ops', 'database', 'identity', 'end-user-computing', null];
const AGENTS = 50;
const HOUR = 3600_000;

function stateOf(seq: number): IncidentState {
  const bucket = (seq * 7919) % 100;
  if (bucket < 3) return 'new';
  if (bucket < 8) return 'in_progress';
  if (bucket < 10) return 'on_hold';
  if (bucket < 14) return 'resolved';
  return bucket < 97 ? 'closed' : 'cancelled';
}

function seededIncident(seq: number, index: number, count: number, now: Date, agent: string): TicketDocument {
  const impact = LEVELS[seq % 3]!;
  const urgency = LEVELS[Math.floor(seq / 3) % 3]!;
  const state = stateOf(seq);
  const at = new Date(now.getTime() - ((count - index) / count) * 90 * 24 * HOUR).toISOString();
  const assigned = state !== 'new';
  const done = state === 'resolved' || state === 'closed' || state === 'cancelled';
  const group = GROUPS[seq % GROUPS.length]!;
  const assignee = seq % AGENTS === 0 ? agent : `agent${seq % AGENTS}`;
  return {
    _id: formatTicketNumber('incident', seq),
    seq,
    kind: 'incident',
    title: `Seeded incident ${seq}: ${['vpn down', 'printer jam', 'disk full', 'password reset', 'slow laptop'][seq % 5]}`,
    description: 'Seeded by bench/tickets.ts for the listing benchmark',
    impact,
    urgency,
    priority: priorityOf(impact, urgency),
    state,
    priorityBoost: 0,
    category: null,
    service: null,
    affectedCis: [],
    assignmentGroup: group,
    assignee: assigned ? assignee : null,
    assignmentSource: assigned ? 'manual' : null,
    assignments: [],
    reassignmentCount: 0,
    openedBy: `requester${seq % 500}`,
    watchers: [],
    holdReason: state === 'on_hold' ? 'vendor' : null,
    reopenCount: 0,
    parent: null,
    children: [],
    problem: null,
    slas: [],
    approvers: [],
    participants: [],
    workingGroups: group ? [group] : [],
    slaDueAt: done ? null : new Date(now.getTime() + (((seq * 37) % 48) - 8) * HOUR).toISOString(),
    resolutionCode: done ? 'fixed' : null,
    resolutionNotes: done ? 'Seeded' : null,
    createdAt: at,
    updatedAt: at,
    resolvedAt: done ? at : null,
    closedAt: state === 'closed' ? at : null,
    version: assigned ? 3 : 1,
    timeline: [{ at, actor: `requester${seq % 500}`, kind: 'created', text: 'Incident opened' }],
  };
}

/** Bulk-loads `count` incident projections after the highest stored seq, reporting progress, then loads them into the queue index. */
export async function seedIncidents(db: StoreConnection, { count, seedBatch, assignee, say }: { count: number; seedBatch: number; assignee: string; say: (line: string) => void }) {
  const incidents = ticketModel(db);
  await incidents.init(); // the indexes exist before the bulk load, as in production
  const last = await incidents.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean<{ seq: number }>().exec();
  const first = (last?.seq ?? 0) + 1;
  say(`(c) seeding ${count} incident projections with insertMany (batches of ${seedBatch}), seq ${first}…${first + count - 1}`);
  const now = new Date();
  const started = performance.now();
  let inserted = 0;
  const summaries: TicketSummary[] = [];
  let nextReport = 10_000;
  while (inserted < count) {
    const size = Math.min(seedBatch, count - inserted);
    const batch = Array.from({ length: size }, (_, k) => seededIncident(first + inserted + k, inserted + k, count, now, assignee));
    summaries.push(...batch.map(summaryOf));
    await incidents.collection.insertMany(batch as unknown as Array<Record<string, unknown>>, { ordered: true });
    inserted += size;
    if (inserted >= nextReport || inserted === count) {
      const seconds = (performance.now() - started) / 1000;
      say(`  seeded ${inserted}/${count} (${Math.round(inserted / seconds)} docs/s, ${Math.round(seconds)} s)`);
      while (nextReport <= inserted) nextReport += 10_000;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  say(`  loading the queue index (one compaction of ${count} summaries)`);
  const indexStarted = performance.now();
  const index = await backfillQueue(db, summaries);
  const indexSeconds = Math.round((performance.now() - indexStarted) / 100) / 10;
  say(`  queue index: ${index.entries} open or recent tickets in ${indexSeconds} s`);
  const total = await incidents.estimatedDocumentCount().exec();
  return { count, seconds: Math.round(seconds * 10) / 10, docsPerSecond: Math.round(count / seconds), totalIncidents: total, queueEntries: index.entries, indexSeconds };
}

