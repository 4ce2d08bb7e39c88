import { createHash } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';
import { type AuditEntry, type AuditInput, buildAuditEntry, canonicalEncode, createChainVerifier, type VerifyResult } from '../domain/audit';

/**
 * The append-only audit trail, collection `audit_log`, one document per entry with
 * `_id` = seq. The chain stays linear because two writers can never both insert the
 * same `_id`: the primary key is the one constraint every MongoDB-wire server enforces
 * atomically (FerretDB's findAndModify is not atomic, see docs/adr/001-ticket-numbers.md).
 */

const DUPLICATE_KEY = 11000;
const MAX_ATTEMPTS = 50;
const VERIFY_BATCH = 500;
const MAX_PAGE = 1000;

/**
 * As stored: the entry with `_id` for `seq`, and the diff as its canonical JSON text,
 * so whatever keys it holds ($-prefixed, dotted) and whatever the server does to
 * numbers, reading it back gives exactly what was hashed.
 */
interface AuditDocument extends Omit<AuditEntry, 'seq' | 'diff'> {
  _id: number;
  diff?: string;
}

const auditSchema = new Schema<AuditDocument>(
  {
    _id: Number,
    at: String,
    actor: { type: { type: String }, id: String, name: String },
    action: String,
    target: { type: { type: String }, id: String },
    diff: String,
    outcome: String,
    clientAddress: String,
    requestId: String,
    detail: String,
    prevHash: String,
    hash: String,
  },
  { collection: 'audit_log', versionKey: false },
);
// For searches on MongoDB; FerretDB 1.24 on SQLite scans either way.
auditSchema.index({ 'actor.id': 1, _id: -1 });
auditSchema.index({ action: 1, _id: -1 });
auditSchema.index({ 'target.type': 1, 'target.id': 1, _id: -1 });
auditSchema.index({ at: 1 });

export function auditModel(db: Connection) {
  return db.models.AuditEntry ?? db.model<AuditDocument>('AuditEntry', auditSchema);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function toDocument({ seq, diff, ...rest }: AuditEntry): AuditDocument {
  return { _id: seq, ...rest, ...(diff !== undefined && { diff: canonicalEncode(diff) }) };
}

/** Everything stored is passed on (an added field must break the hash too). */
function toEntry({ _id, diff, ...rest }: AuditDocument): AuditEntry {
  return { seq: _id, ...rest, ...(diff !== undefined && { diff: parseDiff(diff) }) } as AuditEntry;
}

function parseDiff(stored: unknown): AuditEntry['diff'] {
  if (typeof stored !== 'string') return stored as AuditEntry['diff'];
  try {
    return JSON.parse(stored) as AuditEntry['diff'];
  } catch {
    return stored as unknown as AuditEntry['diff']; // Edited into non-JSON: let the hash check report it.
  }
}

// Appends from one process go one at a time: they would only race each other for the
// same seq and retry. Writers in other processes still race, and the _id settles it.
const queues = new WeakMap<Connection, Promise<unknown>>();

/** Appends one entry (its diff redacted) to the end of the chain and returns it. */
export function appendAudit(db: Connection, input: AuditInput): Promise<AuditEntry> {
  const run = (queues.get(db) ?? Promise.resolve()).then(() => appendRacing(db, input));
  queues.set(db, run.catch(() => undefined));
  return run;
}

/**
 * The chain's last entry as this process last wrote or read it. Reading it from the
 * store costs a scan on FerretDB (seconds at 50,000 entries), so it is read only at
 * the first append and after another writer moved the chain on (a duplicate seq).
 */
const heads = new WeakMap<Connection, { seq: number; hash: string } | null>();

async function readHead(db: Connection): Promise<{ seq: number; hash: string } | null> {
  const last = await auditModel(db).findOne({}, { hash: 1 }).sort({ _id: -1 }).lean<{ _id: number; hash: string }>().exec();
  return last && { seq: last._id, hash: last.hash };
}

async function appendRacing(db: Connection, input: AuditInput): Promise<AuditEntry> {
  const model = auditModel(db);
  for (let attempt = 1; ; attempt += 1) {
    const head = heads.has(db) ? heads.get(db)! : await readHead(db);
    const entry = buildAuditEntry(input, head, new Date().toISOString(), sha256);
    try {
      await model.collection.insertOne(toDocument(entry) as never);
      heads.set(db, { seq: entry.seq, hash: entry.hash });
      return entry;
    } catch (error) {
      heads.delete(db);
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`audit: gave up appending after ${attempt} attempts, other writers kept taking seq ${entry.seq}`, { cause: error });
      // Another writer took this seq: back off a little (jittered, so the losers spread
      // out), then link to its entry instead.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
    }
  }
}

/**
 * Checks the whole chain in seq order, streaming it in batches with only the previous
 * entry in memory, and names the first broken entry.
 */
export async function verifyAudit(db: Connection): Promise<VerifyResult> {
  const verifier = createChainVerifier(sha256);
  const cursor = auditModel(db).find({}).sort({ _id: 1 }).lean<AuditDocument>().cursor({ batchSize: VERIFY_BATCH });
  try {
    for await (const doc of cursor) if (verifier.push(toEntry(doc as AuditDocument))) break;
  } finally {
    await cursor.close();
  }
  return verifier.result();
}

export interface AuditSearch {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** Inclusive lower bound on `at`. */
  from?: string | Date;
  /** Exclusive upper bound on `at`. */
  to?: string | Date;
  /** 1–1000. */
  limit: number;
  /** `nextCursor` of the previous page: entries with a smaller seq. */
  cursor?: number;
}

/** Entries matching every given filter, newest first; `nextCursor` is null on the last page. */
export async function searchAudit(db: Connection, search: AuditSearch): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
  const limit = Math.min(Math.max(Math.trunc(search.limit) || 1, 1), MAX_PAGE);
  const iso = (t: string | Date) => new Date(t).toISOString(); // `at` is ISO text, so it sorts as text.
  // $eq everywhere: a value is only ever a value, never an operator object.
  const filter = {
    // A token's entries name the token (id) and its owner (name): either finds them.
    ...(search.actorId !== undefined && { $or: [{ 'actor.id': { $eq: search.actorId } }, { 'actor.name': { $eq: search.actorId } }] }),
    ...(search.action !== undefined && { action: { $eq: search.action } }),
    ...(search.targetType !== undefined && { 'target.type': { $eq: search.targetType } }),
    ...(search.targetId !== undefined && { 'target.id': { $eq: search.targetId } }),
    ...((search.from !== undefined || search.to !== undefined) && {
      at: { ...(search.from !== undefined && { $gte: iso(search.from) }), ...(search.to !== undefined && { $lt: iso(search.to) }) },
    }),
    ...(search.cursor !== undefined && { _id: { $lt: search.cursor } }),
  };
  const docs = await auditModel(db).find(filter).sort({ _id: -1 }).limit(limit + 1).lean<AuditDocument[]>().exec();
  const page = docs.slice(0, limit).map(toEntry);
  return { entries: page, nextCursor: docs.length > limit ? page[page.length - 1]!.seq : null };
}
