import { randomBytes } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';
import { ALL_PUBLIC_FIELDS, type CredentialKind, CREDENTIAL_FIELDS, type PublicFieldName, type ResolvedCredential, splitFields } from '../domain/credential';
import type { MasterKey } from '../runtime/masterKey';
import { openSecret, type SealedSecret, sealSecret } from './vault';

/** The kind's fields kept in clear (domain/credential.ts), e.g. `username`. */
type PublicFieldValues = Partial<Record<PublicFieldName, string>>;

/**
 * The credential vault, collection `credentials`: names, kinds and public fields in clear,
 * the secret fields sealed (store/vault.ts). Only `resolveCredential` ever decrypts.
 */
export type CredentialDocument = {
  _id: string;
  name: string;
  kind: CredentialKind;
  description: string;
  secret: SealedSecret;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
} & PublicFieldValues;

export class CredentialNotFoundError extends Error {
  override readonly name = 'CredentialNotFoundError';
  constructor(readonly credentialId: string) {
    super(`no credential ${credentialId}: it was deleted, or the id is wrong`);
  }
}

const sealedSchema = new Schema<SealedSecret>({ kid: String, iv: String, tag: String, data: String }, { _id: false });
const schema = new Schema<CredentialDocument>(
  {
    _id: String,
    name: { type: String, required: true },
    kind: { type: String, required: true },
    description: { type: String, default: '' },
    ...Object.fromEntries(ALL_PUBLIC_FIELDS.map((field) => [field, String])),
    secret: { type: sealedSchema, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: String, required: true },
    updatedAt: { type: String, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'credentials', versionKey: false },
);
// FerretDB enforces unique indexes on insert; names cannot change afterwards.
schema.index({ name: 1 }, { unique: true });

export function credentialModel(db: Connection) {
  return db.models.Credential ?? db.model<CredentialDocument>('Credential', schema);
}

const newCredentialId = () => `cred_${randomBytes(8).toString('hex')}`;

export interface NewCredential {
  name: string;
  kind: CredentialKind;
  description: string;
  /** Public and secret fields of the kind, together. */
  fields: Record<string, unknown>;
}

/** Stores a new credential; a taken name throws the store's duplicate-key error (11000). */
export async function createCredential(db: Connection, key: MasterKey, input: NewCredential, createdBy: string, now = new Date()): Promise<CredentialDocument> {
  const model = credentialModel(db);
  // The unique name index must exist before the first insert relies on it.
  await model.init();
  const id = newCredentialId();
  const { public: clear, secret } = splitFields(input.kind, input.fields);
  const at = now.toISOString();
  const doc: CredentialDocument = {
    _id: id,
    name: input.name,
    kind: input.kind,
    description: input.description,
    ...clear,
    secret: sealSecret(key, { id, kind: input.kind }, secret as Record<string, string>),
    createdBy,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await model.create(doc);
  return doc;
}

export interface CredentialChange {
  description?: string;
  /** Public fields to change; the others keep their values. */
  public: Record<string, unknown>;
  /** The complete new secret, or undefined to keep the stored one. */
  secret?: Record<string, unknown>;
}

/** Applies `change` to `current`; null when someone else changed the credential since it was read. */
export async function updateCredential(db: Connection, key: MasterKey, current: CredentialDocument, change: CredentialChange, now = new Date()): Promise<CredentialDocument | null> {
  const owner = { id: current._id, kind: current.kind };
  const set = {
    ...(change.description !== undefined && { description: change.description }),
    ...change.public,
    ...(change.secret && { secret: sealSecret(key, owner, change.secret as Record<string, string>) }),
    updatedAt: now.toISOString(),
    version: current.version + 1,
  };
  const result = await credentialModel(db).updateOne({ _id: current._id, version: current.version }, { $set: set }).exec();
  return result.matchedCount === 0 ? null : { ...current, ...set };
}

export async function deleteCredential(db: Connection, id: string): Promise<boolean> {
  const result = await credentialModel(db).deleteOne({ _id: id }).exec();
  return result.deletedCount > 0;
}

export async function findCredential(db: Connection, id: string): Promise<CredentialDocument | null> {
  return credentialModel(db).findOne({ _id: id }).lean<CredentialDocument>().exec();
}

/** All credentials (the vault is small), or those of one kind, by name. */
export async function listCredentials(db: Connection, kind?: CredentialKind): Promise<CredentialDocument[]> {
  return credentialModel(db)
    .find(kind ? { kind } : {})
    .sort({ name: 1 })
    .lean<CredentialDocument[]>()
    .exec();
}

/**
 * The credential with its secret decrypted, for the activity about to use it. On the hot
 * path: the exact `{ _id }` filter is the one FerretDB answers from an index.
 * Throws CredentialNotFoundError, CredentialKeyError or CredentialIntegrityError.
 */
export async function resolveCredential(db: Connection, key: MasterKey, id: string): Promise<ResolvedCredential> {
  const doc = await findCredential(db, id);
  if (!doc) throw new CredentialNotFoundError(id);
  const secret = openSecret(key, { id: doc._id, kind: doc.kind }, doc.secret);
  return { id: doc._id, name: doc.name, kind: doc.kind, ...publicFieldsOf(doc), ...secret } as ResolvedCredential;
}

export function publicFieldsOf(doc: CredentialDocument): Record<string, unknown> {
  return Object.fromEntries(CREDENTIAL_FIELDS[doc.kind].public.filter((field) => doc[field] !== undefined).map((field) => [field, doc[field]]));
}

/** The credential as the API shows it: never the secret, not even sealed. */
export function publicCredential(doc: CredentialDocument) {
  return {
    id: doc._id,
    name: doc.name,
    kind: doc.kind,
    description: doc.description,
    ...publicFieldsOf(doc),
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    version: doc.version,
  };
}
