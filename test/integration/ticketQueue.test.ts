import type { Connection } from 'mongoose';
import type { Priority } from '../../domain/priority';
import { DONE_STATES, FINAL_STATES, isVisible } from '../../domain/ticket/ticket';
import type { TicketKind } from '../../domain/ticketNumber';
import { connectStore } from '../../store/connection';
import {
  compactQueue,
  listQueue,
  type ListQueueRequest,
  QUEUE_COLLECTIONS,
  backfillQueue,
  QueueCursorError,
  queueCompaction,
  type QueueName,
  type QueueSort,
  queueStats,
  type TicketSummary,
  upsertQueueEntry,
} from '../../store/ticketQueue';
import { isolationName, mongoUri } from '../setup/harness';

// The queues against the real MongoDB-wire server of the test run (FerretDB by default),
// checked against a brute-force model of the same rules over the latest version of each ticket.

const DAY = 24 * 3600_000;
const OPEN_STATES = ['new', 'in_progress', 'on_hold', 'pending_approval', 'in_fulfilment', 'known_error'];
const STATES = [...OPEN_STATES, 'resolved', 'fulfilled', 'closed', 'cancelled', 'rejected'];
const KINDS: TicketKind[] = ['incident', 'request', 'problem'];
const PREFIX = { incident: 'INC', request: 'REQ', problem: 'PRB', change: 'CHG' } as const;
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];
const GROUPS = ['network', 'database', 'identity', 'desk'];
const AGENTS = ['alice', 'bob', 'carol'];
const WORDS = ['printer', 'vpn', 'email', 'password', 'laptop', 'disk'];

const dbs: Connection[] = [];
async function connect(name: string): Promise<Connection> {
  const db = await connectStore(mongoUri(), name);
  dbs.push(db);
  return db;
}

afterAll(async () => {
  for (const db of dbs) await queueCompaction(db);
  for (const db of dbs) await db.dropDatabase().catch(() => undefined);
  for (const db of dbs) await db.close();
});

/** A deterministic spread of tickets: every state, kind, priority, group (and none), assignee (and none). */
function ticket(i: number, now: number, overrides: Partial<TicketSummary> = {}): TicketSummary {
  const kind = KINDS[i % 3]!;
  const state = STATES[(i * 7) % STATES.length]!;
  return {
    number: PREFIX[kind] + String(1000 + Math.floor(i / 3)).padStart(7, '0'),
    kind,
    title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 5 + 1) % WORDS.length]} problem #${i}`,
    state,
    priority: PRIORITIES[i % 5]!,
    assignmentGroup: i % 9 === 0 ? null : GROUPS[i % GROUPS.length]!,
    assignee: i % 4 === 0 ? null : AGENTS[i % AGENTS.length]!,
    openedBy: `user${i % 7}`,
    createdAt: new Date(now - 30 * DAY + i * 3600_000).toISOString(),
    // Some share an updatedAt or slaDueAt, so the number must break ties.
    updatedAt: new Date(now - 3 * DAY + Math.floor(i / 2) * 600_000).toISOString(),
    slaDueAt: i % 5 === 4 ? null : new Date(now + (((i * 37) % 50) - 10) * 3600_000).toISOString(),
    version: 1,
    watchers: i % 11 === 0 ? ['dave'] : [],
    approvers: state === 'pending_approval' && i % 2 === 0 ? ['erin'] : [],
    participants: i % 13 === 0 ? ['erin'] : [],
    workingGroups: i % 17 === 0 ? ['facilities'] : undefined,
    ...overrides,
  };
}

/** The rules of store/ticketQueue.ts, written plainly: filter the latest versions, sort, cut. */
class Model {
  readonly latest = new Map<string, TicketSummary>();

  apply(s: TicketSummary): void {
    const known = this.latest.get(s.number);
    if (!known || known.version < s.version) this.latest.set(s.number, s);
  }

