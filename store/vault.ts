import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from '../runtime/masterKey';

/**
 * Sealing a credential's secret fields with the master key: AES-256-GCM, a fresh random
 * 12-byte IV each time, and the id of the key that sealed it. Everything is base64.
 */
export interface SealedSecret {
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

/**
 * The credential a secret belongs to. It is bound in as additional authenticated data,
 * so a sealed secret copied onto another credential (or another kind) does not open.
 */
export interface SecretOwner {
  id: string;
  kind: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CredentialKeyError extends Error {
  override readonly name = 'CredentialKeyError';
  constructor(
    readonly credentialId: string,
    readonly storedKid: string,
    readonly configuredKid: string,
  ) {
    super(`credential ${credentialId} was encrypted with master key ${storedKid}, but the configured key is ${configuredKid}: set FLOWDESK_MASTER_KEY to the key it was stored with`);
  }
}

export class CredentialIntegrityError extends Error {
  override readonly name = 'CredentialIntegrityError';
  constructor(readonly credentialId: string) {
    super(`credential ${credentialId} cannot be decrypted: its stored secret was altered or copied from another credential; set the secret again`);
  }
}

const associatedData = (owner: SecretOwner) => Buffer.from(JSON.stringify([owner.id, owner.kind]));

export function sealSecret(key: MasterKey, owner: SecretOwner, fields: Record<string, string>): SealedSecret {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.bytes, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(owner));
  const data = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
  return { kid: key.kid, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function openSecret(key: MasterKey, owner: SecretOwner, sealed: SealedSecret): Record<string, string> {
  if (sealed.kid !== key.kid) throw new CredentialKeyError(owner.id, sealed.kid, key.kid);
  try {
    // The tag length is fixed: without it GCM would accept a truncated, easier-to-forge tag.
    const decipher = createDecipheriv(ALGORITHM, key.bytes, Buffer.from(sealed.iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(owner));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, string>;
  } catch {
    throw new CredentialIntegrityError(owner.id);
  }
}
