import { isIP } from 'node:net';
import { Client, FilterParser, InappropriateAuthError, InvalidCredentialsError, ResultCodeError, type Entry, type SearchOptions, UnwillingToPerformError } from 'ldapts';
import { z } from 'zod';

/**
 * LDAP / Active Directory sign-in by bind.
 *
 * 1. Connect (StartTLS when asked) and bind as the service account, or stay anonymous
 *    when no `bindDn` is configured.
 * 2. Search `userSearchBase` with `userFilter`, `{username}` replaced by the username
 *    escaped per RFC 4515, and require exactly one entry.
 * 3. Bind as that entry's DN with the password, on a second connection, so the service
 *    connection keeps the service account's rights.
 * 4. Read the groups: entries under `groupSearchBase` matching `groupFilter` (`{dn}`
 *    replaced by the user's escaped DN), plus the user entry's `memberOf` values.
 *
 * An empty password is refused before anything is sent: a simple bind with a DN and an
 * empty password is an "unauthenticated bind" (RFC 4513 §5.1.2) that many servers
 * answer with success, which would let anyone in as anyone.
 *
 * The groups returned are the directory's group names; turning them into FlowDesk
 * groups (and dropping the ones that are not mapped) is the caller's job.
 */
export interface LdapSettings {
  /** `ldap://host:389` or `ldaps://host:636`. */
  url: string;
  /** Service account used to search for users; absent: search anonymously. */
  bindDn?: string;
  bindPassword?: string;
  userSearchBase: string;
  /** e.g. '(uid={username})', or for Active Directory '(sAMAccountName={username})'. */
  userFilter: string;
  /** Absent: groups come only from the user entry's memberOf. */
  groupSearchBase?: string;
  /** e.g. '(member={dn})' (the default), or AD nested groups '(member:1.2.840.113556.1.4.1941:={dn})'. */
  groupFilter?: string;
  /** Default 'cn'. */
  groupNameAttribute?: string;
  /** Default 'displayName', then 'cn'. */
  displayNameAttribute?: string;
  /** Default 'mail'. */
  emailAttribute?: string;
  /** Limit for connecting and for each LDAP operation; default 5000. */
  timeoutMs?: number;
  /** Upgrade an ldap:// connection with StartTLS before any bind. */
  startTls?: boolean;
}

export interface LdapIdentity {
  /** The value of the filter's username attribute (e.g. uid), so its case is the directory's. */
  username: string;
  dn: string;
  displayName: string;
  email: string | null;
  /** Directory group names, sorted and unique. */
  groups: string[];
}

export const DEFAULT_GROUP_FILTER = '(member={dn})';
export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_USERNAME_LENGTH = 256;

/** Escapes a value for use inside an LDAP search filter (RFC 4515 §3). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Replaces every `{name}` placeholder in `template` with the escaped value. */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? escapeFilterValue(values[name] as string) : whole));
}

const attributeName = z
  .string()
  .regex(/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)(;[A-Za-z0-9-]+)*$/, 'must be an LDAP attribute name such as cn or displayName');

function filterTemplate(placeholder: 'username' | 'dn') {
  return z
    .string()
    .min(1)
    .refine((value) => value.includes(`{${placeholder}}`), `must contain {${placeholder}}`)
    .refine((value) => {
      const filter = fillFilter(value, { [placeholder]: 'x' });
      try {
        FilterParser.parseString(filter);
      } catch {
        return false;
      }
      return oneParenthesizedFilter(filter);
    }, 'must be a valid LDAP filter (RFC 4515), in parentheses');
}

/** ldapts's parser is lenient ('uid=x' and '(&(uid=x)' pass), so check the parentheses too. */
function oneParenthesizedFilter(filter: string): boolean {
  if (!filter.startsWith('(')) return false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    if (filter[i] === '(') depth++;
    else if (filter[i] === ')') depth--;
    if (depth < 0 || (depth === 0 && i < filter.length - 1)) return false;
  }
  return depth === 0;
}

