import type { Connection } from 'mongoose';
import type { ResolvedCredential } from '../../domain/credential';
import type { MasterKeySource } from '../../runtime/masterKey';
import { resolveCredential } from '../../store/credentials';
import { retryTransient } from '../../store/transient';

/**
 * How long a zone worker keeps a credential it opened. A fleet's steps mostly share one,
 * and each opening is a store read and a decryption; a changed or deleted credential
 * reaches the steps that start after this.
 */
const KEPT_MS = 10_000;

/** A zone worker's opened credentials (secrets included: held no longer than its connections hold them). */
export class CredentialCache {
  private readonly kept = new Map<string, { at: number; credential: Promise<ResolvedCredential> }>();

  constructor(
    private readonly db: Connection,
    private readonly masterKey: MasterKeySource,
  ) {}

  /** Throws CredentialNotFoundError when there is none; a failure is not kept. */
  get(id: string): Promise<ResolvedCredential> {
    const now = Date.now();
    const found = this.kept.get(id);
    if (found && now - found.at < KEPT_MS) return found.credential;
    for (const [key, entry] of this.kept) if (now - entry.at >= KEPT_MS) this.kept.delete(key);
    const entry = { at: now, credential: this.masterKey().then((key) => retryTransient(() => resolveCredential(this.db, key, id))) };
    this.kept.set(id, entry);
    entry.credential.catch(() => this.kept.get(id) === entry && this.kept.delete(id));
    return entry.credential;
  }
}
