import { type Connection, Schema } from 'mongoose';

const DUPLICATE_KEY = 11000;

const counterSchema = new Schema<{ _id: string; seq: number }>(
  { _id: String, seq: { type: Number, required: true } },
  { collection: 'counters', versionKey: false },
);
const claimSchema = new Schema<{ _id: string }>({ _id: String }, { collection: 'sequence_claims', versionKey: false });

function models(db: Connection) {
  return {
    counters: db.models.Counter ?? db.model('Counter', counterSchema),
    claims: db.models.SequenceClaim ?? db.model('SequenceClaim', claimSchema),
  };
}

/**
 * Takes the next value of a named sequence (1, 2, 3 …), never the same one twice.
 *
 * FerretDB does not make `findAndModify` + `$inc` atomic under concurrency (we measured
 * duplicate numbers), so uniqueness comes from the one thing every MongoDB-wire server
 * enforces atomically: the `_id` primary key. Each value is claimed by inserting
 * `<name>:<value>`; a duplicate means someone else took it, so try the next one. The
 * counter document is only a hint of where to start.
 */
export async function nextSequence(db: Connection, name: string): Promise<number> {
  const { counters, claims } = models(db);
  const hint = await counters.findById(name).lean<{ seq: number }>().exec();
  let candidate = (hint?.seq ?? 0) + 1;
  for (;;) {
    try {
      await claims.create({ _id: `${name}:${candidate}` });
      break;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      candidate += 1;
    }
  }
  await counters
    .updateOne({ _id: name, seq: { $lt: candidate } }, { $set: { seq: candidate } }, { upsert: true })
    .exec()
    .catch((error: { code?: number }) => {
      // Another allocator created or advanced the hint first: fine, it is only a hint.
      if (error.code !== DUPLICATE_KEY) throw error;
    });
  return candidate;
}
