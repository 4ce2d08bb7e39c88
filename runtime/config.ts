import path from 'node:path';
import { z } from 'zod';
import { parseMasterKey } from './masterKey';

const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = (schemes: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((value) => schemes.some((scheme) => value.startsWith(scheme)), `must start with ${schemes.join(' or ')}`)
    .optional();

/** A setting holding a JSON object, checked against `shape`. */
function jsonObject<T extends z.ZodType>(shape: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(shape);
}

/**
 * Every setting FlowDesk reads, with its environment variable, default and meaning.
 * The README's configuration table and the compose check are derived from this list.
 */
export const SETTINGS = {
  FLOWDESK_HOST: { schema: z.string().min(1).default('127.0.0.1'), doc: 'Address the API and UI listen on.' },
  FLOWDESK_PORT: { schema: port.default(8080), doc: 'Port of the API and UI.' },
  FLOWDESK_DATA_DIR: { schema: z.string().min(1).default('.data'), doc: 'Data and log directory of the embedded services.' },
  FLOWDESK_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'Log level (pino).',
  },
  FLOWDESK_TASK_QUEUE: { schema: z.string().min(1).default('flowdesk-core'), doc: 'Temporal task queue of the core worker.' },
  TEMPORAL_ADDRESS: {
    schema: z
      .string()
      .trim()
      .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. temporal:7233')
      .optional(),
    doc: 'External Temporal frontend (host:port). Unset: start the embedded dev server.',
  },
  TEMPORAL_NAMESPACE: { schema: z.string().min(1).default('default'), doc: 'Temporal namespace.' },
  MONGODB_URI: {
    schema: optionalUrl(['mongodb://', 'mongodb+srv://']),
    doc: 'External MongoDB (or MongoDB-wire) URI. Unset: start the embedded FerretDB.',
  },
  MONGODB_DATABASE: { schema: z.string().min(1).default('flowdesk'), doc: 'Database name.' },
  FLOWDESK_TEMPORAL_PORT: { schema: port.default(7233), doc: 'Port of the embedded Temporal frontend (gRPC).' },
  FLOWDESK_TEMPORAL_UI_PORT: { schema: port.default(8233), doc: 'Port of the embedded Temporal web UI.' },
  FLOWDESK_MONGO_PORT: { schema: port.default(27017), doc: 'Port of the embedded FerretDB.' },
  FLOWDESK_PUBLIC_URL: {
    schema: z.url({ protocol: /^https?$/ }).optional(),
    doc: 'URL people reach FlowDesk at (behind a proxy); default http://FLOWDESK_HOST:FLOWDESK_PORT. OIDC redirects come back here, and notifications link to tickets under it.',
  },
  FLOWDESK_SMTP_URL: {
    schema: z
      .string()
      .trim()
      .refine((value) => /^smtps?:\/\/[^/?#\s]+/.test(value) && URL.canParse(value), 'must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]')
      .optional(),
    doc: 'Mail server of email notifications: smtp://[user:password@]host[:port] (STARTTLS when offered, port 587) or smtps://… (TLS, port 465). Unset: email is disabled.',
  },
  FLOWDESK_MAIL_FROM: { schema: z.string().trim().min(3).default('FlowDesk <flowdesk@localhost>'), doc: 'Sender of notification emails, e.g. "IT Service Desk <servicedesk@example.com>".' },
  FLOWDESK_CORS_ORIGINS: {
    schema: z.string().default('').transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean)),
    doc: 'Comma-separated origins allowed to call the API from a browser, e.g. https://portal.example.com (default: none).',
  },
  FLOWDESK_SSO_GROUP_MAP: {
    schema: jsonObject(z.record(z.string().min(1), z.string().min(1))).default({}),
    doc: 'JSON object mapping directory or identity-provider groups to FlowDesk groups, e.g. {"it-ops":"network-ops"}.',
  },
  FLOWDESK_SSO_DEFAULT_ROLES: {
    schema: z.string().default('requester').transform((v) => v.split(',').map((r) => r.trim()).filter(Boolean)),
    doc: 'Comma-separated roles of a user created at their first LDAP or OIDC sign-in (admins change them later).',
  },
  FLOWDESK_LDAP_URL: { schema: optionalUrl(['ldap://', 'ldaps://']), doc: 'LDAP / Active Directory server (ldap:// or ldaps://). Set to enable LDAP sign-in.' },
  FLOWDESK_LDAP_BIND_DN: { schema: z.string().min(1).optional(), doc: 'Service account that searches for users (unset: anonymous search).' },
  FLOWDESK_LDAP_BIND_PASSWORD: { schema: z.string().min(1).optional(), doc: 'Password of the LDAP service account.', secret: true },
  FLOWDESK_LDAP_USER_BASE: { schema: z.string().min(1).optional(), doc: 'Where users are searched, e.g. ou=people,dc=example,dc=com.' },
  FLOWDESK_LDAP_USER_FILTER: { schema: z.string().min(1).default('(uid={username})'), doc: 'User search filter; Active Directory: (sAMAccountName={username}).' },
  FLOWDESK_LDAP_GROUP_BASE: { schema: z.string().min(1).optional(), doc: 'Where groups are searched (unset: only memberOf on the user).' },
  FLOWDESK_LDAP_GROUP_FILTER: { schema: z.string().min(1).default('(member={dn})'), doc: 'Group search filter; {dn} is the user\'s DN.' },
  FLOWDESK_OIDC_ISSUER: { schema: z.url({ protocol: /^https?$/ }).optional(), doc: 'OpenID Connect issuer URL. Set to enable single sign-on.' },
  FLOWDESK_OIDC_CLIENT_ID: { schema: z.string().min(1).optional(), doc: 'OIDC client id registered at the provider.' },
  FLOWDESK_OIDC_CLIENT_SECRET: { schema: z.string().min(1).optional(), doc: 'OIDC client secret (unset: a public client using PKCE only).', secret: true },
  FLOWDESK_OIDC_NAME: { schema: z.string().min(1).default('single sign-on'), doc: 'Name on the sign-in button, e.g. "Contoso SSO".' },
  FLOWDESK_STARTUP_TIMEOUT_S: { schema: z.coerce.number().positive().default(120), doc: 'Seconds to wait for an embedded service to become ready.' },
  FLOWDESK_ZONES: {
    schema: z
      .string()
      .default('default')
      .transform((text) => text.split(',').map((zone) => zone.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'zone names are lower-case letters, digits and dashes')).min(1)),
    doc: 'Comma-separated network zones whose automation host steps this process runs (`flowdesk start` and `flowdesk worker`); CIs without a zone are in `default`. `flowdesk worker --zone <zone>` runs only that zone.',
  },
  FLOWDESK_SSH_HOST_KEY_POLICY: {
    schema: z.enum(['accept-new', 'strict']).default('accept-new'),
    doc: "What automation does with a host key the CMDB does not know yet: accept-new trusts it on first use and records it on the CI; strict refuses until someone sets the CI's ssh_host_key.",
  },
  FLOWDESK_SSH_MAX_HANDSHAKES: {
    schema: z.coerce.number().int().min(1).max(500).default(8),
    doc: "SSH connections a zone worker opens at once (handshakes in flight); keep it under sshd's MaxStartups (10 by default), or sshd drops connections.",
  },
  FLOWDESK_SNMP_TRAP_PORT: {
    schema: z.coerce.number().int().min(0).max(65535).default(0),
    doc: 'UDP port the API process receives SNMP traps on (v1, v2c, v3), on FLOWDESK_HOST; 0 (the default) receives none. 162 is the standard port and needs privileges; 1162 does not (docs/alerts-snmp.md).',
  },
  FLOWDESK_SNMP_TRAP_COMMUNITIES: {
    schema: z
      .string()
      .default('public')
      .transform((text) => text.split(',').map((c) => c.trim()).filter(Boolean))
      .pipe(z.array(z.string().max(64)).min(1)),
    doc: 'Comma-separated SNMP communities traps may carry; a trap with another is refused and logged.',
  },
  FLOWDESK_SNMP_TRAP_USERS: {
    schema: z
      .string()
      .default('')
      .transform((text) => text.split(',').map((c) => c.trim()).filter(Boolean)),
    doc: 'Comma-separated names of stored snmp_v3 credentials whose users may send SNMPv3 traps (authNoPriv or authPriv; keys stay sealed in the vault); empty: no v3 traps.',
  },
  FLOWDESK_ALERT_AUTOMATION_ROLE: {
    schema: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'a role name: lower-case letters, digits and underscores').default('automation_operator'),
    doc: "The role runs started by alerts (self-healing) are requested with: a runbook runs from an alert only when its allowedRoles name this role, within the role's risk level and target scope (docs/automation-safety.md#who-may-run-what).",
  },
  FLOWDESK_MASTER_KEY: {
    schema: z
      .string()
      .superRefine((text, ctx) => {
        try {
          parseMasterKey(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .optional(),
    doc: 'Master key that encrypts stored credentials: 32 random bytes as base64 or hex (docs/credentials.md). Unset: a development key is made in <data dir>/master.key. API and workers must share it.',
    secret: true,
  },
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export type Config = { [K in SettingName]: z.output<Settings[K]['schema']> } & { dataDir: string };

const configSchema = z.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, { schema }]) => [name, schema])) as {
    [K in SettingName]: Settings[K]['schema'];
  },
);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A wrong value as an error shows it; a secret one is not repeated, since errors reach logs. */
function shownValue(name: string, values: Record<string, string | undefined>): string {
  const setting = SETTINGS[name as SettingName];
  return setting && 'secret' in setting ? '(hidden)' : JSON.stringify(values[name]);
}

/** Reads and validates the configuration, naming every wrong variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const relevant = Object.fromEntries(
    Object.keys(SETTINGS).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}=${shownValue(String(issue.path[0]), relevant)}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data as Omit<Config, 'dataDir'>;
  return { ...config, dataDir: path.resolve(cwd, config.FLOWDESK_DATA_DIR) };
}

/** Where people reach FlowDesk: FLOWDESK_PUBLIC_URL, else the address the API listens on. */
export function publicUrlOf(config: Pick<Config, 'FLOWDESK_PUBLIC_URL' | 'FLOWDESK_HOST' | 'FLOWDESK_PORT'>): string {
  return (config.FLOWDESK_PUBLIC_URL ?? `http://${config.FLOWDESK_HOST === '0.0.0.0' ? '127.0.0.1' : config.FLOWDESK_HOST}:${config.FLOWDESK_PORT}`).replace(/\/+$/, '');
}
