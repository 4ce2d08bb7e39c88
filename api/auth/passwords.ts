import { Algorithm, hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let decoy: Promise<string> | undefined;

/**
 * Checks `password` against `passwordHash`; with no hash (unknown user, SSO-only user)
 * it still spends the time of one verification, so response times do not reveal
 * which user names exist.
 */
export async function checkPassword(passwordHash: string | null, password: string): Promise<boolean> {
  decoy ??= hashPassword('decoy password for timing');
  const matched = await verify(passwordHash ?? (await decoy), password).catch(() => false);
  return passwordHash !== null && matched;
}
