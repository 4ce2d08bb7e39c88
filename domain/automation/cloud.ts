/**
 * Cloud servers as a runbook sees them, whatever the cloud: the provider interface the
 * `cloud.*` steps call, the neutral server and its statuses, the steps' inputs and outputs,
 * and the error that tells an activity whether a failure is worth retrying. A provider
 * (activities/cloud/) translates its API into these; OpenStack is the first.
 * docs/automation-cloud.md.
 */

export const CLOUD_PROVIDER_KINDS = ['openstack'] as const;
export type CloudProviderKind = (typeof CLOUD_PROVIDER_KINDS)[number];

/**
 * Where a server is, in words every provider can map to; the provider's own word stays in
 * `providerStatus`. `resized` is a resize the provider holds until it is confirmed or
 * reverted (Nova's VERIFY_RESIZE). `other` covers states no step waits for (rescue,
 * rebuild, migration…).
 */
export const CLOUD_SERVER_STATUSES = ['building', 'running', 'stopped', 'rebooting', 'resizing', 'resized', 'paused', 'suspended', 'shelved', 'error', 'deleted', 'other'] as const;
export type CloudServerStatus = (typeof CLOUD_SERVER_STATUSES)[number];

export type RebootType = 'soft' | 'hard';

export interface CloudAddress {
  /** The network (Nova: the key of `addresses`). */
  network: string;
  address: string;
  version: 4 | 6;
  /** `fixed` on the server's port, `floating` NATed to it; null when the provider does not say. */
  type: 'fixed' | 'floating' | null;
  mac: string | null;
}

export interface CloudServer {
  id: string;
  name: string;
  status: CloudServerStatus;
  /** The provider's own word for the status (Nova: `SHUTOFF`), for operators and logs. */
  providerStatus: string;
  /** What the provider is doing to the server right now (Nova's task state, `powering-off`), or null. */
  task: string | null;
  /** The flavor (size, instance type) id: what `resize` takes. */
  flavor: string;
  /** The image it was built from; null for a server booted from a volume. */
  image: string | null;
  addresses: CloudAddress[];
  /** ISO-8601, as the provider gave it. */
  created: string;
  updated: string;
  availabilityZone: string | null;
  metadata: Record<string, string>;
  /** Why the provider put it in `error`, when it says. */
  fault: { code: number | null; message: string } | null;
}

/** What a provider needs the caller to pass through: cancellation (a cancelled activity's signal). */
export interface CloudCallOptions {
  signal?: AbortSignal;
}

/**
 * One cloud account. Every action returns once the provider has accepted the request; the
 * server gets there later, which the caller waits for by polling `getServer`
 * (activities/cloud/wait.ts).
 */
export interface CloudProvider {
  readonly kind: CloudProviderKind;
  /**
   * Whether `resize` leaves the server `resized` until `confirmResize` or `revertResize`.
   * Nova does (so a bad resize can be undone); a provider that applies a resize at once has
   * both as no-ops.
   */
  readonly resizeNeedsConfirmation: boolean;
  listServers(options?: CloudCallOptions): Promise<CloudServer[]>;
  getServer(id: string, options?: CloudCallOptions): Promise<CloudServer>;
  start(id: string, options?: CloudCallOptions): Promise<void>;
  stop(id: string, options?: CloudCallOptions): Promise<void>;
  reboot(id: string, type: RebootType, options?: CloudCallOptions): Promise<void>;
  /** To a flavor id. */
  resize(id: string, flavor: string, options?: CloudCallOptions): Promise<void>;
  confirmResize(id: string, options?: CloudCallOptions): Promise<void>;
  revertResize(id: string, options?: CloudCallOptions): Promise<void>;
  /** An image of the server; resolves with the new image's id as soon as the provider names it. */
  snapshot(id: string, image: { name: string; metadata?: Record<string, string> }, options?: CloudCallOptions): Promise<{ imageId: string }>;
}

/** Whether a server has got to one of `statuses`: it shows one and the provider is done with it. */
export function hasReached(server: CloudServer, statuses: readonly CloudServerStatus[]): boolean {
  return statuses.includes(server.status) && server.task === null;
}

/**
 * After a resize settled, what happened: held for confirmation, already done (a cloud that
 * confirms by itself, Nova's `resize_confirm_window`), or not done at all (Nova puts a
 * server it could not resize back, with its old flavor and no error status).
 */
export function resizeOutcome(server: CloudServer, flavor: string): 'awaiting_confirmation' | 'done' | 'not_resized' {
  if (server.status === 'resized') return 'awaiting_confirmation';
  return server.flavor === flavor ? 'done' : 'not_resized';
}

// ── Runbook steps ────────────────────────────────────────────────────────────────────────

export const CLOUD_STEP_TYPES = ['cloud.server.list', 'cloud.server.start', 'cloud.server.stop', 'cloud.server.reboot', 'cloud.server.resize', 'cloud.server.snapshot'] as const;
export type CloudStepType = (typeof CLOUD_STEP_TYPES)[number];

