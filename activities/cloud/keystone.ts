import { CloudError } from '../../domain/automation/cloud';
import { keystoneV3, type OpenStackSettings } from './openstackSettings';
import { errorOf, send } from './request';

/**
 * A Keystone v3 token for one project, from password authentication (`POST /v3/auth/tokens`
 * with the user by name and domain, scoped to a project by name and domain), and the
 * service endpoints its catalog names. The token is kept until shortly before it expires,
 * and one request for a token is shared by every call that needs one at the same moment.
 */

export interface CatalogEndpoint {
  interface: string;
  region: string | null;
  url: string;
}

export interface CatalogService {
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

export interface KeystoneToken {
  value: string;
  /** Local clock time (ms) after which the token is not used again. */
  renewAt: number;
  catalog: CatalogService[];
}

export interface KeystoneOptions {
  timeoutMs: number;
  now: () => number;
  /** How long before the token expires to stop using it (default 60 s). */
  renewBeforeMs?: number;
}

export class KeystoneSession {
  private current: KeystoneToken | undefined;
  private pending: Promise<KeystoneToken> | undefined;

  constructor(
    private readonly settings: OpenStackSettings,
    private readonly options: KeystoneOptions,
  ) {}

  /** The cached token while it is good, else a new one. */
  async token(signal?: AbortSignal): Promise<KeystoneToken> {
    if (this.current && this.options.now() < this.current.renewAt) return this.current;
    this.pending ??= this.authenticate(signal).finally(() => (this.pending = undefined));
    this.current = await this.pending;
    return this.current;
  }

  /** Forget `value` after a service refused it (401), unless a newer token replaced it already. */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }

  private async authenticate(signal?: AbortSignal): Promise<KeystoneToken> {
    const { settings } = this;
    const url = `${keystoneV3(settings.authUrl)}/auth/tokens`;
    const request = {
      method: 'POST' as const,
      url,
      headers: {},
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: settings.username, domain: { name: settings.userDomain }, password: settings.password } } },
          scope: { project: { name: settings.projectName, domain: { name: settings.projectDomain } } },
        },
      },
      // Asking for a token twice only makes two tokens.
      idempotent: true,
      timeoutMs: this.options.timeoutMs,
      signal,
      what: `Keystone authentication of ${settings.username}@${settings.userDomain} to project ${settings.projectName}@${settings.projectDomain}`,
    };
    const sentAt = this.options.now();
    const response = await send(request);
    if (response.status === 401) {
      throw errorOf(request, response, 'Keystone refused the credential: check username, password (the cloud credential), userDomain and projectDomain (domain names such as Default, not ids), and that the user has a role on the project.');
    }
    if (response.status === 404) throw new CloudError('invalid_settings', `${request.what}: there is no Keystone v3 at ${url} (HTTP 404); authUrl is Keystone's URL, e.g. https://keystone.example:5000/v3`, { status: 404 });
    if (response.status !== 201 && response.status !== 200) throw errorOf(request, response);
    const value = response.headers.get('x-subject-token');
    const token = (response.body as { token?: { expires_at?: unknown; issued_at?: unknown; catalog?: unknown } } | null)?.token;
    if (!value || !token || typeof token.expires_at !== 'string') {
      throw new CloudError('unexpected_response', `${request.what}: the answer has no X-Subject-Token header or no token.expires_at; is ${url} Keystone v3?`);
    }
    return { value, renewAt: this.renewAt(token.expires_at, typeof token.issued_at === 'string' ? token.issued_at : undefined, sentAt), catalog: catalogOf(token.catalog, request.what) };
  }

  /**
   * Measured as the token's lifetime from when it was asked for, when Keystone says when it
   * issued it, so a worker whose clock is off from Keystone's neither keeps an expired token
   * nor renews a good one on every call.
   */
  private renewAt(expiresAt: string, issuedAt: string | undefined, sentAt: number): number {
    const expires = Date.parse(expiresAt);
    const issued = issuedAt ? Date.parse(issuedAt) : NaN;
    const lifetime = Number.isNaN(issued) ? expires - this.options.now() : expires - issued;
    const margin = Math.min(this.options.renewBeforeMs ?? 60_000, lifetime / 2);
    return sentAt + lifetime - margin;
  }
}

function catalogOf(raw: unknown, what: string): CatalogService[] {
  if (!Array.isArray(raw)) throw new CloudError('unexpected_response', `${what}: the token has no service catalog`);
  return raw.map((service: { type?: unknown; name?: unknown; endpoints?: unknown }) => ({
    type: String(service?.type ?? ''),
    name: String(service?.name ?? ''),
    endpoints: (Array.isArray(service?.endpoints) ? service.endpoints : []).map((endpoint: { interface?: unknown; region_id?: unknown; region?: unknown; url?: unknown }) => ({
      interface: String(endpoint?.interface ?? ''),
      region: typeof endpoint?.region_id === 'string' ? endpoint.region_id : typeof endpoint?.region === 'string' ? endpoint.region : null,
      url: String(endpoint?.url ?? ''),
    })),
  }));
}

/** The URL of the catalog's `type` service for an interface and, when the catalog has several, a region. */
export function endpointOf(catalog: CatalogService[], wanted: { type: string; interface: string; region?: string }): string {
  const services = catalog.filter((service) => service.type === wanted.type);
  if (services.length === 0) {
    throw new CloudError('no_endpoint', `the token's service catalog has no ${wanted.type} service (it has: ${catalog.map((s) => s.type).join(', ') || 'nothing'}); ask the cloud's operators whether the service is registered for this project`);
  }
  const offered = services.flatMap((service) => service.endpoints);
  const fits = offered.filter((endpoint) => endpoint.interface === wanted.interface && (wanted.region === undefined || endpoint.region === wanted.region));
  const regions = [...new Set(fits.map((endpoint) => endpoint.region ?? '(no region)'))];
  const choices = offered.map((endpoint) => `${endpoint.interface} in ${endpoint.region ?? '(no region)'}`).join(', ');
  if (fits.length === 0) {
    throw new CloudError('no_endpoint', `the service catalog has no ${wanted.interface} ${wanted.type} endpoint${wanted.region ? ` in region ${wanted.region}` : ''}; it offers ${wanted.type} ${choices}: set interface and region to one of these`);
  }
  if (regions.length > 1) throw new CloudError('invalid_settings', `the service catalog has ${wanted.interface} ${wanted.type} endpoints in several regions (${regions.join(', ')}): set region to one of them`);
  return fits[0]!.url.replace(/\/+$/, '');
}
