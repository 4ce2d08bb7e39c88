import { CloudError } from '../../domain/automation/cloud';

/**
 * How FlowDesk reaches one OpenStack project: Keystone v3 password authentication scoped to
 * a project, as `clouds.yaml` / the `OS_*` variables of the openstack CLI say it. The
 * password comes from the credential vault; everything else is plain configuration.
 */
export interface OpenStackSettings {
  /** Keystone's URL, with or without `/v3` (`OS_AUTH_URL`), e.g. `https://keystone.dc-a.bank:5000/v3`. */
  authUrl: string;
  /** The user's name (`OS_USERNAME`). */
  username: string;
  /** Secret: from the vault, never logged or shown. */
  password: string;
  /** The user's domain by *name* (`OS_USER_DOMAIN_NAME`), e.g. `Default`. */
  userDomain: string;
  /** The project the token is scoped to, by name (`OS_PROJECT_NAME`). */
  projectName: string;
  /** The project's domain by *name* (`OS_PROJECT_DOMAIN_NAME`), e.g. `Default`. */
  projectDomain: string;
  /** Which region's compute endpoint to use (`OS_REGION_NAME`); needed only when the catalog has several. */
  region?: string;
  /** Which of the catalog's endpoints to use (`OS_INTERFACE`): `public` by default, `internal` from inside the cloud's network. */
  interface?: 'public' | 'internal' | 'admin';
}

const TEXT_FIELDS = ['authUrl', 'username', 'password', 'userDomain', 'projectName', 'projectDomain'] as const;
const INTERFACES = ['public', 'internal', 'admin'] as const;

/** Settings checked field by field; every problem is named at once, the password's value never. */
export function openStackSettingsOf(input: unknown): OpenStackSettings {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new CloudError('invalid_settings', 'OpenStack settings must be an object with authUrl, username, password, userDomain, projectName and projectDomain');
  const fields = input as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set<string>([...TEXT_FIELDS, 'region', 'interface']);
  for (const name of Object.keys(fields)) if (!known.has(name)) problems.push(`${name} is not a setting (known: ${[...known].join(', ')})`);
  for (const name of TEXT_FIELDS) {
    const value = fields[name];
    if (typeof value !== 'string' || value.trim() === '') problems.push(name === 'password' ? 'password is missing (it comes from the cloud credential)' : `${name} is missing or empty`);
  }
  if (typeof fields.authUrl === 'string' && fields.authUrl.trim() !== '' && !isHttpUrl(fields.authUrl)) {
    problems.push(`authUrl must be Keystone's http(s) URL, e.g. https://keystone.example:5000/v3; got '${fields.authUrl}'`);
  }
  if (fields.region !== undefined && (typeof fields.region !== 'string' || fields.region.trim() === '')) problems.push('region, when given, is a region name such as RegionOne');
  if (fields.interface !== undefined && !INTERFACES.includes(fields.interface as (typeof INTERFACES)[number])) {
    problems.push(`interface is one of ${INTERFACES.join(', ')}; got '${String(fields.interface)}'`);
  }
  if (problems.length > 0) throw new CloudError('invalid_settings', `OpenStack settings: ${problems.join('; ')}`);
  return fields as unknown as OpenStackSettings;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/** Keystone's v3 root for an auth URL given with or without `/v3`. */
export function keystoneV3(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}
