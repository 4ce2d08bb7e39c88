import type { Connection } from 'mongoose';
import { z } from 'zod';
import { CREDENTIAL_FIELDS, SECRET_SHAPED_BY, splitFields } from '../../domain/credential';
import { diffOf } from '../../domain/diff';
import { type MasterKey, MasterKeyError, type MasterKeySource } from '../../runtime/masterKey';
import {
  type CredentialChange,
  type CredentialDocument,
  createCredential,
  deleteCredential,
  findCredential,
  listCredentials,
  publicCredential,
  publicFieldsOf,
  updateCredential,
} from '../../store/credentials';
import type { AuditRecorder } from '../audit';
import { ConflictError, InputError, NotFoundError, PreconditionFailedError, UnavailableError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { credential, credentialFields, credentialId, credentialKind, credentialPatchBody, newCredentialBody } from '../schemas/credential';
import { expectedVersion } from '../ticketAccess';
import { parsePart } from '../validate';

const TAG = 'credentials';
const params = z.strictObject({ id: credentialId });
const ETAG = { ETag: 'Version tag for If-Match' };

/** The audit diff says that a secret was set or replaced, never what it is (audit redacts the `secret` key). */
const SECRET_CHANGED = { secret: { after: 'changed' } };

/** What a change does to `current`, checked against its kind: unknown fields, and a secret that must be whole. */
function changeOf(current: CredentialDocument, body: z.output<typeof credentialPatchBody>): CredentialChange {
  const { description, ...fields } = body;
  const kind = current.kind;
  const own: readonly string[] = [...CREDENTIAL_FIELDS[kind].public, ...CREDENTIAL_FIELDS[kind].secret];
  const foreign = Object.entries(fields).flatMap(([name, value]) => (value !== undefined && !own.includes(name) ? [name] : []));
  if (foreign.length) throw new InputError(`${kind} credentials have no ${foreign.join(', ')}`, foreign.map((name) => ({ field: `body.${name}`, message: `not a field of ${kind} credentials` })));
  const split = splitFields(kind, fields);
  if (Object.keys(split.secret).length === 0) {
    checkSecretShape(current, split.public);
    return { description, public: split.public };
  }
  parsePart(credentialFields(kind), { ...publicFieldsOf(current), ...split.public, ...split.secret }, 'body');
  return { description, public: split.public, secret: split.secret };
}

function checkSecretShape(current: CredentialDocument, changes: Record<string, unknown>): void {
  const reshaping: readonly string[] = SECRET_SHAPED_BY[current.kind].filter((name) => changes[name] !== undefined && changes[name] !== current[name]);
  if (!reshaping.length) return;
  const needed = CREDENTIAL_FIELDS[current.kind].secret;
  throw new InputError(
    `changing ${reshaping.join(', ')} changes which secret fields the credential has: send its secret (${needed.join(', ')}) in the same request`,
    needed.map((name) => ({ field: `body.${name}`, message: `needed when ${reshaping.join(', ')} changes` })),
  );
}

/** The credential vault: names, kinds and public fields to read; secrets go in and never come out. */
export function credentialRoutes({ db, audit, masterKey }: { db: Connection; audit: AuditRecorder; masterKey: MasterKeySource }): AnyRoute[] {
  /** The key, or a 503 that says why there is none (e.g. no FLOWDESK_MASTER_KEY and no writable data directory). */
  async function sealingKey(): Promise<MasterKey> {
    try {
      return await masterKey();
    } catch (error) {
      if (error instanceof MasterKeyError) throw new UnavailableError(`credentials cannot be stored: ${error.message}`);
      throw error;
    }
  }

  async function held(id: string): Promise<CredentialDocument> {
    const found = await findCredential(db, id);
    if (!found) throw new NotFoundError(`no credential ${id}`);
    return found;
  }

  const list = defineRoute({
    method: 'get',
    path: '/credentials',
    operationId: 'listCredentials',
    summary: 'Credentials by name, optionally of one kind (never their secrets)',
    tag: TAG,
    permission: 'credential.read',
    query: z.strictObject({ kind: credentialKind.optional() }),
    responses: { 200: { description: 'Credentials', schema: z.object({ items: z.array(credential) }) } },
    async handler({ query, res }) {
      const found = await listCredentials(db, query.kind);
      res.json({ items: found.map(publicCredential) });
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/credentials/:id',
    operationId: 'getCredential',
    summary: 'One credential (never its secret)',
    tag: TAG,
    permission: 'credential.read',
    params,
    responses: { 200: { description: 'The credential', schema: credential, headers: ETAG } },
    async handler({ params: p, res }) {
      const found = await held(p.id);
      res.setHeader('ETag', `"${found.version}"`).json(publicCredential(found));
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/credentials',
    operationId: 'createCredential',
    summary: 'Store a credential; its secret is encrypted with the master key and never shown again',
    tag: TAG,
    permission: 'credential.manage',
    body: newCredentialBody,
    responses: { 201: { description: 'The credential, without its secret', schema: credential, headers: { Location: 'URL of the credential', ...ETAG } } },
    async handler({ body, req, res }) {
      const { name, kind, description, ...fields } = body;
      let doc: CredentialDocument;
      try {
        doc = await createCredential(db, await sealingKey(), { name, kind, description, fields }, req.principal!.username);
      } catch (error) {
        if ((error as { code?: number }).code === 11000) throw new ConflictError(`a credential named ${name} already exists`);
        throw error;
      }
      const shown = publicCredential(doc);
      await audit(req, { action: 'credential.create', target: { type: 'credential', id: doc._id }, diff: { ...diffOf({}, { name, kind, description, ...publicFieldsOf(doc) }), ...SECRET_CHANGED }, outcome: 'success' });
      res.status(201).location(`${req.baseUrl}/credentials/${doc._id}`).setHeader('ETag', `"${doc.version}"`).json(shown);
    },
  });

  const update = defineRoute({
    method: 'patch',
    path: '/credentials/:id',
    operationId: 'updateCredential',
    summary: 'Change the description or public fields; sending the secret fields replaces the secret. If-Match guards against lost updates',
    tag: TAG,
    permission: 'credential.manage',
    params,
    body: credentialPatchBody,
    headers: { 'If-Match': 'ETag of the version the change is based on (optional)' },
    responses: { 200: { description: 'The credential after the change', schema: credential, headers: ETAG } },
    async handler({ params: p, body, req, res }) {
      const current = await held(p.id);
      const expected = expectedVersion(req);
      if (expected !== undefined && expected !== current.version) throw new PreconditionFailedError(`credential ${p.id} is at version ${current.version}, not ${expected}; read it again`);
      const change = changeOf(current, body);
      const after = await updateCredential(db, await sealingKey(), current, change);
      if (!after) throw new PreconditionFailedError(`credential ${p.id} was changed by someone else meanwhile; read it again`);
      const before = { description: current.description, ...publicFieldsOf(current) };
      await audit(req, {
        action: 'credential.update',
        target: { type: 'credential', id: p.id },
        diff: { ...diffOf(before, { description: after.description, ...publicFieldsOf(after) }), ...(change.secret && SECRET_CHANGED) },
        outcome: 'success',
      });
      res.setHeader('ETag', `"${after.version}"`).json(publicCredential(after));
    },
  });

  const remove = defineRoute({
    method: 'delete',
    path: '/credentials/:id',
    operationId: 'deleteCredential',
    summary: 'Delete a credential; runs that name it fail from then on',
    tag: TAG,
    permission: 'credential.manage',
    params,
    responses: { 204: { description: 'Deleted' } },
    async handler({ params: p, req, res }) {
      const found = await held(p.id);
      if (!(await deleteCredential(db, p.id))) throw new NotFoundError(`no credential ${p.id}`);
      await audit(req, { action: 'credential.delete', target: { type: 'credential', id: p.id }, outcome: 'success', detail: `${found.kind} ${found.name}` });
      res.status(204).end();
    },
  });

  return [list, get, create, update, remove];
}
