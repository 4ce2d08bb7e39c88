import { type CloudCallOptions, CloudError, type CloudProvider, type CloudServer, type RebootType } from '../../domain/automation/cloud';
import { endpointOf, KeystoneSession } from './keystone';
import { cloudServerOf } from './novaServer';
import type { OpenStackSettings } from './openstackSettings';
import { type CloudRequest, type CloudResponse, errorOf, send } from './request';

/**
 * OpenStack servers through Nova's REST API, with a Keystone v3 token. Every request names
 * compute API microversion 2.45 (OpenStack Pike, 2017): the oldest that answers
 * `createImage` with the image id in its body (before it, only a Location URL that the
 * API reference says not to rely on), and below 2.47 (flavor shown without its id) and
 * 2.69 (servers of an unreachable cell listed with fields missing). A Nova older than that
 * answers 406, which is reported as such.
 */
export const NOVA_MICROVERSION = '2.45';

export interface OpenStackOptions {
  /** Time limit of one HTTP request, in ms (default 30 000). */
  requestTimeoutMs?: number;
  /** Servers asked for per page of `GET /servers/detail` (default 100; Nova caps it at its `[api]/max_limit`). */
  pageSize?: number;
  /** The clock that ages the token (tests move it). */
  now?: () => number;
}

export class OpenStackProvider implements CloudProvider {
  readonly kind = 'openstack' as const;
  readonly resizeNeedsConfirmation = true;
  private readonly keystone: KeystoneSession;
  private readonly timeoutMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly settings: OpenStackSettings,
    options: OpenStackOptions = {},
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.pageSize = options.pageSize ?? 100;
    this.keystone = new KeystoneSession(settings, { timeoutMs: this.timeoutMs, now: options.now ?? Date.now });
  }

  /**
   * Every page, following `servers_links` by its marker only: Nova builds those links from
   * its own idea of its URL (`osapi_compute_link_prefix`), which behind a proxy is often
   * not one this worker can reach.
   */
  async listServers(options: CloudCallOptions = {}): Promise<CloudServer[]> {
    const servers: CloudServer[] = [];
    const seen = new Set<string>();
    for (let marker: string | null = null; ; ) {
      const query = new URLSearchParams({ limit: String(this.pageSize), ...(marker ? { marker } : {}) });
      const what = `Nova GET /servers/detail?${query}`;
      const { body } = await this.nova({ method: 'GET', path: `/servers/detail?${query}`, idempotent: true, what, signal: options.signal });
      const page = body as { servers?: unknown; servers_links?: Array<{ rel?: unknown; href?: unknown }> };
      if (!Array.isArray(page?.servers)) throw new CloudError('unexpected_response', `${what}: the answer has no servers list`);
      servers.push(...page.servers.map((server) => cloudServerOf(server, what)));
      const next = Array.isArray(page.servers_links) ? page.servers_links.find((link) => link?.rel === 'next')?.href : undefined;
      if (typeof next !== 'string' || page.servers.length === 0) return servers;
      marker = markerOf(next);
      if (!marker || seen.has(marker)) throw new CloudError('unexpected_response', `${what}: the next page link ${next} has no new marker`);
      seen.add(marker);
    }
  }

  async getServer(id: string, options: CloudCallOptions = {}): Promise<CloudServer> {
    const what = `Nova GET server ${id}`;
    const { body } = await this.nova({ method: 'GET', path: `/servers/${serverPath(id)}`, idempotent: true, what, signal: options.signal });
    return cloudServerOf((body as { server?: unknown } | null)?.server, what);
  }

  async start(id: string, options: CloudCallOptions = {}): Promise<void> {
    await this.action(id, 'os-start', { 'os-start': null }, options);
  }

  async stop(id: string, options: CloudCallOptions = {}): Promise<void> {
    await this.action(id, 'os-stop', { 'os-stop': null }, options);
  }

  async reboot(id: string, type: RebootType, options: CloudCallOptions = {}): Promise<void> {
    if (type !== 'soft' && type !== 'hard') throw new CloudError('bad_request', `a reboot is soft or hard; got '${String(type)}'`);
    await this.action(id, 'reboot', { reboot: { type: type.toUpperCase() } }, options);
  }

  /** Nova then holds the server in VERIFY_RESIZE (`resized`) until confirmResize or revertResize. */
  async resize(id: string, flavor: string, options: CloudCallOptions = {}): Promise<void> {
    if (typeof flavor !== 'string' || flavor.trim() === '') throw new CloudError('bad_request', 'a resize needs the id of the flavor to resize to');
    await this.action(id, 'resize', { resize: { flavorRef: flavor } }, options);
  }

  async confirmResize(id: string, options: CloudCallOptions = {}): Promise<void> {
    await this.action(id, 'confirmResize', { confirmResize: null }, options);
  }

  async revertResize(id: string, options: CloudCallOptions = {}): Promise<void> {
    await this.action(id, 'revertResize', { revertResize: null }, options);
  }

  /** `createImage`; at 2.45 the answer's body is `{"image_id": …}`. The image is in Glance, still saving. */
  async snapshot(id: string, image: { name: string; metadata?: Record<string, string> }, options: CloudCallOptions = {}): Promise<{ imageId: string }> {
    if (typeof image?.name !== 'string' || image.name.trim() === '') throw new CloudError('bad_request', 'a snapshot needs a name for the image');
    const { body } = await this.action(id, 'createImage', { createImage: { name: image.name, metadata: image.metadata ?? {} } }, options);
    const imageId = (body as { image_id?: unknown } | null)?.image_id;
    if (typeof imageId !== 'string') throw new CloudError('unexpected_response', `Nova createImage on server ${id}: the answer has no image_id (is the endpoint honouring microversion ${NOVA_MICROVERSION}?)`);
    return { imageId };
  }

  /** `POST /servers/{id}/action`: accepted (202, or 204 for confirmResize) or an error. */
  private action(id: string, name: string, body: unknown, options: CloudCallOptions): Promise<CloudResponse> {
    return this.nova({ method: 'POST', path: `/servers/${serverPath(id)}/action`, body, idempotent: false, what: `Nova ${name} on server ${id}`, signal: options.signal });
  }

  /**
   * One Nova request with the current token. A 401 means Keystone revoked or expired the
   * token early: it is dropped and the request sent once more with a new one (safe even for
   * an action, since Nova refused it before doing anything); a second 401 is final.
   */
  private async nova(call: Pick<CloudRequest, 'method' | 'body' | 'idempotent' | 'what' | 'signal'> & { path: string }): Promise<CloudResponse> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.keystone.token(call.signal);
      const endpoint = endpointOf(token.catalog, { type: 'compute', interface: this.settings.interface ?? 'public', region: this.settings.region });
      const request: CloudRequest = {
        ...call,
        url: `${endpoint}${call.path}`,
        headers: { 'X-Auth-Token': token.value, 'OpenStack-API-Version': `compute ${NOVA_MICROVERSION}` },
        timeoutMs: this.timeoutMs,
      };
      const response = await send(request);
      if (response.status >= 200 && response.status < 300) return response;
      if (response.status === 401 && attempt === 1) {
        this.keystone.invalidate(token.value);
        continue;
      }
      throw errorOf(request, response, hintFor(response.status, this.settings));
    }
  }
}

function hintFor(status: number, settings: OpenStackSettings): string {
  if (status === 401) return `Nova refused a fresh token from Keystone for ${settings.username} in project ${settings.projectName}; check the user's roles on the project.`;
  if (status === 406) return `FlowDesk needs compute API microversion ${NOVA_MICROVERSION} (OpenStack Pike or later).`;
  return '';
}

/** A server id as one path segment, so an id from a runbook cannot walk elsewhere in the API. */
function serverPath(id: string): string {
  if (typeof id !== 'string' || id.trim() === '') throw new CloudError('bad_request', 'a server id is needed (the CI\'s instance id)');
  return encodeURIComponent(id);
}

function markerOf(href: string): string | null {
  try {
    return new URL(href, 'http://relative.invalid').searchParams.get('marker');
  } catch {
    return null;
  }
}
