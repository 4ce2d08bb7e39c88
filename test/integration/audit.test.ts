import type { Connection } from 'mongoose';
import { auditVerifyCommand } from '../../bin/auditVerify';
import type { AuditInput } from '../../domain/audit';
import { loadConfig } from '../../runtime/config';
import { appendAudit, searchAudit, verifyAudit } from '../../store/audit';
import { connectStore } from '../../store/connection';
import { isolationName, mongoUri } from '../setup/harness';

const event = (n: number, over: Partial<AuditInput> = {}): AuditInput => ({
  actor: { type: 'user', id: n % 2 ? 'alice' : 'bob' },
  action: n % 3 ? 'incident.assign' : 'incident.resolve',
  target: { type: 'incident', id: `INC${String(n).padStart(7, '0')}` },
  diff: { assignee: { before: null, after: `agent${n}` } },
  outcome: 'success',
  clientAddress: '127.0.0.1',
  requestId: `req-${n}`,
  ...over,
});

async function appendInOrder(db: Connection, count: number, first = 1): Promise<void> {
  for (let n = first; n < first + count; n += 1) await appendAudit(db, event(n));
}

/** A fresh database per test: each one builds its own chain from seq 1. */
async function freshStore(): Promise<Connection> {
  const db = await connectStore(mongoUri(), isolationName('audit'));
  opened.push(db);
  return db;
}
const opened: Connection[] = [];
afterAll(async () => {
  for (const db of opened) {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
});

describe('the audit chain in the store', () => {
  it('verifies 20 appended entries, then names an entry edited in the database', async () => {
    const db = await freshStore();
    await appendInOrder(db, 20);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checked: 20, head: { seq: 20 } });

    await db.collection('audit_log').updateOne({ _id: 7 as never }, { $set: { action: 'incident.close' } });
    expect(await verifyAudit(db)).toEqual({ ok: false, checked: 6, firstBroken: { seq: 7, reason: 'hash mismatch (entry edited)' } });
  });

  it('names the entry after a deleted one', async () => {
    const db = await freshStore();
    await appendInOrder(db, 20);
    await db.collection('audit_log').deleteOne({ _id: 12 as never });
    expect(await verifyAudit(db)).toEqual({ ok: false, checked: 11, firstBroken: { seq: 13, reason: 'sequence gap (entry deleted)' } });
  });

  it('names an entry whose stored diff was edited, or that gained a field', async () => {
    const db = await freshStore();
    await appendInOrder(db, 5);
    await db.collection('audit_log').updateOne({ _id: 5 as never }, { $set: { note: 'added later' } });
    expect(await verifyAudit(db)).toMatchObject({ ok: false, firstBroken: { seq: 5, reason: 'hash mismatch (entry edited)' } });
    await db.collection('audit_log').updateOne({ _id: 3 as never }, { $set: { diff: '{"assignee":{"after":"mallory"}}' } });
    expect(await verifyAudit(db)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'hash mismatch (entry edited)' } });
  });

  it('keeps one linear chain under 50 concurrent appends on one connection', async () => {
    const db = await freshStore();
    const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => appendAudit(db, event(i + 1))));
    expect(entries.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(entries.map((e) => e.prevHash)).size).toBe(50);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checked: 50 });
  });

  it('keeps one linear chain when 5 writers (own connections, like processes) race', async () => {
    const writers = [await freshStore()];
    const dbName = writers[0]!.name;
    for (let i = 1; i < 5; i += 1) writers.push(await connectStore(mongoUri(), dbName));
    opened.push(...writers.slice(1));
    const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => appendAudit(writers[i % 5]!, event(i + 1))));
    const seqs = entries.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // No fork: no two entries link to the same predecessor.
    expect(new Set(entries.map((e) => e.prevHash)).size).toBe(50);
    expect(await verifyAudit(writers[0]!)).toMatchObject({ ok: true, checked: 50 });
  });

  it('stores secrets in a diff redacted', async () => {
    const db = await freshStore();
    const entry = await appendAudit(db, event(1, { diff: { password: { after: 'hunter2' }, settings: { before: { apiKey: 'k-old' }, after: { apiKey: 'k-new', theme: 'dark' } } } }));
    const raw = await db.collection('audit_log').findOne({ _id: entry.seq as never });
    expect(JSON.stringify(raw)).not.toMatch(/hunter2|k-old|k-new/);
    const [stored] = (await searchAudit(db, { limit: 1 })).entries;
    expect(stored!.diff).toEqual({ password: { after: '[REDACTED]' }, settings: { before: { apiKey: '[REDACTED]' }, after: { apiKey: '[REDACTED]', theme: 'dark' } } });
    expect(stored).toEqual(entry);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checked: 1 });
  });

  it('keeps diffs with keys and values the server would reject or change, verifiably', async () => {
    const db = await freshStore();
    await appendAudit(db, event(1, { diff: { '$set': { after: { 'a.b': 1, $gt: [NaN, -0, 2 ** 53] } }, when: { after: new Date('2026-01-01T00:00:00Z') } } }));
    const [stored] = (await searchAudit(db, { limit: 1 })).entries;
    expect(stored!.diff).toEqual({ $set: { after: { 'a.b': 1, $gt: [null, 0, 2 ** 53] } }, when: { after: '2026-01-01T00:00:00.000Z' } });
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checked: 1 });
  });
});

