import type { Connection } from 'mongoose';
import { backfillQueue, compactQueue, QUEUE_COLLECTIONS, queueCompaction, summaryOf } from './ticketQueue';
import { ticketModel, type TicketDocument } from './tickets';

export interface QueueMaintenance {
  stop(): Promise<void>;
}

/**
 * Keeps the queue index healthy from the worker: loads it once from the ticket documents
 * when a store has tickets but no index yet (tickets written before it existed), then
 * compacts it every `intervalMs`, so the change log stays short even when nobody lists.
 */
export async function startQueueMaintenance(db: Connection, { intervalMs = 60_000, onError }: { intervalMs?: number; onError(error: unknown): void }): Promise<QueueMaintenance> {
  await backfillWhenMissing(db);
  const timer = setInterval(() => void compactQueue(db).catch(onError), intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await queueCompaction(db);
    },
  };
}

/** Whether the index was loaded from the ticket documents (a full read, once per store). */
export async function backfillWhenMissing(db: Connection): Promise<boolean> {
  const indexed = await db.collection(QUEUE_COLLECTIONS.snapshots).findOne({});
  if (indexed || (await db.collection(QUEUE_COLLECTIONS.changes).findOne({}))) return false;
  const documents = await ticketModel(db).find({}).lean<TicketDocument[]>().exec();
  if (documents.length === 0) return false;
  await backfillQueue(db, documents.map(summaryOf));
  return true;
}
