import type { Permission } from '../../domain/identity/permissions';

/** Who is calling, and what they may do: built per request by api/auth/authenticate.ts. */
export interface Principal {
  via: 'session' | 'token';
  username: string;
  displayName: string;
  groups: string[];
  roles: string[];
  permissions: ReadonlySet<Permission>;
  /** Set for token calls: the audit trail names the token, not only its owner. */
  tokenId?: string;
  /** Set for token calls: an alert intake integration is known by its token's name (the alert's `sender`). */
  tokenName?: string;
  /** Set for session calls: writes must echo it in X-CSRF-Token. */
  csrfToken?: string;
}

export function can(principal: Principal | undefined, permission: Permission): boolean {
  return principal?.permissions.has(permission) ?? false;
}
