import type { Connection } from 'mongoose';
import { createTicketActivities } from '../../activities/tickets';
import { DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { openIncident } from '../../domain/ticket/incident';
import { applyTicketAction } from '../../domain/ticket/ticket';
import { loadCatalog } from '../../runtime/catalog';
import { connectStore } from '../../store/connection';
import { ticketModel } from '../../store/tickets';
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
});
