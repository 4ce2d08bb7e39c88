/**
 * The audit trail's rules, without I/O: what an entry is, how it is hashed into a chain,
 * how secrets are kept out of it, and how a chain is checked.
 *
 * Each entry carries the hash of the previous one, so editing, inserting or deleting an
 * entry breaks the chain at a point `verifyEntries` can name. The hash function is a
 * parameter because domain/ does no I/O and imports no node modules (the store passes
 * SHA-256 from node:crypto).
 */

export interface AuditActor {
  type: 'user' | 'token' | 'system' | 'workflow';
  id: string;
  name?: string;
}

export type AuditDiff = Record<string, { before?: unknown; after?: unknown }>;

export interface AuditInput {
  actor: AuditActor;
  action: string;
  target: { type: string; id: string };
  diff?: AuditDiff;
  outcome?: 'success' | 'denied' | 'failure';
  clientAddress?: string;
  requestId?: string;
  detail?: string;
}

export type AuditEntry = AuditInput & { seq: number; at: string; prevHash: string; hash: string };

/** The link of the first entry: there is no previous entry to hash. */
export const GENESIS_HASH = '0'.repeat(64);

export const REDACTED = '[REDACTED]';
const SECRET_KEY = /password|secret|token|api[_-]?key|authorization|cookie|credential/i;

export type HashText = (text: string) => string;

export type BrokenReason =
  | 'hash mismatch (entry edited)'
  | 'previous-hash mismatch (entry inserted or removed before it)'
  | 'sequence gap (entry deleted)'
  | 'first entry does not start the chain';

export type VerifyResult =
  /** `head` is the last entry checked: record it elsewhere to also detect a cut-off tail. */
  | { ok: true; checked: number; head?: { seq: number; hash: string } }
  | { ok: false; checked: number; firstBroken: { seq: number; reason: BrokenReason } };

/**
 * A deterministic text for a JSON-like value, so the same logical entry always hashes
 * the same, whatever order its keys were written or read back in: object keys sorted,
 * array order kept, undefined (and functions) dropped from objects, Dates as ISO
 * strings, anything with toJSON (ObjectId, Buffer) as its JSON form. Otherwise it is
 * JSON.stringify's output, so JSON.parse of it is the normalized value.
 */
export function canonicalEncode(value: unknown): string {
  return encode(value, []) ?? 'null';
}

function encode(value: unknown, ancestors: object[]): string | undefined {
  if (value === null) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'null' : JSON.stringify(value.toISOString());
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return JSON.stringify(value); // NaN and ±Infinity become null, -0 becomes 0: as JSON.
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return encode(object.toJSON(), ancestors);
  if (ancestors.includes(object)) throw new TypeError('canonicalEncode: the value contains a cycle');
  const inner = [...ancestors, object];
  if (Array.isArray(object)) return `[${object.map((item) => encode(item, inner) ?? 'null').join(',')}]`;
  const members = Object.keys(object)
    .sort()
    .flatMap((key) => {
      const text = encode(object[key], inner);
      return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
    });
  return `{${members.join(',')}}`;
}

/** Replaces, at any depth, the value of every key that looks like a secret. */
export function redactSecrets(value: unknown): unknown {
  return redact(value, []);
}

function redact(value: unknown, ancestors: object[]): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (ancestors.includes(value)) return '[Circular]';
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item) => redact(item, inner));
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return redact(object.toJSON(), inner);
  // fromEntries, not assignment, so a key named __proto__ stays an ordinary key.
  return Object.fromEntries(
    Object.entries(object).map(([key, item]) => [key, SECRET_KEY.test(key) && item !== undefined ? REDACTED : redact(item, inner)]),
  );
}

/**
 * Redacts a diff but keeps its shape: a changed password shows as
 * `{ before: '[REDACTED]', after: '[REDACTED]' }`, so the trail still says that it changed.
 */
export function redactDiff(diff: AuditDiff): AuditDiff {
  return Object.fromEntries(
    Object.entries(diff).map(([field, change]) => {
      const hide = SECRET_KEY.test(field);
      const side = (v: unknown) => (v === undefined ? undefined : hide ? REDACTED : redactSecrets(v));
      return [field, { before: side(change?.before), after: side(change?.after) }];
    }),
  );
}

/** The text an entry's hash covers: every field but `hash` itself. */
export function entryHash(entry: Omit<AuditEntry, 'hash'> & { hash?: unknown }, hash: HashText): string {
  const { hash: _ignored, ...body } = entry;
  return hash(canonicalEncode(body));
}

