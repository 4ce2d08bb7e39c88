/**
 * Maps the claims an identity provider asserts (ID token plus userinfo) onto a FlowDesk
 * identity. Which claim holds what is configurable, and IdP groups become FlowDesk
 * groups only through `groupMap`: an IdP group that is not mapped grants nothing.
 */
export interface ClaimMapping {
  /** Claim holding the login name; default 'preferred_username'. */
  usernameClaim: string;
  /** Default 'email'. */
  emailClaim: string;
  /** Default 'name'. */
  displayNameClaim: string;
  /** Claim holding the IdP groups; default 'groups'. */
  groupsClaim: string;
  /** IdP group → FlowDesk group name; unmapped groups are dropped. */
  groupMap: Record<string, string>;
}

export const DEFAULT_CLAIM_MAPPING: Readonly<ClaimMapping> = {
  usernameClaim: 'preferred_username',
  emailClaim: 'email',
  displayNameClaim: 'name',
  groupsClaim: 'groups',
  groupMap: {},
};

export interface MappedIdentity {
  /** The IdP's stable subject identifier (`sub`). */
  subject: string;
  username: string;
  email: string | null;
  displayName: string;
  /** FlowDesk group names, sorted and unique. */
  groups: string[];
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number') return String(value);
  return null;
}

/** A groups claim may be an array or one space- or comma-separated string. */
function groupList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return items.map(text).filter((g): g is string => g !== null);
}

export function mapClaims(claims: Record<string, unknown>, mapping: ClaimMapping): MappedIdentity {
  const subject = text(claims.sub);
  if (subject === null) throw new Error("the identity provider's claims have no subject ('sub')");
  const username = text(claims[mapping.usernameClaim]);
  if (username === null) {
    throw new Error(`the identity provider's claims have no username: claim '${mapping.usernameClaim}' is missing or empty`);
  }
  const groups = new Set<string>();
  for (const group of groupList(claims[mapping.groupsClaim])) {
    const mapped = Object.hasOwn(mapping.groupMap, group) ? mapping.groupMap[group] : undefined;
    if (mapped) groups.add(mapped);
  }
  return {
    subject,
    username,
    email: text(claims[mapping.emailClaim]),
    displayName: text(claims[mapping.displayNameClaim]) ?? username,
    groups: [...groups].sort(),
  };
}