  list(request: ListQueueRequest, now: Date, retentionMs = 7 * DAY): string[] {
    const sort = request.sort ?? ({ mine: 'created', my_groups: 'created', unassigned: 'created', breaching: 'due', recent: 'updated', open: 'created', approvals: 'created', opened: 'updated' } as const)[request.queue];
    const f = request.filters ?? {};
    const open = (s: TicketSummary) => !(DONE_STATES as readonly string[]).includes(s.state);
    const final = (s: TicketSummary) => (FINAL_STATES as readonly string[]).includes(s.state);
    const asList = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
    const rows = [...this.latest.values()].filter((s) => {
      switch (request.queue) {
        case 'mine':
          if (!open(s) || s.assignee !== request.user) return false;
          break;
        case 'my_groups':
          if (!open(s) || !s.assignmentGroup || !(request.groups ?? []).includes(s.assignmentGroup)) return false;
          break;
        case 'unassigned':
          if (!open(s) || s.assignee !== null) return false;
          break;
        case 'breaching':
          if (!open(s) || s.slaDueAt === null) return false;
          break;
        case 'open':
          if (!open(s)) return false;
          break;
        case 'recent':
          if (final(s) && Date.parse(s.updatedAt) < now.getTime() - retentionMs) return false;
          break;
        case 'approvals':
          if (!open(s) || !(s.approvers ?? []).includes(request.user!)) return false;
          break;
        case 'opened':
          if (s.openedBy !== request.user || (final(s) && Date.parse(s.updatedAt) < now.getTime() - retentionMs)) return false;
          break;
      }
      if (sort === 'due' && s.slaDueAt === null) return false;
      if (f.kind && !asList(f.kind)!.includes(s.kind)) return false;
      if (f.state && !asList(f.state)!.includes(s.state)) return false;
      if (f.priority && !asList(f.priority)!.includes(s.priority)) return false;
      if (f.group && !asList(f.group)!.includes(s.assignmentGroup as string)) return false;
      if (f.assignee && !asList(f.assignee)!.includes(s.assignee as string)) return false;
      if (f.dueBefore && (s.slaDueAt === null || Date.parse(s.slaDueAt) >= Date.parse(f.dueBefore))) return false;
      if (f.q) {
        const q = f.q.trim().toUpperCase();
        const byNumber = /^\d+$/.test(q) ? Number(s.number.slice(3)) === Number(q) : s.number === q;
        const byWords = f.q.toLowerCase().split(/\s+/).filter(Boolean).every((w) => s.title.toLowerCase().includes(w));
        if (!byNumber && !byWords) return false;
      }
      if (request.scope && !isVisible({ ...s, watchers: s.watchers ?? [], workingGroups: s.workingGroups ?? (s.assignmentGroup ? [s.assignmentGroup] : []) }, request.scope)) return false;
      return true;
    });
    const key = (s: TicketSummary) => (sort === 'created' ? s.createdAt : sort === 'updated' ? s.updatedAt : s.slaDueAt!);
    const dir = sort === 'due' ? 1 : -1;
    rows.sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : a.number < b.number ? -dir : dir));
    return rows.map((s) => s.number);
  }
}