/**
 * The next entry of the chain. Only the known fields are taken (a caller's extra keys
 * would otherwise be hashed but not stored), the diff is redacted, and the whole entry
 * is normalized through its canonical JSON, so what the store writes and later reads
 * back is exactly what was hashed.
 */
export function buildAuditEntry(input: AuditInput, previous: { seq: number; hash: string } | null, at: string, hash: HashText): AuditEntry {
  const body = {
    seq: previous ? previous.seq + 1 : 1,
    at,
    prevHash: previous ? previous.hash : GENESIS_HASH,
    actor: { type: input.actor.type, id: input.actor.id, name: input.actor.name },
    action: input.action,
    target: { type: input.target.type, id: input.target.id },
    diff: input.diff && redactDiff(input.diff),
    outcome: input.outcome,
    clientAddress: input.clientAddress,
    requestId: input.requestId,
    detail: input.detail,
  };
  const normalized = JSON.parse(canonicalEncode(body)) as Omit<AuditEntry, 'hash'>;
  return { ...normalized, hash: entryHash(normalized, hash) };
}

/**
 * Checks entries one at a time, in seq order, remembering only the previous one, so a
 * store can verify millions of entries in batches. `push` returns the first break.
 */
export function createChainVerifier(hash: HashText) {
  let previous: { seq: number; hash: string } | undefined;
  let checked = 0;
  let broken: VerifyResult | undefined;

  function reasonFor(entry: AuditEntry): BrokenReason | undefined {
    // The entry's own hash first: an edited entry is named itself, not its successor.
    if (typeof entry.hash !== 'string' || entryHash(entry, hash) !== entry.hash) return 'hash mismatch (entry edited)';
    if (!previous) return entry.seq === 1 && entry.prevHash === GENESIS_HASH ? undefined : 'first entry does not start the chain';
    if (typeof entry.seq === 'number' && entry.seq > previous.seq + 1) return 'sequence gap (entry deleted)';
    if (entry.seq !== previous.seq + 1 || entry.prevHash !== previous.hash) return 'previous-hash mismatch (entry inserted or removed before it)';
    return undefined;
  }

  return {
    push(entry: AuditEntry): VerifyResult | undefined {
      if (broken) return broken;
      const reason = reasonFor(entry);
      if (reason) broken = { ok: false, checked, firstBroken: { seq: entry.seq, reason } };
      else {
        checked += 1;
        previous = { seq: entry.seq, hash: entry.hash };
      }
      return broken;
    },
    result(): VerifyResult {
      return broken ?? { ok: true, checked, ...(previous && { head: previous }) };
    },
  };
}

/** Verifies a whole chain held in memory (the store uses createChainVerifier in batches). */
export function verifyEntries(entries: Iterable<AuditEntry>, hash: HashText): VerifyResult {
  const verifier = createChainVerifier(hash);
  for (const entry of entries) if (verifier.push(entry)) break;
  return verifier.result();
}

const CSV_COLUMNS: Array<[string, (e: AuditEntry) => unknown]> = [
  ['seq', (e) => e.seq],
  ['at', (e) => e.at],
  ['actor.type', (e) => e.actor?.type],
  ['actor.id', (e) => e.actor?.id],
  ['actor.name', (e) => e.actor?.name],
  ['action', (e) => e.action],
  ['target.type', (e) => e.target?.type],
  ['target.id', (e) => e.target?.id],
  ['outcome', (e) => e.outcome],
  ['clientAddress', (e) => e.clientAddress],
  ['requestId', (e) => e.requestId],
  ['diff', (e) => (e.diff === undefined ? undefined : canonicalEncode(e.diff))],
  ['prevHash', (e) => e.prevHash],
  ['hash', (e) => e.hash],
];

/** RFC 4180 CSV (CRLF line ends, a header row) of audit entries, for export. */
export function auditToCsv(entries: Iterable<AuditEntry>): string {
  const rows = [CSV_COLUMNS.map(([name]) => name)];
  for (const entry of entries) rows.push(CSV_COLUMNS.map(([, get]) => csvCell(get(entry))));
  return rows.map((row) => `${row.join(',')}\r\n`).join('');
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // Actor names and targets come from users: a cell starting with = + - @ would run as a
  // formula when the export is opened in a spreadsheet (OWASP "CSV injection").
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