export const ldapSettingsSchema: z.ZodType<LdapSettings> = z
  .strictObject({
    url: z.url({ protocol: /^ldaps?$/, error: 'must be an ldap:// or ldaps:// URL' }),
    bindDn: z.string().min(1).optional(),
    bindPassword: z.string().optional(),
    userSearchBase: z.string().min(1),
    userFilter: filterTemplate('username'),
    groupSearchBase: z.string().min(1).optional(),
    groupFilter: filterTemplate('dn').optional(),
    groupNameAttribute: attributeName.optional(),
    displayNameAttribute: attributeName.optional(),
    emailAttribute: attributeName.optional(),
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    startTls: z.boolean().optional(),
  })
  .superRefine((settings, ctx) => {
    // A DN with an empty password is an unauthenticated bind: it "succeeds" as anonymous.
    if (settings.bindDn !== undefined && !settings.bindPassword) {
      ctx.addIssue({ code: 'custom', path: ['bindPassword'], message: 'is required when bindDn is set (an empty password is an unauthenticated bind)' });
    }
    if (settings.bindDn === undefined && settings.bindPassword !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['bindDn'], message: 'is required when bindPassword is set' });
    }
    if (settings.startTls && settings.url.toLowerCase().startsWith('ldaps:')) {
      ctx.addIssue({ code: 'custom', path: ['startTls'], message: 'cannot be used with ldaps:// (that connection is already TLS)' });
    }
    if (settings.groupFilter !== undefined && settings.groupSearchBase === undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupSearchBase'], message: 'is required when groupFilter is set' });
    }
  });

export type LdapRejectReason = 'empty_username' | 'invalid_username' | 'empty_password' | 'unknown_user' | 'ambiguous_user' | 'wrong_password';

/**
 * The directory refused the credentials. The message is the same whatever the reason,
 * so a caller cannot learn which usernames exist; `reason` is for the log.
 */
export class LdapLoginRejected extends Error {
  override readonly name = 'LdapLoginRejected';
  constructor(
    readonly reason: LdapRejectReason,
    options?: { cause?: unknown },
  ) {
    super('invalid username or password', options);
  }
}

/** The directory could not be asked: it is down, slow, or the settings are wrong. */
export class LdapUnavailable extends Error {
  override readonly name = 'LdapUnavailable';
  constructor(
    readonly url: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`the directory at ${url} is unreachable or misconfigured: ${detail}`, options);
  }
}

