import type { Connection } from 'mongoose';
import { createTicketActivities } from '../../activities/tickets';
import { DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { openIncident } from '../../domain/ticket/incident';
import { applyTicketAction } from '../../domain/ticket/ticket';
import { loadCatalog } from '../../runtime/catalog';
import { connectStore } from '../../store/connection';
import { groupModel } from '../../store/groups';
import { listQueue } from '../../store/ticketQueue';
import { backfillWhenMissing } from '../../store/ticketQueueMaintenance';
import { ticketModel, toDocument } from '../../store/tickets';
import { isolationName, mongoUri } from '../setup/harness';

let db: Connection;
beforeAll(async () => {
  db = await connectStore(mongoUri(), isolationName());
});
afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

describe('persistTicket (the projection write)', () => {
  const ctx = (now: string) => ({ actor: 'alice', now, settings: DEFAULT_SETTINGS });
  const v1 = openIncident({ title: 'disk full', description: '', impact: 2, urgency: 2 }, 'INC0000042', ctx('2026-01-01T00:00:00.000Z'));
  const v2 = applyTicketAction(v1, { type: 'assign', assignee: 'bob' }, ctx('2026-01-01T00:01:00.000Z'));

  it('writes a newer version and is idempotent when retried', async () => {
    const { persistTicket } = createTicketActivities(db, loadCatalog());
    expect(await persistTicket(v1)).toBe('written');
    expect(await persistTicket(v2)).toBe('written');
    expect(await persistTicket(v2)).toBe('stale');
    const stored = await ticketModel(db).findById('INC0000042').lean().exec();
    expect(stored).toMatchObject({ version: 2, assignee: 'bob', seq: 42, kind: 'incident' });
  });

  it('never lets a late write of an older version overwrite a newer one', async () => {
    const { persistTicket } = createTicketActivities(db, loadCatalog());
    expect(await persistTicket(v1)).toBe('stale');
    const stored = await ticketModel(db).findById('INC0000042').lean().exec();
    expect(stored).toMatchObject({ version: 2, assignee: 'bob' });
  });

  it('records each written version in the queue index, the newest winning', async () => {
    const page = await listQueue(db, { queue: 'mine', user: 'bob', compactAfter: 0 });
    expect(page.items).toEqual([expect.objectContaining({ number: 'INC0000042', version: 2, assignee: 'bob' })]);
    expect((await listQueue(db, { queue: 'unassigned', compactAfter: 0 })).items).toEqual([]);
  });
});

describe('loading the queue index from tickets written before it existed', () => {
  it('backfills once from the ticket documents, and not again', async () => {
    const other = await connectStore(mongoUri(), isolationName('backfill'));
    try {
      expect(await backfillWhenMissing(other)).toBe(false); // nothing to load
      const ctx = { actor: 'carol', now: '2026-02-01T00:00:00.000Z', settings: DEFAULT_SETTINGS };
      const old = applyTicketAction(openIncident({ title: 'old vpn outage', description: '', impact: 3, urgency: 3 }, 'INC0000007', ctx), { type: 'assign', assignee: 'dora' }, ctx);
      await ticketModel(other).collection.insertOne(toDocument(old, null) as never);
      expect(await backfillWhenMissing(other)).toBe(true);
      expect((await listQueue(other, { queue: 'mine', user: 'dora', compactAfter: 0 })).items.map((s) => s.number)).toEqual(['INC0000007']);
      expect(await backfillWhenMissing(other)).toBe(false);
    } finally {
      await other.dropDatabase();
      await other.close();
    }
  });
});

describe('routing to the least busy member of a group', () => {
  it('counts open assigned tickets from the queue index and picks the member with fewest', async () => {
    const routed = await connectStore(mongoUri(), isolationName('route'));
    try {
      await groupModel(routed).create({ _id: 'service-desk', displayName: 'Service desk', members: ['ann', 'ben', 'cat'], createdAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z' });
      const { persistTicket, routeTicket } = createTicketActivities(routed, loadCatalog());
      const ctx = { actor: 'x', now: '2026-03-01T00:00:00.000Z', settings: DEFAULT_SETTINGS };
      const open = (n: number, assignee: string) => applyTicketAction(openIncident({ title: `work ${n}`, description: '', impact: 3, urgency: 3 }, `INC000010${n}`, ctx), { type: 'assign', group: 'service-desk', assignee }, ctx);
      for (const [n, who] of [[1, 'ann'], [2, 'ann'], [3, 'cat'], [4, 'ben'], [5, 'ben']] as const) await persistTicket(open(n, who));
      // ben's second ticket is closed: it no longer counts.
      const done = open(5, 'ben');
      await persistTicket({ ...done, state: 'closed', version: done.version + 1 } as typeof done);
      const fresh = openIncident({ title: 'laptop will not boot', description: '', impact: 3, urgency: 3 }, 'INC0000199', ctx);
      expect(await routeTicket(fresh)).toEqual({ type: 'route', group: 'service-desk', assignee: expect.stringMatching(/^(ben|cat)$/), source: 'rule', rule: 'incidents-catch-all' });
      const { assignee } = (await routeTicket(fresh))!;
      await persistTicket(open(6, assignee!));
      // Now the other of ben and cat is the only one with a single open ticket.
      expect((await routeTicket(fresh))!.assignee).toBe(assignee === 'ben' ? 'cat' : 'ben');
    } finally {
      await routed.dropDatabase();
      await routed.close();
    }
  });
});
