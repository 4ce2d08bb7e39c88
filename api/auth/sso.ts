import type { Connection } from 'mongoose';
import { DEFAULT_CLAIM_MAPPING } from '../../domain/identity/claims';
import type { Config } from '../../runtime/config';
import { groupModel } from '../../store/groups';
import { type UserDocument, userModel } from '../../store/users';
import type { LdapSettings } from './ldap';
import type { OidcSettings } from './oidc';

/** Sign-in through a directory or an identity provider, as configured. */
export interface SsoSettings {
  ldap?: LdapSettings;
  oidc?: OidcSettings & { name: string };
  /** External group → FlowDesk group; only mapped groups are synced. */
  groupMap: Record<string, string>;
  /** Roles of a user created at their first external sign-in. */
  defaultRoles: string[];
}

export function ssoFromConfig(config: Config, publicUrl: string): SsoSettings {
  const groupMap = config.FLOWDESK_SSO_GROUP_MAP;
  const ldap: LdapSettings | undefined =
    config.FLOWDESK_LDAP_URL && config.FLOWDESK_LDAP_USER_BASE
      ? {
          url: config.FLOWDESK_LDAP_URL,
          bindDn: config.FLOWDESK_LDAP_BIND_DN,
          bindPassword: config.FLOWDESK_LDAP_BIND_PASSWORD,
          userSearchBase: config.FLOWDESK_LDAP_USER_BASE,
          userFilter: config.FLOWDESK_LDAP_USER_FILTER,
          groupSearchBase: config.FLOWDESK_LDAP_GROUP_BASE,
          groupFilter: config.FLOWDESK_LDAP_GROUP_FILTER,
        }
      : undefined;
  const oidc =
    config.FLOWDESK_OIDC_ISSUER && config.FLOWDESK_OIDC_CLIENT_ID
      ? {
          name: config.FLOWDESK_OIDC_NAME,
          issuer: config.FLOWDESK_OIDC_ISSUER,
          clientId: config.FLOWDESK_OIDC_CLIENT_ID,
          clientSecret: config.FLOWDESK_OIDC_CLIENT_SECRET,
          redirectUri: new URL('/api/v1/auth/oidc/callback', publicUrl).href,
          scopes: ['openid', 'profile', 'email', 'groups'],
          mapping: { ...DEFAULT_CLAIM_MAPPING, groupMap },
        }
      : undefined;
  return { ldap, oidc, groupMap, defaultRoles: config.FLOWDESK_SSO_DEFAULT_ROLES };
}

export interface ExternalIdentity {
  username: string;
  displayName: string;
  email: string | null;
  /** FlowDesk group names, already mapped. */
  groups: string[];
}

export class ExternalSignInRefused extends Error {}

/**
 * Creates the user at their first external sign-in and keeps profile and mapped group
 * membership in step with the directory at every sign-in. Roles are FlowDesk's: set
 * once from the defaults, then managed by admins. A local account of the same name
 * is never taken over.
 */
export async function provisionExternalUser(db: Connection, identity: ExternalIdentity, source: 'ldap' | 'oidc', settings: SsoSettings): Promise<void> {
  const users = userModel(db);
  const existing = await users.findById(identity.username).lean<UserDocument>().exec();
  if (existing && existing.source !== source) {
    throw new ExternalSignInRefused(`a ${existing.source} account named ${identity.username} already exists; an admin must resolve the clash`);
  }
  if (existing && !existing.active) throw new ExternalSignInRefused(`the account ${identity.username} is disabled`);
  const now = new Date().toISOString();
  await users
    .updateOne(
      { _id: identity.username },
      {
        $set: { displayName: identity.displayName, email: identity.email, updatedAt: now },
        $setOnInsert: { manager: null, active: true, roles: settings.defaultRoles, passwordHash: null, source, failedLogins: 0, lockedUntil: null, createdAt: now },
      },
      { upsert: true },
    )
    .exec();
  const groups = groupModel(db);
  const managed = [...new Set(Object.values(settings.groupMap))];
  for (const group of managed) {
    if (identity.groups.includes(group)) {
      await groups
        .updateOne({ _id: group }, { $addToSet: { members: identity.username }, $setOnInsert: { displayName: group, manager: null, createdAt: now }, $set: { updatedAt: now } }, { upsert: true })
        .exec();
    } else {
      await groups.updateOne({ _id: group }, { $pull: { members: identity.username } }).exec();
    }
  }
}