interface CloudStep {
  /**
   * The cloud account the step works in: the id of a vault credential whose kind names the
   * provider (`openstack_password` → OpenStack) and which holds the account's settings.
   */
  credential: string;
}

interface ServerStep extends CloudStep {
  /** The provider's server id (a template, e.g. `{{target.attributes.cloud_id}}`). */
  server: string;
  /** Wait until the server got there (default true); false returns once the provider accepted. The step's `timeout` bounds the wait. */
  wait?: boolean;
}

export interface CloudStepInputs {
  /** Servers whose name contains `name` (case-insensitive) and whose status is one of `status`. */
  'cloud.server.list': CloudStep & { name?: string; status?: CloudServerStatus[] };
  'cloud.server.start': ServerStep;
  'cloud.server.stop': ServerStep;
  /** `soft` (default) asks the guest to restart; `hard` power-cycles it. (Not `type`: that names the step's type.) */
  'cloud.server.reboot': ServerStep & { reboot?: RebootType };
  /**
   * Either resize to `flavor` and, where the provider holds a resize (Nova), confirm it once
   * it is done (`confirm`, default true); or, with `settle`, confirm or revert a resize held
   * earlier with `confirm: false`, e.g. after a health check step.
   */
  'cloud.server.resize': ServerStep & ({ flavor: string; confirm?: boolean } | { settle: 'confirm' | 'revert' });
  /** An image named `name`; the wait is for the server to be done (the image may still be uploading). */
  'cloud.server.snapshot': ServerStep & { name: string; metadata?: Record<string, string> };
}

export interface CloudStepOutputs {
  'cloud.server.list': { servers: CloudServer[] };
  'cloud.server.start': { server: CloudServer | null };
  'cloud.server.stop': { server: CloudServer | null };
  'cloud.server.reboot': { server: CloudServer | null };
  'cloud.server.resize': { server: CloudServer | null };
  'cloud.server.snapshot': { server: CloudServer | null; imageId: string };
}

/** Servers a `cloud.server.list` step keeps. */
export function matchesListStep(server: CloudServer, input: CloudStepInputs['cloud.server.list']): boolean {
  if (input.name !== undefined && !server.name.toLowerCase().includes(input.name.toLowerCase())) return false;
  return input.status === undefined || input.status.includes(server.status);
}

// ── Errors ───────────────────────────────────────────────────────────────────────────────

/**
 * Why a cloud call failed. The permanent kinds fail the same way if tried again, so an
 * activity marks them non-retryable; the transient ones are worth a retry (after
 * `retryAfterMs` when the provider said so).
 */
export const CLOUD_ERROR_KINDS = {
  /** 400: the request itself is wrong (a flavor that does not exist, the same flavor). */
  bad_request: 'permanent',
  /** 401 even with a fresh token, or the identity service refused the credential. */
  unauthorized: 'permanent',
  /** 403: the account may not do this (policy, quota). */
  forbidden: 'permanent',
  not_found: 'permanent',
  /** 409: not in a state for it (start a running server), locked, or busy with another task. */
  conflict: 'permanent',
  /** 406/501: the cloud does not offer what FlowDesk asks (an API version it does not have). */
  unsupported: 'permanent',
  /** The provider's settings are wrong or incomplete. */
  invalid_settings: 'permanent',
  /** The service catalog has no endpoint for the service, interface and region asked for. */
  no_endpoint: 'permanent',
  /** The provider answered, but not with what its API documents (a proxy's page, a wrong URL). */
  unexpected_response: 'permanent',
  /** The server went to `error` or was deleted while a step waited for it. */
  server_failed: 'permanent',
  /** The step's own time to wait ran out: retrying would wait longer than its author allowed. */
  timeout: 'permanent',
  /**
   * A request that changes something was sent but no answer came: it may have happened.
   * Never retried blindly; an operator looks at the server first.
   */
  outcome_unknown: 'permanent',
  /** 5xx: the service or a proxy in front of it failed or is down. */
  unavailable: 'transient',
  /** 429: slow down, for `retryAfterMs` when given. */
  rate_limited: 'transient',
  /** Connection refused, reset or timed out before a request that changes something was sent. */
  unreachable: 'transient',
} as const;
export type CloudErrorKind = keyof typeof CLOUD_ERROR_KINDS;

export class CloudError extends Error {
  override readonly name = 'CloudError';

  constructor(
    readonly kind: CloudErrorKind,
    message: string,
    readonly detail: { status?: number; retryAfterMs?: number; requestId?: string } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return CLOUD_ERROR_KINDS[this.kind] === 'transient';
  }

  /** The failure type an activity reports (`ApplicationFailure` type): `CloudConflict`… */
  get type(): string {
    return `Cloud${this.kind.replace(/(^|_)([a-z])/g, (_, _sep: string, letter: string) => letter.toUpperCase())}`;
  }
}

/**
 * The kind of an HTTP error status, the one place status codes become error kinds. A
 * redirect is a setting's fault: an API does not move, its URL was written wrong.
 */
export function cloudErrorKindOf(status: number): CloudErrorKind {
  if (status >= 300 && status < 400) return 'invalid_settings';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 406 || status === 501) return 'unsupported';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'bad_request';
}
