/**
 * Credentials that discovery and automation use to reach hosts and APIs. Each kind has
 * fields kept in clear (shown by the API, e.g. the user name) and secret fields, which are
 * stored sealed with the master key and decrypted only by the activity that uses them.
 * Workflows and their histories carry a credential's id, never its fields.
 */

export const CREDENTIAL_KINDS = ['ssh_key', 'ssh_password', 'snmp_community', 'snmp_v3', 'http_bearer', 'http_basic', 'openstack_password'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** Lower case, 2-63 characters, so a name reads well in a runbook or a CLI argument. */
export const CREDENTIAL_NAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;

export const SNMP_SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;
export const SNMP_AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const SNMP_PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;

export type SnmpSecurityLevel = (typeof SNMP_SECURITY_LEVELS)[number];
export type SnmpAuthProtocol = (typeof SNMP_AUTH_PROTOCOLS)[number];
export type SnmpPrivProtocol = (typeof SNMP_PRIV_PROTOCOLS)[number];

/** Which of a cloud's service catalog endpoints to use (`OS_INTERFACE`). */
export const OPENSTACK_INTERFACES = ['public', 'internal', 'admin'] as const;
export type OpenStackInterface = (typeof OPENSTACK_INTERFACES)[number];

/** Per kind: what is kept in clear, and what is sealed. */
export interface CredentialFields {
  ssh_key: { public: { username: string }; secret: { privateKey: string; passphrase?: string } };
  ssh_password: { public: { username: string }; secret: { password: string } };
  snmp_community: { public: Record<never, never>; secret: { community: string } };
  snmp_v3: {
    public: { username: string; securityLevel: SnmpSecurityLevel; authProtocol: SnmpAuthProtocol; privProtocol: SnmpPrivProtocol };
    secret: { authKey?: string; privKey?: string };
  };
  http_bearer: { public: Record<never, never>; secret: { token: string } };
  http_basic: { public: { username: string }; secret: { password: string } };
  /** An OpenStack project reached by Keystone v3 password authentication, as the `OS_*` variables say it (docs/automation-cloud.md#settings). */
  openstack_password: {
    public: { authUrl: string; username: string; userDomain: string; projectName: string; projectDomain: string; region?: string; interface?: OpenStackInterface };
    secret: { password: string };
  };
}

export type PublicFields<K extends CredentialKind> = CredentialFields[K]['public'];
export type SecretFields<K extends CredentialKind> = CredentialFields[K]['secret'];

type FieldNames<K extends CredentialKind> = {
  public: ReadonlyArray<keyof PublicFields<K> & string>;
  secret: ReadonlyArray<keyof SecretFields<K> & string>;
};

export const CREDENTIAL_FIELDS: { [K in CredentialKind]: FieldNames<K> } = {
  ssh_key: { public: ['username'], secret: ['privateKey', 'passphrase'] },
  ssh_password: { public: ['username'], secret: ['password'] },
  snmp_community: { public: [], secret: ['community'] },
  snmp_v3: { public: ['username', 'securityLevel', 'authProtocol', 'privProtocol'], secret: ['authKey', 'privKey'] },
  http_bearer: { public: [], secret: ['token'] },
  http_basic: { public: ['username'], secret: ['password'] },
  openstack_password: { public: ['authUrl', 'username', 'userDomain', 'projectName', 'projectDomain', 'region', 'interface'], secret: ['password'] },
};

export const ALL_PUBLIC_FIELDS = [...new Set(CREDENTIAL_KINDS.flatMap((kind) => CREDENTIAL_FIELDS[kind].public))];
export const ALL_SECRET_FIELDS = [...new Set(CREDENTIAL_KINDS.flatMap((kind) => CREDENTIAL_FIELDS[kind].secret))];
export type PublicFieldName = (typeof ALL_PUBLIC_FIELDS)[number];

/**
 * Public fields that decide which secret fields a kind needs (an SNMPv3 security level
 * decides which keys exist), so changing one means supplying the secret again.
 */
export const SECRET_SHAPED_BY: { [K in CredentialKind]: ReadonlyArray<keyof PublicFields<K> & string> } = {
  ssh_key: [],
  ssh_password: [],
  snmp_community: [],
  snmp_v3: ['securityLevel'],
  http_bearer: [],
  http_basic: [],
  openstack_password: [],
};

/** A credential with its secret decrypted, as the activity that uses it receives it. */
export type ResolvedCredential = {
  [K in CredentialKind]: { id: string; name: string; kind: K } & PublicFields<K> & SecretFields<K>;
}[CredentialKind];

/** The fields of `kind` found in `fields`, split into the public and the secret ones. */
export function splitFields(kind: CredentialKind, fields: Record<string, unknown>): { public: Record<string, unknown>; secret: Record<string, unknown> } {
  const pick = (names: readonly string[]) => Object.fromEntries(names.filter((name) => fields[name] !== undefined).map((name) => [name, fields[name]]));
  return { public: pick(CREDENTIAL_FIELDS[kind].public), secret: pick(CREDENTIAL_FIELDS[kind].secret) };
}