export async function ldapAuthenticate(settings: LdapSettings, username: string, password: string): Promise<LdapIdentity> {
  // Checked before any connection: nothing of an empty password ever reaches the server.
  if (typeof username !== 'string' || username.length === 0) throw new LdapLoginRejected('empty_username');
  if (username.length > MAX_USERNAME_LENGTH) throw new LdapLoginRejected('invalid_username');
  if (typeof password !== 'string' || password.length === 0) throw new LdapLoginRejected('empty_password');

  const parsed = ldapSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'} ${issue.message}`).join('; ');
    throw new LdapUnavailable(String(settings?.url), `invalid settings: ${problems}`);
  }
  const s = parsed.data;
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const service = newClient(s, timeoutMs);
  const user = newClient(s, timeoutMs);
  const stage = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw error instanceof LdapLoginRejected || error instanceof LdapUnavailable ? error : new LdapUnavailable(s.url, `${what}: ${describe(error)}`, { cause: error });
    }
  };

  try {
    await stage('starting TLS', () => secure(service, s, timeoutMs));
    if (s.bindDn !== undefined) await stage(`binding as the service account ${s.bindDn}`, () => service.bind(s.bindDn as string, s.bindPassword));

    const usernameAttribute = /\(([A-Za-z][\w-]*)=\{username\}\)/.exec(s.userFilter)?.[1];
    const displayNameAttributes = s.displayNameAttribute ? [s.displayNameAttribute] : ['displayName', 'cn'];
    const emailAttribute = s.emailAttribute ?? 'mail';
    const attributes = unique([...displayNameAttributes, emailAttribute, 'memberOf', ...(usernameAttribute ? [usernameAttribute] : [])]);
    const { searchEntries } = await stage(`searching ${s.userSearchBase} for the user`, () =>
      // sizeLimit 2: enough to tell "exactly one" from "more than one" without reading more.
      service.search(s.userSearchBase, { scope: 'sub', filter: fillFilter(s.userFilter, { username }), attributes, sizeLimit: 2 }),
    );
    if (searchEntries.length === 0) throw new LdapLoginRejected('unknown_user');
    if (searchEntries.length > 1) throw new LdapLoginRejected('ambiguous_user');
    const entry = searchEntries[0] as Entry;
    // An empty name with a password is an anonymous bind on some servers: never bind with it.
    if (!entry.dn) throw new LdapLoginRejected('unknown_user');

    await stage('starting TLS for the user bind', () => secure(user, s, timeoutMs));
    try {
      await user.bind(entry.dn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError || error instanceof InappropriateAuthError || error instanceof UnwillingToPerformError) {
        throw new LdapLoginRejected('wrong_password', { cause: error });
      }
      throw new LdapUnavailable(s.url, `binding as the user: ${describe(error)}`, { cause: error });
    }

    const groups = new Map<string, string>();
    if (s.groupSearchBase !== undefined) {
      const nameAttribute = s.groupNameAttribute ?? 'cn';
      const filter = fillFilter(s.groupFilter ?? DEFAULT_GROUP_FILTER, { dn: entry.dn });
      const options: SearchOptions = { scope: 'sub', filter, attributes: [nameAttribute], paged: true };
      const found = await stage(`searching ${s.groupSearchBase} for groups`, () => service.search(s.groupSearchBase as string, options));
      for (const group of found.searchEntries) {
        const name = first(group, nameAttribute) ?? firstRdnValue(group.dn);
        if (name) groups.set(group.dn.toLowerCase(), name);
      }
    }
    for (const groupDn of values(entry, 'memberOf')) {
      const name = firstRdnValue(groupDn);
      if (name && !groups.has(groupDn.toLowerCase())) groups.set(groupDn.toLowerCase(), name);
    }

    const canonical = usernameAttribute ? values(entry, usernameAttribute) : [];
    return {
      username: canonical.length === 1 ? (canonical[0] as string) : username,
      dn: entry.dn,
      displayName: displayNameAttributes.map((name) => first(entry, name)).find((v) => v) ?? username,
      email: first(entry, emailAttribute) || null,
      groups: unique([...groups.values()]).sort(),
    };
  } finally {
    await Promise.allSettled([service.unbind(), user.unbind()]);
  }
}

function newClient(s: LdapSettings, timeoutMs: number): Client {
  return new Client({ url: s.url, timeout: timeoutMs, connectTimeout: timeoutMs });
}

/**
 * Upgrades the connection with StartTLS when configured (otherwise the first bind or
 * search connects). ldapts does not bound the TLS handshake, so this does; the host name
 * is passed on so the server certificate is checked against it.
 */
async function secure(client: Client, s: LdapSettings, timeoutMs: number): Promise<void> {
  if (!s.startTls) return;
  const host = new URL(s.url).hostname.replace(/^\[|\]$/g, '');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`StartTLS did not complete within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.startTLS({ host, servername: isIP(host) ? undefined : host }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k !== 'dn' && k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined) return [];
  const raw = entry[key];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

function first(entry: Entry, attribute: string): string | undefined {
  return values(entry, attribute).find((v) => v.trim() !== '')?.trim();
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** The value of a DN's first RDN, unescaped (RFC 4514): 'cn=Service Desk,ou=groups,…' → 'Service Desk'. */
export function firstRdnValue(dn: string): string | null {
  const equals = dn.indexOf('=');
  if (equals < 0) return null;
  const bytes: number[] = [];
  for (let i = equals + 1; i < dn.length; i++) {
    const char = dn[i] as string;
    if (char === ',' || char === '+') break;
    if (char === '\\') {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else if (i + 1 < dn.length) {
        bytes.push(...Buffer.from(dn[i + 1] as string, 'utf8'));
        i += 1;
      }
      continue;
    }
    bytes.push(...Buffer.from(char, 'utf8'));
  }
  const value = Buffer.from(bytes).toString('utf8').trim();
  return value || null;
}

function describe(error: unknown): string {
  if (error instanceof ResultCodeError) {
    // e.g. InvalidCredentialsError → "invalid credentials (LDAP result 49)", plus the server's text if any.
    const kind = error.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    const text = error.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
    return `${kind} (LDAP result ${error.code})${text ? `: ${text}` : ''}`;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message.split('\n').join(' ');
    return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
