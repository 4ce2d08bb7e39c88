import { randomBytes } from 'node:crypto';
import { MasterKey } from '../../runtime/masterKey';
import { CredentialIntegrityError, CredentialKeyError, openSecret, type SealedSecret, sealSecret } from '../../store/vault';

const key = new MasterKey(randomBytes(32));
const owner = { id: 'cred_0123456789abcdef', kind: 'ssh_password' };
const fields = { password: 'correct horse battery staple' };

/** Flips one bit of a base64 field. */
function flipped(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0]! ^= 0x01;
  return bytes.toString('base64');
}

describe('the vault', () => {
  it('opens what it sealed, and the sealed form holds no plaintext', () => {
    const sealed = sealSecret(key, owner, fields);
    expect(sealed.kid).toBe(key.kid);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(sealed)).not.toContain('horse');
    expect(openSecret(key, owner, sealed)).toEqual(fields);
  });

  it('uses a fresh IV each time, so the same secret seals differently', () => {
    const [a, b] = [sealSecret(key, owner, fields), sealSecret(key, owner, fields)];
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it.each(['tag', 'data', 'iv'] as const)('refuses a secret whose %s was altered', (part) => {
    const sealed = sealSecret(key, owner, fields);
    const tampered: SealedSecret = { ...sealed, [part]: flipped(sealed[part]) };
    expect(() => openSecret(key, owner, tampered)).toThrow(CredentialIntegrityError);
    expect(() => openSecret(key, owner, tampered)).toThrow(/cred_0123456789abcdef cannot be decrypted/);
  });

  it('refuses a truncated tag', () => {
    const sealed = sealSecret(key, owner, fields);
    expect(() => openSecret(key, owner, { ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64') })).toThrow(CredentialIntegrityError);
  });

  it('refuses a secret moved to another credential or kind (additional authenticated data)', () => {
    const sealed = sealSecret(key, owner, fields);
    expect(() => openSecret(key, { ...owner, id: 'cred_fedcba9876543210' }, sealed)).toThrow(CredentialIntegrityError);
    expect(() => openSecret(key, { ...owner, kind: 'http_basic' }, sealed)).toThrow(CredentialIntegrityError);
  });

  it('names both keys when the configured one is not the one the secret was sealed with', () => {
    const sealed = sealSecret(key, owner, fields);
    const other = new MasterKey(randomBytes(32));
    let error: unknown;
    try {
      openSecret(other, owner, sealed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CredentialKeyError);
    expect(error).toMatchObject({ credentialId: owner.id, storedKid: key.kid, configuredKid: other.kid });
    expect((error as Error).message).toBe(
      `credential ${owner.id} was encrypted with master key ${key.kid}, but the configured key is ${other.kid}: set FLOWDESK_MASTER_KEY to the key it was stored with`,
    );
  });
});
