import { type CloudAddress, CloudError, type CloudServer, type CloudServerStatus } from '../../domain/automation/cloud';

/**
 * A Nova server (compute API 2.45: `GET /servers/{id}`, `GET /servers/detail`) as a
 * CloudServer. Fields FlowDesk relies on are checked, so a proxy's page or another API's
 * answer is reported as such instead of becoming a server with holes.
 */

/** Nova's statuses (api-ref `server_status`) in FlowDesk's words. */
const STATUSES: Record<string, CloudServerStatus> = {
  BUILD: 'building',
  ACTIVE: 'running',
  SHUTOFF: 'stopped',
  REBOOT: 'rebooting',
  HARD_REBOOT: 'rebooting',
  RESIZE: 'resizing',
  REVERT_RESIZE: 'resizing',
  VERIFY_RESIZE: 'resized',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved',
  ERROR: 'error',
  DELETED: 'deleted',
  SOFT_DELETED: 'deleted',
};

export function cloudServerOf(raw: unknown, what: string): CloudServer {
  const server = (raw ?? {}) as Record<string, unknown>;
  const missing = ['id', 'name', 'status', 'created', 'updated'].filter((field) => typeof server[field] !== 'string');
  const flavor = server.flavor as { id?: unknown } | undefined;
  if (typeof flavor?.id !== 'string') missing.push('flavor.id');
  if (missing.length > 0) throw new CloudError('unexpected_response', `${what}: Nova's answer is not a server (no ${missing.join(', ')})`);
  const image = server.image as { id?: unknown } | string | undefined;
  const fault = server.fault as { code?: unknown; message?: unknown } | undefined;
  return {
    id: server.id as string,
    name: server.name as string,
    status: STATUSES[server.status as string] ?? 'other',
    providerStatus: server.status as string,
    task: typeof server['OS-EXT-STS:task_state'] === 'string' ? server['OS-EXT-STS:task_state'] : null,
    flavor: flavor!.id as string,
    // A server booted from a volume has `"image": ""`.
    image: typeof image === 'object' && typeof image?.id === 'string' ? image.id : null,
    addresses: addressesOf(server.addresses),
    created: server.created as string,
    updated: server.updated as string,
    availabilityZone: typeof server['OS-EXT-AZ:availability_zone'] === 'string' ? server['OS-EXT-AZ:availability_zone'] : null,
    metadata: Object.fromEntries(Object.entries((server.metadata ?? {}) as Record<string, unknown>).map(([key, value]) => [key, String(value)])),
    fault: fault && typeof fault.message === 'string' ? { code: typeof fault.code === 'number' ? fault.code : null, message: fault.message } : null,
  };
}

/** `{"private": [{"addr", "version", "OS-EXT-IPS:type", "OS-EXT-IPS-MAC:mac_addr"}]}`, flattened. */
function addressesOf(raw: unknown): CloudAddress[] {
  if (!raw || typeof raw !== 'object') return [];
  return Object.entries(raw as Record<string, unknown>).flatMap(([network, list]) =>
    (Array.isArray(list) ? list : [])
      .filter((entry: Record<string, unknown>) => typeof entry?.addr === 'string')
      .map((entry: Record<string, unknown>) => {
        const type = entry['OS-EXT-IPS:type'];
        const mac = entry['OS-EXT-IPS-MAC:mac_addr'];
        return {
          network,
          address: entry.addr as string,
          version: entry.version === 6 ? (6 as const) : (4 as const),
          type: type === 'fixed' || type === 'floating' ? type : null,
          mac: typeof mac === 'string' ? mac : null,
        };
      }),
  );
}
