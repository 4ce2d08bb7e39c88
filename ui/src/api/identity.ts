import { request } from './http';


// Every permission the server checks, in its order: the domain defines them for both.
export { ALL_PERMISSIONS as PERMISSIONS, type Permission } from '../../../domain/identity/permissions';

export interface User {
  username: string;
  displayName: string;
  email: string | null;
  manager: string | null;
  active: boolean;
  roles: string[];
  source: 'local' | 'ldap' | 'oidc';
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Me {
  user: User;
  groups: string[];
  permissions: string[];
  via: 'session' | 'token';
  csrfToken?: string;
}

export interface SsoProvider {
  id: string;
  name: string;
  url: string;
}

export function login(username: string, password: string): Promise<Me> {
  return request<Me>('POST', '/auth/login', { body: { username, password }, authRedirect: false });
}

/** The signed-in user; a 401 here just means nobody is signed in. */
export function getMe(signal?: AbortSignal): Promise<Me> {
  return request<Me>('GET', '/auth/me', { signal, authRedirect: false });
}

export function logout(): Promise<void> {
  return request<void>('POST', '/auth/logout', { authRedirect: false });
}

/** Single sign-on providers offered on the sign-in page (absent on servers without SSO). */
export function listSsoProviders(signal?: AbortSignal): Promise<{ items: SsoProvider[]; ldap?: boolean }> {
  return request<{ items: SsoProvider[]; ldap?: boolean }>('GET', '/auth/providers', { signal, authRedirect: false });
}

export interface ApiToken {
  id: string;
  owner: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function listMyTokens(signal?: AbortSignal): Promise<{ items: ApiToken[] }> {
  return request<{ items: ApiToken[] }>('GET', '/me/tokens', { signal });
}

export function createMyToken(input: { name: string; scopes: string[]; expiresInDays: number | null }): Promise<{ token: string; record: ApiToken }> {
  return request<{ token: string; record: ApiToken }>('POST', '/me/tokens', { body: input });
}

export function revokeMyToken(id: string): Promise<void> {
  return request<void>('DELETE', `/me/tokens/${encodeURIComponent(id)}`);
}

export interface NewUser {
  username: string;
  displayName: string;
  email: string | null;
  manager: string | null;
  roles: string[];
  password?: string;
}

export interface UserPatch {
  displayName?: string;
  email?: string | null;
  manager?: string | null;
  roles?: string[];
  active?: boolean;
  password?: string;
  unlock?: true;
}

export function listUsers(signal?: AbortSignal): Promise<{ items: User[] }> {
  return request<{ items: User[] }>('GET', '/users', { signal });
}

export function createUser(input: NewUser): Promise<User> {
  return request<User>('POST', '/users', { body: input });
}

export function updateUser(username: string, patch: UserPatch): Promise<User> {
  return request<User>('PATCH', `/users/${encodeURIComponent(username)}`, { body: patch });
}

export interface Group {
  name: string;
  displayName: string;
  manager: string | null;
  members: string[];
  createdAt: string;
  updatedAt: string;
}

export function listGroups(signal?: AbortSignal): Promise<{ items: Group[] }> {
  return request<{ items: Group[] }>('GET', '/groups', { signal });
}

export function createGroup(input: { name: string; displayName: string; manager: string | null; members: string[] }): Promise<Group> {
  return request<Group>('POST', '/groups', { body: input });
}

export function updateGroup(name: string, patch: { displayName?: string; manager?: string | null; members?: string[] }): Promise<Group> {
  return request<Group>('PATCH', `/groups/${encodeURIComponent(name)}`, { body: patch });
}

export interface Role {
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
}

export interface RoleList {
  items: Role[];
  /** Every permission and what it allows. */
  permissions: Record<string, string>;
}

export function listRoles(signal?: AbortSignal): Promise<RoleList> {
  return request<RoleList>('GET', '/roles', { signal });
}

export function putRole(name: string, input: { description: string; permissions: string[] }): Promise<Role> {
  return request<Role>('PUT', `/roles/${encodeURIComponent(name)}`, { body: input });
}

/* ---------- Audit ---------- */

