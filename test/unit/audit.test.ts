import { createHash } from 'node:crypto';
import {
  type AuditEntry,
  type AuditInput,
  auditToCsv,
  buildAuditEntry,
  canonicalEncode,
  entryHash,
  GENESIS_HASH,
  redactDiff,
  redactSecrets,
  verifyEntries,
} from '../../domain/audit';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const input = (n: number): AuditInput => ({
  actor: { type: 'user', id: `u${n % 3}`, name: 'Alice' },
  action: 'incident.assign',
  target: { type: 'incident', id: `INC${String(n).padStart(7, '0')}` },
  diff: { assignee: { before: null, after: `agent${n}` } },
  outcome: 'success',
  clientAddress: '10.0.0.1',
  requestId: `req-${n}`,
});

function chain(length: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let n = 1; n <= length; n += 1) {
    const last = entries[entries.length - 1];
    entries.push(buildAuditEntry(input(n), last ? { seq: last.seq, hash: last.hash } : null, `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`, sha256));
  }
  return entries;
}

/** Re-hashes an entry after a change, as a forger who knows the algorithm would. */
const rehashed = (entry: AuditEntry): AuditEntry => ({ ...entry, hash: entryHash(entry, sha256) });

describe('canonicalEncode', () => {
  it('is the same whatever order the keys were written in, at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: 'x' } };
    const b = { a: { x: 'x', y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalEncode(a)).toBe(canonicalEncode(b));
    expect(canonicalEncode(a)).toBe('{"a":{"x":"x","y":[1,{"p":2,"q":1}]},"b":1}');
  });

  it('keeps array order, drops undefined members, writes Dates as ISO strings', () => {
    expect(canonicalEncode([2, 1])).not.toBe(canonicalEncode([1, 2]));
    expect(canonicalEncode({ a: undefined, b: null, c: [undefined] })).toBe('{"b":null,"c":[null]}');
    expect(canonicalEncode({ at: new Date('2026-01-02T03:04:05Z') })).toBe('{"at":"2026-01-02T03:04:05.000Z"}');
  });

  it('reads back to itself through JSON, so a stored entry hashes as it was written', () => {
    const value = { z: '\u2028 "quoted" \\ \ud800', '10': 1, n: -0, f: 0.1 + 0.2, big: 2 ** 60, ...JSON.parse('{"__proto__":{"deep":[true]}}') };
    const text = canonicalEncode(value);
    expect(canonicalEncode(JSON.parse(text))).toBe(text);
  });

  it('refuses a cycle instead of looping', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalEncode(loop)).toThrow(/cycle/);
  });
});

describe('redaction', () => {
  it('replaces secret-looking keys at any depth, in arrays too', () => {
    const redacted = redactSecrets({
      name: 'bob',
      password: 'hunter2',
      nested: { apiKey: 'k', api_key: 'k', 'API-KEY': 'k', list: [{ clientSecret: 's', ok: 1 }] },
      headers: { Authorization: 'Bearer x', Cookie: 'sid=1' },
      refreshToken: { value: 'object secrets go too' },
      credentials: ['a', 'b'],
    });
    expect(redacted).toEqual({
      name: 'bob',
      password: '[REDACTED]',
      nested: { apiKey: '[REDACTED]', api_key: '[REDACTED]', 'API-KEY': '[REDACTED]', list: [{ clientSecret: '[REDACTED]', ok: 1 }] },
      headers: { Authorization: '[REDACTED]', Cookie: '[REDACTED]' },
      refreshToken: '[REDACTED]',
      credentials: '[REDACTED]',
    });
  });

  it('keeps a key named __proto__ an ordinary key', () => {
    const redacted = redactSecrets(JSON.parse('{"__proto__":{"password":"x"}}')) as object;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(canonicalEncode(redacted)).toBe('{"__proto__":{"password":"[REDACTED]"}}');
  });

  it('keeps a diff\'s shape, so the trail says a secret changed without its value', () => {
    expect(redactDiff({ password: { after: 'set' }, profile: { before: { token: 't', city: 'A' }, after: { token: 'u', city: 'B' } } })).toEqual({
      password: { before: undefined, after: '[REDACTED]' },
      profile: { before: { token: '[REDACTED]', city: 'A' }, after: { token: '[REDACTED]', city: 'B' } },
    });
  });

  it('is applied to every new entry', () => {
    const entry = buildAuditEntry({ ...input(1), diff: { secret: { before: 'a', after: 'b' } } }, null, '2026-01-01T00:00:00.000Z', sha256);
    expect(JSON.stringify(entry)).not.toMatch(/"a"|"b"/);
    expect(entry.diff).toEqual({ secret: { before: '[REDACTED]', after: '[REDACTED]' } });
  });
});

