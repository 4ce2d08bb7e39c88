import { z } from 'zod';
import { ALL_PERMISSIONS } from '../../domain/identity/permissions';

const name = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'use 1-64 lower-case letters, digits, dots, dashes or underscores');

export const username = name.meta({ description: 'User name (lower case)' });
export const groupName = name.meta({ description: 'Group name (lower case)' });
export const roleName = name.meta({ description: 'Role name (lower case)' });
export const permission = z.enum(ALL_PERMISSIONS as [string, ...string[]]);

export const loginBody = z.strictObject({ username: z.string().trim().toLowerCase().min(1).max(64), password: z.string().min(1).max(256) }).meta({ id: 'Login' });

export const user = z
  .object({
    username: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    manager: z.string().nullable(),
    active: z.boolean(),
    roles: z.array(z.string()),
    source: z.enum(['local', 'ldap', 'oidc']),
    lockedUntil: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });

export const me = z
  .object({ user, groups: z.array(z.string()), permissions: z.array(z.string()), csrfToken: z.string().optional(), via: z.enum(['session', 'token']) })
  .meta({ id: 'Me' });

export const newUserBody = z
  .strictObject({
    username,
    displayName: z.string().trim().min(1).max(100),
    email: z.email().nullable().default(null),
    manager: username.nullable().default(null),
    roles: z.array(roleName).max(20).default([]),
    password: z.string().min(1).max(256).optional().meta({ description: 'Omit for users who sign in only through SSO or LDAP' }),
  })
  .meta({ id: 'NewUser' });

export const userPatchBody = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).optional(),
    email: z.email().nullable().optional(),
    manager: username.nullable().optional(),
    roles: z.array(roleName).max(20).optional(),
    active: z.boolean().optional(),
    password: z.string().min(1).max(256).optional(),
    unlock: z.literal(true).optional().meta({ description: 'Clear a lockout after failed logins' }),
  })
  .meta({ id: 'UserPatch' });

export const group = z
  .object({ name: z.string(), displayName: z.string(), manager: z.string().nullable(), members: z.array(z.string()), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Group' });

export const groupBody = z
  .strictObject({ name: groupName, displayName: z.string().trim().min(1).max(100), manager: username.nullable().default(null), members: z.array(username).max(1000).default([]) })
  .meta({ id: 'NewGroup' });

export const groupPatchBody = z
  .strictObject({ displayName: z.string().trim().min(1).max(100).optional(), manager: username.nullable().optional(), members: z.array(username).max(1000).optional() })
  .meta({ id: 'GroupPatch' });

export const role = z.object({ name: z.string(), description: z.string(), permissions: z.array(z.string()), builtIn: z.boolean() }).meta({ id: 'Role' });

export const roleBody = z.strictObject({ description: z.string().trim().max(300).default(''), permissions: z.array(permission).max(100) }).meta({ id: 'RoleDefinition' });

export const token = z
  .object({ id: z.string(), owner: z.string(), name: z.string(), scopes: z.array(z.string()), createdAt: z.string(), expiresAt: z.string().nullable(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() })
  .meta({ id: 'ApiToken' });

export const newTokenBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(permission).min(1).max(100).meta({ description: 'Permissions the token carries: a subset of yours' }),
    expiresInDays: z.number().int().min(1).max(366).nullable().default(90).meta({ description: 'null: never expires' }),
  })
  .meta({ id: 'NewApiToken' });