describe('searchAudit', () => {
  let db: Connection;
  beforeAll(async () => {
    db = await freshStore();
    await appendInOrder(db, 20);
  });

  it('lists newest first and pages with the cursor to the end', async () => {
    const seen: number[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = await searchAudit(db, { limit: 6, cursor });
      seen.push(...page.entries.map((e) => e.seq));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
  });

  it('filters by actor, action and target, and pages within a filter', async () => {
    const alice = await searchAudit(db, { actorId: 'alice', limit: 100 });
    expect(alice.entries.map((e) => e.seq)).toEqual([19, 17, 15, 13, 11, 9, 7, 5, 3, 1]);
    const resolvedByBob = await searchAudit(db, { actorId: 'bob', action: 'incident.resolve', limit: 2 });
    expect(resolvedByBob.entries.map((e) => e.seq)).toEqual([18, 12]);
    const rest = await searchAudit(db, { actorId: 'bob', action: 'incident.resolve', limit: 2, cursor: resolvedByBob.nextCursor! });
    expect(rest).toMatchObject({ entries: [{ seq: 6 }], nextCursor: null });
    const target = await searchAudit(db, { targetType: 'incident', targetId: 'INC0000004', limit: 10 });
    expect(target.entries.map((e) => e.seq)).toEqual([4]);
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const all = (await searchAudit(db, { limit: 100 })).entries;
    const [fifth, tenth] = [all.find((e) => e.seq === 5)!, all.find((e) => e.seq === 10)!];
    const window = await searchAudit(db, { from: fifth.at, to: new Date(tenth.at), limit: 100 });
    // Entries written in the same millisecond share `at`, so compare with the bounds.
    expect(window.entries.every((e) => e.at >= fifth.at && e.at < tenth.at)).toBe(true);
    expect(window.entries.map((e) => e.seq)).toContain(5);
    expect(window.entries.map((e) => e.seq)).not.toContain(10);
  });

  it('takes a filter value only as a value, never as an operator', async () => {
    await expect(searchAudit(db, { actorId: { $ne: null } as never, limit: 5 })).rejects.toThrow();
  });
});

describe('flowdesk audit verify', () => {
  it('prints OK with the count, or the first broken entry, and exits 0 or 1', async () => {
    const db = await freshStore();
    await appendInOrder(db, 3);
    const config = loadConfig({ MONGODB_URI: mongoUri(), MONGODB_DATABASE: db.name });
    const lines: string[] = [];
    expect(await auditVerifyCommand(config, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/^audit chain OK: 3 entries verified/);

    await db.collection('audit_log').updateOne({ _id: 2 as never }, { $set: { 'actor.id': 'mallory' } });
    expect(await auditVerifyCommand(config, (line) => lines.push(line))).toBe(1);
    expect(lines[1]).toMatch(/^audit chain BROKEN at entry #2: hash mismatch \(entry edited\)/);
  });
});