describe('buildAuditEntry', () => {
  it('starts at seq 1 on the genesis hash and links each entry to the previous hash', () => {
    const [first, second] = chain(2);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first!.hash });
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes only the known fields, so a caller\'s extra keys cannot make it unverifiable', () => {
    const withExtra = { ...input(1), extra: 'x', actor: { ...input(1).actor, role: 'admin' } } as AuditInput;
    expect(buildAuditEntry(withExtra, null, '2026-01-01T00:00:00.000Z', sha256)).toEqual(buildAuditEntry(input(1), null, '2026-01-01T00:00:00.000Z', sha256));
  });
});

describe('verifyEntries', () => {
  it('accepts an intact chain and an empty one', () => {
    const entries = chain(10);
    expect(verifyEntries(entries, sha256)).toEqual({ ok: true, checked: 10, head: { seq: 10, hash: entries[9]!.hash } });
    expect(verifyEntries([], sha256)).toEqual({ ok: true, checked: 0 });
  });

  it('names an edited entry', () => {
    const entries = chain(10);
    entries[4] = { ...entries[4]!, action: 'incident.close' };
    expect(verifyEntries(entries, sha256)).toEqual({ ok: false, checked: 4, firstBroken: { seq: 5, reason: 'hash mismatch (entry edited)' } });
  });

  it('names the entry after one edited and re-hashed by a forger', () => {
    const entries = chain(10);
    entries[4] = rehashed({ ...entries[4]!, detail: 'forged' });
    expect(verifyEntries(entries, sha256)).toMatchObject({ ok: false, firstBroken: { seq: 6, reason: 'previous-hash mismatch (entry inserted or removed before it)' } });
  });

  it('names the entry after a deleted one', () => {
    const entries = chain(10);
    entries.splice(6, 1);
    expect(verifyEntries(entries, sha256)).toEqual({ ok: false, checked: 6, firstBroken: { seq: 8, reason: 'sequence gap (entry deleted)' } });
  });

  it('names an inserted entry, even one with a valid hash and seq', () => {
    const entries = chain(10);
    const forged = rehashed({ ...entries[3]!, seq: 4, prevHash: 'f'.repeat(64), action: 'user.create' });
    entries.splice(3, 0, forged);
    expect(verifyEntries(entries, sha256)).toMatchObject({ ok: false, firstBroken: { seq: 4, reason: 'previous-hash mismatch (entry inserted or removed before it)' } });
  });

  it('names the original entry pushed aside by an inserted one that links correctly', () => {
    const entries = chain(10);
    const forged = rehashed({ ...entries[3]!, prevHash: entries[2]!.hash, detail: 'forged' });
    entries.splice(3, 0, forged);
    expect(verifyEntries(entries, sha256)).toMatchObject({ ok: false, checked: 4, firstBroken: { seq: 4, reason: 'previous-hash mismatch (entry inserted or removed before it)' } });
  });

  it('names the first entry out of place when two are swapped', () => {
    const entries = chain(10);
    [entries[3], entries[4]] = [entries[4]!, entries[3]!];
    expect(verifyEntries(entries, sha256)).toMatchObject({ ok: false, checked: 3, firstBroken: { seq: 5, reason: 'sequence gap (entry deleted)' } });
  });

  it('notices that the first entries were deleted', () => {
    const entries = chain(5).slice(1);
    expect(verifyEntries(entries, sha256)).toEqual({ ok: false, checked: 0, firstBroken: { seq: 2, reason: 'first entry does not start the chain' } });
  });

  it('notices an entry whose hash field was removed', () => {
    const entries = chain(3);
    const { hash: _gone, ...withoutHash } = entries[1]!;
    entries[1] = withoutHash as AuditEntry;
    expect(verifyEntries(entries, sha256)).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'hash mismatch (entry edited)' } });
  });
});

describe('auditToCsv', () => {
  it('writes a header and RFC 4180 rows, quoting commas, quotes and line breaks', () => {
    const [entry] = chain(1);
    const csv = auditToCsv([{ ...entry!, actor: { type: 'user', id: 'u1', name: 'Doe, "J"' }, detail: 'not a column', clientAddress: undefined }]);
    const [header, row, end] = csv.split('\r\n');
    expect(header).toBe('seq,at,actor.type,actor.id,actor.name,action,target.type,target.id,outcome,clientAddress,requestId,diff,prevHash,hash');
    expect(row).toBe(
      `1,2026-01-01T00:00:01.000Z,user,u1,"Doe, ""J""",incident.assign,incident,INC0000001,success,,req-1,"{""assignee"":{""after"":""agent1"",""before"":null}}",${GENESIS_HASH},${entry!.hash}`,
    );
    expect(end).toBe('');
  });

  it('quotes line breaks and defuses spreadsheet formulas', () => {
    const [entry] = chain(1);
    const csv = auditToCsv([{ ...entry!, action: 'line1\nline2', target: { type: 'user', id: '=HYPERLINK("x")' } }]);
    expect(csv).toContain(',"line1\nline2",');
    expect(csv).toContain(',user,"\'=HYPERLINK(""x"")",');
  });
});
