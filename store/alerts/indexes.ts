import type { Connection } from 'mongoose';
import { ensureAlertIndexes } from './alerts';
import { ensureRequestIndexes } from './requests';
import { ensureSilenceIndexes } from './silences';

/** The alert center's indexes: made once per app start, idempotent. */
export async function ensureAlertStore(db: Connection): Promise<void> {
  await Promise.all([ensureAlertIndexes(db), ensureRequestIndexes(db), ensureSilenceIndexes(db)]);
}
