/** Failed-login throttling: after `maxFailures` in a row an account locks for `lockMs`. */
export const LOCKOUT = { maxFailures: 5, lockMs: 15 * 60_000 } as const;

export interface LoginAttempts {
  failedLogins: number;
  lockedUntil: string | null;
}

export function isLocked(attempts: LoginAttempts, now: Date): boolean {
  return attempts.lockedUntil !== null && new Date(attempts.lockedUntil) > now;
}

/** The attempts record after one more failure. */
export function afterFailure(attempts: LoginAttempts, now: Date): LoginAttempts {
  const failedLogins = attempts.failedLogins + 1;
  const lockedUntil = failedLogins >= LOCKOUT.maxFailures ? new Date(now.getTime() + LOCKOUT.lockMs).toISOString() : attempts.lockedUntil;
  return { failedLogins: failedLogins >= LOCKOUT.maxFailures ? 0 : failedLogins, lockedUntil };
}

export const AFTER_SUCCESS: LoginAttempts = { failedLogins: 0, lockedUntil: null };
