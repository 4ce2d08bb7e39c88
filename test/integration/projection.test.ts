import { createTicketActivities } from '../../activities/tickets';
import { applyAction, openIncident } from '../../domain/incident';
import { connectStore } from '../../store/connection';
import { incidentModel } from '../../store/incidents';
import { isolationName, mongoUri } from '../setup/harness';
import type { Connection } from 'mongoose';

let db: Connection;
beforeAll(async () => {
  db = await connectStore(mongoUri(), isolationName());
});
afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

describe('persistIncident (the projection write)', () => {
  const v1 = openIncident({ title: 'disk full', description: '', impact: 2, urgency: 2 }, 'INC0000042', 'alice', '2026-01-01T00:00:00.000Z');
  const v2 = applyAction(v1, { type: 'assign', assignee: 'bob' }, 'alice', '2026-01-01T00:01:00.000Z');

  it('writes a newer version and is idempotent when retried', async () => {
    const { persistIncident } = createTicketActivities(db);
    expect(await persistIncident(v1)).toBe('written');
    expect(await persistIncident(v2)).toBe('written');
    expect(await persistIncident(v2)).toBe('stale');
    const stored = await incidentModel(db).findById('INC0000042').lean().exec();
    expect(stored).toMatchObject({ version: 2, assignee: 'bob', seq: 42 });
  });

  it('never lets a late write of an older version overwrite a newer one', async () => {
    const { persistIncident } = createTicketActivities(db);
    expect(await persistIncident(v1)).toBe('stale');
    const stored = await incidentModel(db).findById('INC0000042').lean().exec();
    expect(stored).toMatchObject({ version: 2, assignee: 'bob' });
  });
});