/** Every page of a queue, by following nextCursor. */
async function allPages(db: Connection, request: Omit<ListQueueRequest, 'cursor'>, limit = 17): Promise<string[]> {
  const numbers: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await listQueue(db, { compactAfter: 0, ...request, limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    numbers.push(...page.items.map((s) => s.number));
    if (!page.nextCursor) return numbers;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

const QUEUES: Array<Omit<ListQueueRequest, 'cursor'>> = [
  { queue: 'mine', user: 'alice' },
  { queue: 'mine', user: 'bob', sort: 'updated' },
  { queue: 'my_groups', groups: ['network', 'database'] },
  { queue: 'my_groups', groups: ['identity'], sort: 'due' },
  { queue: 'my_groups', groups: [] },
  { queue: 'unassigned' },
  { queue: 'unassigned', sort: 'updated', filters: { group: ['desk', 'network'] } },
  { queue: 'breaching' },
  { queue: 'breaching', filters: { priority: ['P1', 'P2'], dueBefore: new Date(Date.now() + 12 * 3600_000).toISOString() } },
  { queue: 'recent' },
  { queue: 'recent', sort: 'created', filters: { kind: 'request' } },
  { queue: 'recent', filters: { state: ['resolved', 'fulfilled', 'closed'] } },
  { queue: 'open', sort: 'due', filters: { kind: ['incident', 'problem'], state: 'in_progress' } },
  { queue: 'open', filters: { assignee: 'carol', priority: 'P3' } },
  { queue: 'open', filters: { q: 'vpn' } },
  { queue: 'recent', filters: { q: 'Printer EMAIL' } },
  { queue: 'recent', filters: { q: 'INC0001003' } },
  { queue: 'recent', filters: { q: '1004' } },
  { queue: 'open', scope: { all: false, username: 'dave', groups: ['identity'] } },
  { queue: 'open', scope: { all: false, username: 'erin', groups: ['facilities'] } },
  { queue: 'approvals', user: 'erin' },
  { queue: 'opened', user: 'user3' },
  { queue: 'opened', user: 'user4', filters: { kind: 'incident' } },
  { queue: 'recent', scope: { all: true, username: 'x', groups: [] }, filters: { kind: 'problem' } },
];

async function expectQueuesMatch(db: Connection, model: Model): Promise<void> {
  for (const request of QUEUES) {
    const expected = model.list(request, new Date());
    expect({ request, numbers: await allPages(db, request) }).toEqual({ request, numbers: expected });
  }
}

describe('ticket queues (change log + snapshots)', () => {
  const now = Date.now();
  let db: Connection;
  const model = new Model();

  beforeAll(async () => {
    db = await connect(isolationName());
    // Two versions of most tickets, some written newest first (a late retry of an older version).
    for (let i = 0; i < 240; i++) {
      const v1 = ticket(i, now, { state: 'new', assignee: null });
      const v2 = { ...ticket(i, now), version: 2 };
      const order = i % 6 === 0 ? [v2, v1] : [v1, v2];
      for (const s of order) {
        expect(await upsertQueueEntry(db, s)).toBe('recorded');
        model.apply(s);
      }
    }
  });

  it('records each version once: a retry is a duplicate', async () => {
    expect(await upsertQueueEntry(db, ticket(1, now, { version: 2 }))).toBe('duplicate');
    await expect(upsertQueueEntry(db, { ...ticket(1, now), version: 0 })).rejects.toThrow(/version/);
    await expect(upsertQueueEntry(db, { ...ticket(1, now), number: 'X1' })).rejects.toThrow(/ticket number/);
  });

  it('lists every queue, filter and sort like the model, from pending changes only', async () => {
    expect((await queueStats(db)).snapshots).toBe(0);
    await expectQueuesMatch(db, model);
  });

  it('lists the same after a compaction, and with changes pending on top of a snapshot', async () => {
    const result = await compactQueue(db);
    expect(result).toMatchObject({ changesMerged: 480, snapshotsMerged: 0 });
    expect(await queueStats(db)).toMatchObject({ pendingChanges: 0, snapshots: 1 });
    await expectQueuesMatch(db, model);

    for (let i = 0; i < 240; i += 5) {
      const v3 = { ...ticket(i + 1, now), version: 3, state: OPEN_STATES[i % OPEN_STATES.length]!, assignee: AGENTS[i % 3]!, updatedAt: new Date(now - DAY + i * 1000).toISOString() };
      await upsertQueueEntry(db, v3);
      model.apply(v3);
    }
    await expectQueuesMatch(db, model);
  });

  it('reads the same from a process that never saw the changes (it fetches the snapshot)', async () => {
    await compactQueue(db);
    const cold = await connect(db.name);
    await expectQueuesMatch(cold, model);
  });

  it('rejects a cursor that is not its own', async () => {
    const page = await listQueue(db, { queue: 'recent', limit: 5, compactAfter: 0 });
    await expect(listQueue(db, { queue: 'breaching', cursor: page.nextCursor! })).rejects.toThrow(QueueCursorError);
    await expect(listQueue(db, { queue: 'recent', sort: 'created', cursor: page.nextCursor! })).rejects.toThrow(QueueCursorError);
    await expect(listQueue(db, { queue: 'recent', cursor: 'garbage' })).rejects.toThrow(QueueCursorError);
    await expect(listQueue(db, { queue: 'recent', limit: 201 })).rejects.toThrow(/limit/);
    await expect(listQueue(db, { queue: 'mine' })).rejects.toThrow(/user/);
  });
});

describe('paging while tickets change between pages', () => {
  const now = Date.now();
  let db: Connection;
  const model = new Model();
  let opened = 0;

  beforeAll(async () => {
    db = await connect(isolationName());
    for (let i = 0; i < 150; i++) {
      // All open, in the 'network' group, so every change below touches the listed queue.
      const s = ticket(i, now, { state: OPEN_STATES[i % OPEN_STATES.length]!, assignmentGroup: 'network', slaDueAt: new Date(now + (i % 40) * 3600_000).toISOString() });
      await upsertQueueEntry(db, s);
      model.apply(s);
    }
    await compactQueue(db);
  });

  async function bump(number: string, changes: Partial<TicketSummary>): Promise<void> {
    const current = model.latest.get(number)!;
    const next = { ...current, ...changes, version: current.version + 1, updatedAt: new Date().toISOString() };
    await upsertQueueEntry(db, next);
    model.apply(next);
  }

  it.each<[QueueName, QueueSort]>([
    ['my_groups', 'updated'],
    ['my_groups', 'due'],
    ['my_groups', 'created'],
    ['breaching', 'due'],
    ['recent', 'updated'],
  ])('%s by %s: no duplicates, and every ticket that did not change is listed exactly once', async (queue, sort) => {
    const request = { queue, sort, groups: ['network'], compactAfter: 0, limit: 20 } as const;
    const atStart = model.list(request, new Date());
    const first = await listQueue(db, request);
    expect(first.items.map((s) => s.number)).toEqual(atStart.slice(0, 20));

    const seen = first.items.map((s) => s.number);
    const changed = new Set<string>();
    let cursor = first.nextCursor;
    let round = 0;
    while (cursor) {
      // Between pages: move a listed ticket far down and an unlisted one up, close one that is
      // still to come, open a brand-new one, and sometimes compact.
      const shown = seen[round % seen.length]!;
      const ahead = atStart.find((n) => !seen.includes(n) && !changed.has(n));
      await bump(shown, { slaDueAt: new Date(now + 90 * DAY).toISOString(), createdAt: model.latest.get(shown)!.createdAt });
      changed.add(shown);
      if (ahead) {
        await bump(ahead, { slaDueAt: new Date(now - DAY).toISOString() });
        changed.add(ahead);
      }
      const leaving = atStart.filter((n) => !seen.includes(n) && !changed.has(n)).at(-1);
      if (leaving) {
        await bump(leaving, { state: 'cancelled' });
        changed.add(leaving);
      }
      const at = new Date().toISOString();
      const fresh = ticket(900 + opened++, now, { state: 'new', assignmentGroup: 'network', createdAt: at, updatedAt: at });
      await upsertQueueEntry(db, fresh);
      model.apply(fresh);
      changed.add(fresh.number);
      if (round % 2 === 1) await compactQueue(db);

      const page = await listQueue(db, { ...request, cursor });
      seen.push(...page.items.map((s) => s.number));
      cursor = page.nextCursor;
      round++;
    }

    expect(new Set(seen).size).toBe(seen.length);
    const unchanged = atStart.filter((n) => !changed.has(n));
    expect(seen.filter((n) => !changed.has(n))).toEqual(unchanged);
    // A fresh first page shows the queue as it is now.
    expect(await allPages(db, request, 20)).toEqual(model.list(request, new Date()));
  });
});

describe('a ticket leaving the open set', () => {
  const now = Date.now();
  let db: Connection;

  beforeAll(async () => {
    db = await connect(isolationName());
  });

  const numbersOf = async (request: ListQueueRequest) => (await listQueue(db, { compactAfter: 0, ...request })).items.map((s) => s.number);

  it('leaves the work queues when resolved, stays in recent until final and retained, and a late retry does not bring it back', async () => {
    const base = ticket(3, now, { number: 'INC0000042', kind: 'incident', state: 'in_progress', assignee: 'alice', assignmentGroup: 'network', slaDueAt: new Date(now + 3600_000).toISOString() });
    const v1 = { ...base, version: 1, updatedAt: new Date(now - 3000).toISOString() };
    await upsertQueueEntry(db, v1);
    const work: ListQueueRequest[] = [{ queue: 'mine', user: 'alice' }, { queue: 'my_groups', groups: ['network'] }, { queue: 'breaching' }, { queue: 'open' }];
    for (const request of work) expect(await numbersOf(request)).toEqual(['INC0000042']);

    const resolved = { ...base, version: 2, state: 'resolved', updatedAt: new Date(now - 2000).toISOString() };
    await upsertQueueEntry(db, resolved);
    for (const request of work) expect(await numbersOf(request)).toEqual([]);
    expect(await numbersOf({ queue: 'recent' })).toEqual(['INC0000042']);

    const closed = { ...base, version: 3, state: 'closed', updatedAt: new Date(now - 1000).toISOString() };
    await upsertQueueEntry(db, closed);
    await compactQueue(db, { now: new Date(now) });
    expect((await listQueue(db, { queue: 'recent', compactAfter: 0 })).items).toEqual([expect.objectContaining({ number: 'INC0000042', state: 'closed', version: 3 })]);

    // A zombie retry of version 2 after the close (its change was compacted away, so it is
    // recorded again): the tombstone (version 3) still wins.
    expect(await db.collection(QUEUE_COLLECTIONS.changes).countDocuments({})).toBe(0);
    expect(await upsertQueueEntry(db, { ...resolved })).toBe('recorded');
    for (const request of work) expect(await numbersOf(request)).toEqual([]);
    expect((await listQueue(db, { queue: 'recent', compactAfter: 0 })).items.map((s) => s.state)).toEqual(['closed']);

    // Past the retention it is gone from "recent" at once, and from the store at the next compaction.
    const later = new Date(now + 8 * DAY);
    expect(await numbersOf({ queue: 'recent', now: later })).toEqual([]);
    const result = await compactQueue(db, { now: later });
    expect(result.entries).toBe(0);
    expect(await numbersOf({ queue: 'recent' })).toEqual([]);
  });

  it('reopened: back in the work queues', async () => {
    const s = ticket(4, now, { number: 'INC0000043', kind: 'incident', state: 'resolved', assignee: 'bob', version: 1 });
    await upsertQueueEntry(db, s);
    expect(await numbersOf({ queue: 'mine', user: 'bob' })).toEqual([]);
    await upsertQueueEntry(db, { ...s, state: 'in_progress', version: 2, updatedAt: new Date().toISOString() });
    expect(await numbersOf({ queue: 'mine', user: 'bob' })).toEqual(['INC0000043']);
  });
});

describe('processes and compactions', () => {
  it('a process that holds the previous snapshot rebuilds the next one from its delta, without the chunks', async () => {
    const now = Date.now();
    const name = isolationName();
    const [writer, reader] = [await connect(name), await connect(name)];
    const model = new Model();
    const first = Array.from({ length: 60 }, (_, i) => ({ ...ticket(i, now), state: 'in_progress', version: 2 }));
    // A backfill from existing projections merges with what is recorded: the newer version wins.
    const recorded = { ...first[0]!, version: 3, title: 'recorded before the backfill' };
    await upsertQueueEntry(writer, recorded);
    const backfill = await backfillQueue(writer, first);
    expect(backfill).toMatchObject({ entries: 60, changesMerged: 1 });
    [...first, recorded].forEach((s) => model.apply(s));
    expect(await queueStats(writer)).toMatchObject({ pendingChanges: 0, snapshots: 1 });
    expect(await allPages(reader, { queue: 'open' })).toEqual(model.list({ queue: 'open' }, new Date()));

    for (let i = 0; i < 60; i += 4) {
      const next = { ...model.latest.get(ticket(i, now).number)!, version: 4, assignee: 'carol', updatedAt: new Date(now - 1000 + i).toISOString() };
      await upsertQueueEntry(writer, next);
      model.apply(next);
    }
    const compacted = await compactQueue(writer);
    expect(compacted.changesMerged).toBe(15);
    // The new snapshot's chunks vanish: the reader can only answer from its cache and the delta.
    await writer.collection(QUEUE_COLLECTIONS.chunks).deleteMany({ snap: compacted.snapshot });
    for (const request of [{ queue: 'open' }, { queue: 'mine', user: 'carol' }] as const) {
      expect(await allPages(reader, request)).toEqual(model.list(request, new Date()));
    }
    // A third, cold process needs the chunks: the reader's compaction writes them again.
    await upsertQueueEntry(reader, { ...model.latest.get(ticket(1, now).number)!, version: 9 });
    model.apply({ ...model.latest.get(ticket(1, now).number)!, version: 9 });
    await compactQueue(reader);
    expect(await allPages(await connect(name), { queue: 'open' })).toEqual(model.list({ queue: 'open' }, new Date()));
  });
});

describe('concurrent writers and compactions', () => {
  it('loses no change when writers and compactions in two processes run at once', async () => {
    const now = Date.now();
    const name = isolationName();
    const [a, b] = [await connect(name), await connect(name)];
    const model = new Model();
    const versions: TicketSummary[] = [];
    for (let i = 0; i < 90; i++) for (let v = 1; v <= 3; v++) versions.push({ ...ticket(i, now), version: v, state: OPEN_STATES[(i + v) % OPEN_STATES.length]!, updatedAt: new Date(now - DAY + i * 60_000 + v).toISOString() });
    versions.forEach((s) => model.apply(s));

    // Each ticket's versions in order from one writer (as the workflow does), tickets in parallel,
    // with compactions from both processes interleaved.
    const writers = Array.from({ length: 6 }, (_, w) =>
      (async () => {
        for (let k = w; k < versions.length; k += 6) await upsertQueueEntry(k % 2 ? a : b, versions[k]!);
      })(),
    );
    const compactions = (async () => {
      for (let round = 0; round < 6; round++) await Promise.all([compactQueue(a), compactQueue(b)]);
    })();
    await Promise.all([...writers, compactions]);

    for (const db of [a, b]) {
      expect(await allPages(db, { queue: 'open' }, 50)).toEqual(model.list({ queue: 'open' }, new Date()));
    }
    await compactQueue(a);
    await compactQueue(b);
    expect(await queueStats(a)).toMatchObject({ pendingChanges: 0, snapshots: 1 });
    const fresh = await connect(name);
    expect(await allPages(fresh, { queue: 'open' }, 50)).toEqual(model.list({ queue: 'open' }, new Date()));
  });
});
