import type { Connection } from 'mongoose';
import { connectStore } from '../../store/connection';
import { createSession, findSession, SESSION_LIFETIME } from '../../store/sessions';
import { checkToken, issueToken } from '../../store/tokens';
import { isolationName, mongoUri } from '../setup/harness';

let db: Connection;
beforeAll(async () => {
  db = await connectStore(mongoUri(), isolationName());
});
afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

describe('session lifetime', () => {
  const start = new Date('2026-06-01T08:00:00Z');

  it('ends a session left idle longer than the idle timeout', async () => {
    const { id } = await createSession(db, 'ana', start);
    expect(await findSession(db, id, at(start, SESSION_LIFETIME.idleMs - 1000))).toMatchObject({ username: 'ana' });
    // That use was more than a minute after the start, so it reset the idle clock.
    expect(await findSession(db, id, at(start, 2 * SESSION_LIFETIME.idleMs - 2000))).toMatchObject({ username: 'ana' });
    expect(await findSession(db, id, at(start, 3 * SESSION_LIFETIME.idleMs))).toBeNull();
    // Expired sessions are deleted, not only refused.
    expect(await findSession(db, id, at(start, 1000))).toBeNull();
  });

  it('ends a busy session at the absolute timeout', async () => {
    const { id } = await createSession(db, 'ben', start);
    let now = start;
    while (now.getTime() - start.getTime() < SESSION_LIFETIME.absoluteMs - SESSION_LIFETIME.idleMs) {
      now = at(now, SESSION_LIFETIME.idleMs / 2);
      expect(await findSession(db, id, now)).not.toBeNull();
    }
    expect(await findSession(db, id, at(start, SESSION_LIFETIME.absoluteMs + 1000))).toBeNull();
  });

  it('stores only a digest of the session id', async () => {
    const { id } = await createSession(db, 'cy', start);
    const stored = JSON.stringify(await db.collection('sessions').find({ username: 'cy' }).toArray());
    expect(stored).not.toContain(id);
  });
});

describe('API token expiry', () => {
  it('refuses a token after it expires, and a token whose secret is altered', async () => {
    const now = new Date('2026-06-01T08:00:00Z');
    const { token } = await issueToken(db, 'dee', 'short-lived', ['ticket.read'], at(now, 60_000).toISOString(), now);
    expect(await checkToken(db, token, at(now, 59_000))).toMatchObject({ owner: 'dee' });
    expect(await checkToken(db, token, at(now, 61_000))).toBeNull();
    const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await checkToken(db, altered, now)).toBeNull();
  });
});
