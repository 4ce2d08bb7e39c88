import { performance } from 'node:perf_hooks';
import type { Connection as StoreConnection } from 'mongoose';
import { INCIDENT_STATES } from '../../domain/ticket/incident';
import { type Level, priorityOf } from '../../domain/priority';
import { formatTicketNumber } from '../../domain/ticketNumber';
import { type TicketDocument, ticketModel } from '../../store/tickets';

// Projections written straight into the store, shaped like the workflow writes them,
// so the listing benchmark can have 100,000 tickets without running 100,000 workflows.
const LEVELS: Level[] = [1, 2, 3];
const GROUPS = ['service-desk', 'network-ops', 'database', 'identity', 'end-user-computing', null];

function seededIncident(seq: number, now: Date, assignee: string): TicketDocument {
  const impact = LEVELS[seq % 3]!;
  const urgency = LEVELS[Math.floor(seq / 3) % 3]!;
  const state = INCIDENT_STATES[seq % INCIDENT_STATES.length]!;
  const at = new Date(now.getTime() - (1e9 - seq) * 1000).toISOString();
  const assigned = state !== 'new';
  const done = state === 'resolved' || state === 'closed';
  return {
    _id: formatTicketNumber('incident', seq),
    seq,
    kind: 'incident',
    title: `Seeded incident ${seq}`,
    description: 'Seeded by bench/tickets.ts for the listing benchmark',
    impact,
    urgency,
    priority: priorityOf(impact, urgency),
    state,
    priorityBoost: 0,
    category: null,
    service: null,
    affectedCis: [],
    assignmentGroup: GROUPS[seq % GROUPS.length]!,
    assignee: assigned ? assignee : null,
    assignmentSource: assigned ? 'manual' : null,
    assignments: [],
    reassignmentCount: 0,
    openedBy: `requester${seq % 50}`,
    watchers: [],
    holdReason: null,
    reopenCount: 0,
    parent: null,
    children: [],
    problem: null,
    slas: [],
    approvers: [],
    participants: [],
    workingGroups: [GROUPS[seq % GROUPS.length]!].filter((g): g is string => g !== null),
    slaDueAt: null,
    resolutionCode: done ? 'fixed' : null,
    resolutionNotes: done ? 'Seeded' : null,
    createdAt: at,
    updatedAt: at,
    resolvedAt: done ? at : null,
    closedAt: state === 'closed' ? at : null,
    version: assigned ? 3 : 1,
    timeline: [{ at, actor: `requester${seq % 50}`, kind: 'created', text: 'Incident opened' }],
  };
}

/** Bulk-loads `count` incident projections after the highest stored seq, reporting progress. */
export async function seedIncidents(db: StoreConnection, { count, seedBatch, assignee, say }: { count: number; seedBatch: number; assignee: string; say: (line: string) => void }) {
  const incidents = ticketModel(db);
  await incidents.init(); // the indexes exist before the bulk load, as in production
  const last = await incidents.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean<{ seq: number }>().exec();
  const first = (last?.seq ?? 0) + 1;
  say(`(c) seeding ${count} incident projections with insertMany (batches of ${seedBatch}), seq ${first}…${first + count - 1}`);
  const now = new Date();
  const started = performance.now();
  let inserted = 0;
  let nextReport = 10_000;
  while (inserted < count) {
    const size = Math.min(seedBatch, count - inserted);
    const batch = Array.from({ length: size }, (_, k) => seededIncident(first + inserted + k, now, assignee));
    await incidents.collection.insertMany(batch as unknown as Array<Record<string, unknown>>, { ordered: true });
    inserted += size;
    if (inserted >= nextReport || inserted === count) {
      const seconds = (performance.now() - started) / 1000;
      say(`  seeded ${inserted}/${count} (${Math.round(inserted / seconds)} docs/s, ${Math.round(seconds)} s)`);
      while (nextReport <= inserted) nextReport += 10_000;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const total = await incidents.estimatedDocumentCount().exec();
  return { count, seconds: Math.round(seconds * 10) / 10, docsPerSecond: Math.round(count / seconds), totalIncidents: total };
}

