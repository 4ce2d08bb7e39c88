import { z } from 'zod';
import {
  CREDENTIAL_KINDS,
  CREDENTIAL_NAME,
  type CredentialKind,
  OPENSTACK_INTERFACES,
  type PublicFields,
  type SecretFields,
  SNMP_AUTH_PROTOCOLS,
  SNMP_PRIV_PROTOCOLS,
  SNMP_SECURITY_LEVELS,
} from '../../domain/credential';

/** PEM (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or legacy encrypted PEM) or OpenSSH private keys. */
const PRIVATE_KEY = /^\s*-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?)PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\s:,-]+?\r?\n-----END \1PRIVATE KEY-----\s*$/;

// Secrets are taken as given: no trimming, since a space may be part of a password.
const secretText = (max: number) => z.string().min(1).max(max);

/** Every credential field, whichever kinds have it. */
const field = {
  username: z.string().min(1).max(128).regex(/^[^\s:]+$/, 'must not contain spaces or colons'),
  securityLevel: z.enum(SNMP_SECURITY_LEVELS),
  authProtocol: z.enum(SNMP_AUTH_PROTOCOLS),
  privProtocol: z.enum(SNMP_PRIV_PROTOCOLS),
  privateKey: z.string().max(16_384).regex(PRIVATE_KEY, 'must be a PEM or OpenSSH private key (-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----)'),
  passphrase: secretText(1024),
  password: secretText(1024),
  community: secretText(255),
  // RFC 3414: SNMPv3 pass phrases are at least 8 characters.
  authKey: secretText(255).min(8),
  privKey: secretText(255).min(8),
  token: secretText(8192),
  // OpenStack: Keystone's URL and names as clouds.yaml / OS_* give them (domain and project by name).
  authUrl: z.url({ protocol: /^https?$/, error: "must be Keystone's http(s) URL, e.g. https://keystone.example:5000/v3" }).max(2048),
  userDomain: z.string().trim().min(1).max(255),
  projectName: z.string().trim().min(1).max(255),
  projectDomain: z.string().trim().min(1).max(255),
  region: z.string().trim().min(1).max(255),
  interface: z.enum(OPENSTACK_INTERFACES),
};

type Shape<K extends CredentialKind> = { [F in keyof PublicFields<K> | keyof SecretFields<K>]-?: z.ZodType };

/** Public and secret fields per kind; `satisfies` keeps them in step with domain/credential.ts. */
const SHAPES = {
  ssh_key: { username: field.username, privateKey: field.privateKey, passphrase: field.passphrase.optional() },
  ssh_password: { username: field.username, password: field.password },
  snmp_community: { community: field.community },
  snmp_v3: {
    username: field.username,
    securityLevel: field.securityLevel.default('authPriv'),
    authProtocol: field.authProtocol.default('sha'),
    privProtocol: field.privProtocol.default('aes'),
    authKey: field.authKey.optional(),
    privKey: field.privKey.optional(),
  },
  http_bearer: { token: field.token },
  http_basic: { username: field.username, password: field.password },
  openstack_password: {
    authUrl: field.authUrl,
    username: field.username,
    userDomain: field.userDomain.default('Default'),
    projectName: field.projectName,
    projectDomain: field.projectDomain.default('Default'),
    region: field.region.optional(),
    interface: field.interface.optional(),
    password: field.password,
  },
} satisfies { [K in CredentialKind]: Shape<K> };

/** The SNMPv3 security level decides which keys there are: auth needs authKey, priv also privKey. */
function checkSnmpKeys(value: { securityLevel: string; authKey?: string; privKey?: string }, ctx: z.RefinementCtx): void {
  const level = value.securityLevel;
  const needed = { authKey: level !== 'noAuthNoPriv', privKey: level === 'authPriv' };
  for (const key of ['authKey', 'privKey'] as const) {
    if (needed[key] && value[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when securityLevel is ${level}` });
    if (!needed[key] && value[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `not used when securityLevel is ${level}; leave it out` });
  }
}

/** A kind's public and secret fields, checked together (as a change that replaces the secret is). */
export function credentialFields(kind: CredentialKind) {
  return kind === 'snmp_v3' ? z.strictObject(SHAPES.snmp_v3).superRefine(checkSnmpKeys) : z.strictObject(SHAPES[kind]);
}

export const credentialName = z.string().regex(CREDENTIAL_NAME, 'use 2-63 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit');
const description = z.string().trim().max(500);

function newCredentialOf<K extends CredentialKind>(kind: K) {
  return z.strictObject({ name: credentialName, kind: z.literal(kind), description: description.default(''), ...SHAPES[kind] });
}

export const newCredentialBody = z.discriminatedUnion(
  'kind',
  [
    newCredentialOf('ssh_key'),
    newCredentialOf('ssh_password'),
    newCredentialOf('snmp_community'),
    newCredentialOf('snmp_v3').superRefine(checkSnmpKeys),
    newCredentialOf('http_bearer'),
    newCredentialOf('http_basic'),
    newCredentialOf('openstack_password'),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `must be one of: ${CREDENTIAL_KINDS.join(', ')}` : undefined) },
).meta({ id: 'NewCredential', description: 'A credential: its name, kind, public fields and secret fields. The secret fields are never shown again.' });

/** Any field of any kind; the route checks them against the credential's kind. */
export const credentialPatchBody = z
  .strictObject({ description, ...field })
  .partial()
  .meta({ id: 'CredentialPatch', description: 'Fields to change. Sending any secret field replaces the whole secret, so send all of the kind\u2019s secret fields.' });

export const credentialKind = z.enum(CREDENTIAL_KINDS);
export const credentialId = z.string().regex(/^cred_[0-9a-f]{16}$/, 'not a credential id');

export const credential = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: credentialKind,
    description: z.string(),
    username: z.string().optional(),
    securityLevel: field.securityLevel.optional(),
    authProtocol: field.authProtocol.optional(),
    privProtocol: field.privProtocol.optional(),
    authUrl: z.string().optional(),
    userDomain: z.string().optional(),
    projectName: z.string().optional(),
    projectDomain: z.string().optional(),
    region: z.string().optional(),
    interface: field.interface.optional(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Credential', description: 'A credential without its secret' });
