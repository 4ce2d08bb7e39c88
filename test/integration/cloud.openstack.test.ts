import { createCloudProvider } from '../../activities/cloud/provider';
import type { OpenStackSettings } from '../../activities/cloud/openstackSettings';
import { waitForStatus, type WaitProgress } from '../../activities/cloud/wait';
import { CloudError, type CloudProvider } from '../../domain/automation/cloud';
import { freePort } from '../../runtime/ports';
import { ContractServer, exchange } from '../fixtures/openstack/contractServer';

// The OpenStack provider against Keystone and Nova as their API reference records them
// (test/fixtures/openstack/, each exchange with its source), served on a loopback port. No
// OpenStack runs here: this checks FlowDesk's side of the contract, request by request.

const SERVER = '5046e2f2-3b33-4041-b3cf-e085f73e78e7';
const MISSING = 'd2a7f3c1-7b1e-4c43-9d55-3f1e0c4e2b10';
const NOVA = '/v2.1/a6944d763bf64ee6a275f1263fae0352';

let contract: ContractServer;
let settings: OpenStackSettings;
let openstack: CloudProvider;

beforeAll(async () => {
  contract = await ContractServer.start();
});
afterAll(() => contract.close());
beforeEach(() => {
  contract.reset();
  settings = { authUrl: `${contract.url}/v3`, username: 'admin', password: 'devstacker', userDomain: 'Default', projectName: 'admin', projectDomain: 'Default' };
  openstack = createCloudProvider('openstack', settings, { pageSize: 1 });
});
afterEach(() => expect(contract.problems()).toEqual([]));

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CloudError)) throw new Error(`expected a CloudError, got ${String(error)}`);
  return error;
}

/** Keystone's answer with another token (a second authentication). */
const authAgain = (token: string) => exchange('keystone/auth-project-scoped', { response: { headers: { 'X-Subject-Token': token } } });
/** Nova's server in some state. */
const showing = (server: Record<string, unknown>, token?: string) =>
  exchange('nova/server-show', { response: { body: { server } }, ...(token ? { request: { headers: { 'X-Auth-Token': token } } } : {}) });
const answering = (fixture: string, asRequest: string) => ({ ...exchange(fixture), request: exchange(asRequest).request });

describe('Keystone v3 password authentication and listing servers', () => {
  it('authenticates scoped to the project, finds compute in the catalog and lists every page', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/servers-detail-page-1'), exchange('nova/servers-detail-page-2'), exchange('nova/servers-detail-page-3'));

    const servers = await openstack.listServers();

    expect(servers.map((server) => [server.id, server.status, server.providerStatus])).toEqual([
      ['f5dc173b-6804-445a-a6d8-c705dad5b5eb', 'running', 'ACTIVE'],
      [SERVER, 'stopped', 'SHUTOFF'],
    ]);
    expect(servers[0]).toEqual({
      id: 'f5dc173b-6804-445a-a6d8-c705dad5b5eb',
      name: 'new-server-test',
      status: 'running',
      providerStatus: 'ACTIVE',
      task: null,
      flavor: '1',
      image: '70a599e0-31e7-49b7-b260-868f441e862b',
      addresses: [{ network: 'private', address: '192.168.1.30', version: 4, type: 'fixed', mac: '00:0c:29:0d:11:74' }],
      created: '2013-09-03T04:01:32Z',
      updated: '2013-09-03T04:01:32Z',
      availabilityZone: 'us-west',
      metadata: { 'My Server Name': 'Apache1' },
      fault: null,
    });
    // The next links name openstack.example.com; the pages still come from the catalog's endpoint.
    expect(contract.received).toEqual([
      'POST /v3/auth/tokens',
      `GET ${NOVA}/servers/detail?limit=1`,
      `GET ${NOVA}/servers/detail?limit=1&marker=f5dc173b-6804-445a-a6d8-c705dad5b5eb`,
      `GET ${NOVA}/servers/detail?limit=1&marker=${SERVER}`,
    ]);
  });

  it('takes the auth URL without /v3 too', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/server-show'));
    const server = await createCloudProvider('openstack', { ...settings, authUrl: `${contract.url}/` }).getServer(SERVER);
    expect(server).toMatchObject({ id: SERVER, status: 'running', flavor: '1' });
  });

  it('keeps the token for its lifetime and renews it a minute before it expires', async () => {
    let clock = Date.parse('2026-03-02T09:00:00Z');
    const provider = createCloudProvider('openstack', settings, { now: () => clock });
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/server-show'));
    await provider.getServer(SERVER);

    // The recorded token lives an hour (issued_at → expires_at), whatever this machine's clock says of 2015.
    clock += 58 * 60_000;
    contract.expect(exchange('nova/server-show'));
    await provider.getServer(SERVER);

    clock += 2 * 60_000;
    contract.expect(authAgain('renewed-token'), showing({}, 'renewed-token'));
    await provider.getServer(SERVER);
    expect(contract.received.filter((line) => line.startsWith('POST /v3/auth/tokens'))).toHaveLength(2);
  });
});

describe('server actions', () => {
  it.each([
    ['start', 'nova/server-action-start', {}, (p: CloudProvider) => p.start(SERVER)],
    ['stop', 'nova/server-action-stop', {}, (p: CloudProvider) => p.stop(SERVER)],
    ['a hard reboot', 'nova/server-action-reboot', {}, (p: CloudProvider) => p.reboot(SERVER, 'hard')],
    ['a soft reboot', 'nova/server-action-reboot', { request: { body: { reboot: { type: 'SOFT' } } } }, (p: CloudProvider) => p.reboot(SERVER, 'soft')],
    ['resize', 'nova/server-action-resize', {}, (p: CloudProvider) => p.resize(SERVER, '2')],
    ['confirmResize (204)', 'nova/server-action-confirm-resize', {}, (p: CloudProvider) => p.confirmResize(SERVER)],
    ['revertResize', 'nova/server-action-revert-resize', {}, (p: CloudProvider) => p.revertResize(SERVER)],
  ])('%s is one POST /servers/{id}/action, accepted', async (_name, fixture, override, act) => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange(fixture, override));
    await expect(act(openstack)).resolves.toBeUndefined();
  });

  it('a snapshot answers with the new image id from the 2.45 body', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/server-action-create-image'));
    await expect(openstack.snapshot(SERVER, { name: 'foo-image', metadata: { meta_var: 'meta_val' } })).resolves.toEqual({ imageId: '0e7761dd-ee98-41f0-ba35-05994e446431' });
  });

  it('the resize decision: Nova holds a resize for confirmation', () => {
    expect(openstack.resizeNeedsConfirmation).toBe(true);
  });
});

describe('waiting for a status', () => {
  it('polls until the server is stopped, reporting every poll and riding out a 503', async () => {
    contract.expect(
      exchange('keystone/auth-project-scoped'),
      exchange('nova/server-action-stop'),
      showing({ 'OS-EXT-STS:task_state': 'powering-off' }),
      answering('nova/error-503-haproxy', 'nova/server-show'),
      showing({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped', 'OS-EXT-STS:power_state': 4 }),
    );
    await openstack.stop(SERVER);
    const progress: WaitProgress[] = [];
    const server = await waitForStatus(openstack, SERVER, 'stopped', { timeoutMs: 10_000, intervalMs: 10, onProgress: (p) => progress.push(p) });

    expect(server).toMatchObject({ id: SERVER, status: 'stopped', providerStatus: 'SHUTOFF', task: null });
    expect(progress.map((p) => [p.attempt, p.server?.providerStatus ?? null, p.server?.task ?? null])).toEqual([
      [1, 'ACTIVE', 'powering-off'],
      [2, null, null],
      [3, 'SHUTOFF', null],
    ]);
    expect(progress[1]!.error).toContain('No server is available to handle this request');
  });

  it('ends at once when the server goes to ERROR, with Nova’s fault', async () => {
    const fault = { code: 500, created: '2026-03-02T09:01:00Z', message: 'No valid host was found. There are not enough hosts available.' };
    contract.expect(exchange('keystone/auth-project-scoped'), showing({ status: 'ERROR', 'OS-EXT-STS:vm_state': 'error', fault }));
    const error = await failure(waitForStatus(openstack, SERVER, 'resized', { timeoutMs: 10_000, intervalMs: 10 }));
    expect(error).toMatchObject({ kind: 'server_failed', retryable: false });
    expect(error.message).toContain('went to error (ERROR): No valid host was found');
  });

  it('gives up at its deadline, saying where the server is', async () => {
    let clock = 0;
    contract.expect(exchange('keystone/auth-project-scoped'), showing({ status: 'SHUTOFF' }), showing({ status: 'SHUTOFF' }));
    const error = await failure(waitForStatus(openstack, SERVER, 'running', { timeoutMs: 100_000, intervalMs: 10, now: () => clock, onProgress: () => (clock += 60_000) }));
    expect(error).toMatchObject({ kind: 'timeout', retryable: false });
    expect(error.message).toBe(`server ${SERVER} was not running within 100 s: it is stopped (SHUTOFF)`);
  });

  it('a server that disappears ends the wait as not found', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-404-server'));
    await expect(failure(waitForStatus(openstack, MISSING, 'running', { timeoutMs: 10_000, intervalMs: 10 }))).resolves.toMatchObject({ kind: 'not_found' });
  });
});

describe('token re-authentication', () => {
  it('authenticates again once when Nova refuses the token, and repeats the request', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-401-token'), authAgain('second-token'), showing({}, 'second-token'));
    await expect(openstack.getServer(SERVER)).resolves.toMatchObject({ id: SERVER });
  });

  it('a fresh token refused too is a permanent failure', async () => {
    contract.expect(
      exchange('keystone/auth-project-scoped'),
      exchange('nova/error-401-token'),
      authAgain('second-token'),
      exchange('nova/error-401-token', { request: { headers: { 'X-Auth-Token': 'second-token' } } }),
    );
    const error = await failure(openstack.getServer(SERVER));
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, type: 'CloudUnauthorized' });
    expect(error.message).toContain('Nova refused a fresh token from Keystone for admin in project admin');
  });

  it('Keystone refusing the password is permanent and says what to check', async () => {
    contract.expect(exchange('keystone/auth-unauthorized'));
    const error = await failure(openstack.listServers());
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false });
    expect(error.message).toContain('HTTP 401: The request you have made requires authentication.');
    expect(error.message).toContain('userDomain and projectDomain (domain names such as Default, not ids)');
    expect(error.message).not.toContain('devstacker');
  });
});

describe('errors: permanent or transient', () => {
  it('a 409 is a permanent conflict with Nova’s own message', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-409-start-while-active'));
    const error = await failure(openstack.start(SERVER));
    expect(error).toMatchObject({ kind: 'conflict', retryable: false, type: 'CloudConflict', detail: { status: 409, requestId: 'req-4f1e33a8-ec44-4a3c-9fa5-ff3f2d1e8c20' } });
    expect(error.message).toBe(`Nova os-start on server ${SERVER}: HTTP 409: Cannot 'start' instance ${SERVER} while it is in vm_state active (request req-4f1e33a8-ec44-4a3c-9fa5-ff3f2d1e8c20)`);
  });

  it('a 404 is a permanent not found', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-404-server'));
    const error = await failure(openstack.getServer(MISSING));
    expect(error).toMatchObject({ kind: 'not_found', retryable: false });
    expect(error.message).toContain(`Instance ${MISSING} could not be found.`);
  });

  it('a 403 is permanent and not taken for an expired token', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-403-policy'));
    const error = await failure(openstack.stop(SERVER));
    expect(error).toMatchObject({ kind: 'forbidden', retryable: false });
    expect(error.message).toContain("Policy doesn't allow os_compute_api:servers:stop to be performed.");
  });

  it('a 503 from the load balancer is transient, with its page as text', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-503-haproxy'));
    const error = await failure(openstack.listServers());
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, detail: { status: 503 } });
    expect(error.message).toBe(`Nova GET /servers/detail?limit=1: HTTP 503: 503 Service Unavailable No server is available to handle this request.`);
  });

  it('a 429 is transient and says when to retry', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-429-rate-limited'));
    const error = await failure(openstack.listServers());
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, detail: { status: 429, retryAfterMs: 30_000 } });
  });

  it('a Nova without microversion 2.45 is unsupported, with the release needed', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/error-406-microversion'));
    const error = await failure(openstack.snapshot(SERVER, { name: 'foo-image', metadata: { meta_var: 'meta_val' } }));
    expect(error).toMatchObject({ kind: 'unsupported', retryable: false });
    expect(error.message).toContain('Minimum is 2.1 and maximum is 2.42. FlowDesk needs compute API microversion 2.45 (OpenStack Pike or later).');
  });

  it('a refused connection is transient', async () => {
    const closed = await freePort();
    const error = await failure(createCloudProvider('openstack', { ...settings, authUrl: `http://127.0.0.1:${closed}/v3` }).listServers());
    expect(error).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(error.message).toContain(`cannot reach 127.0.0.1:${closed} (ECONNREFUSED)`);
  });

  it('an action sent without an answer has an unknown outcome, never retried blindly', async () => {
    const provider = createCloudProvider('openstack', settings, { requestTimeoutMs: 300 });
    contract.expect(exchange('keystone/auth-project-scoped'), exchange('nova/server-action-stop', { response: { delayMs: 1_000 } }));
    const error = await failure(provider.stop(SERVER));
    expect(error).toMatchObject({ kind: 'outcome_unknown', retryable: false });
    expect(error.message).toContain('may have been carried out; check the server in the cloud before running it again');
  });
});

describe('catalog and settings', () => {
  it('a catalog without compute is a clear, permanent error', async () => {
    contract.expect(exchange('keystone/auth-project-scoped-no-compute'));
    const error = await failure(openstack.listServers());
    expect(error).toMatchObject({ kind: 'no_endpoint', retryable: false });
    expect(error.message).toContain("the token's service catalog has no compute service (it has: identity)");
  });

  it('a region the catalog does not have names the ones it has', async () => {
    contract.expect(exchange('keystone/auth-project-scoped'));
    const error = await failure(createCloudProvider('openstack', { ...settings, region: 'RegionTwo' }).listServers());
    expect(error).toMatchObject({ kind: 'no_endpoint' });
    expect(error.message).toBe(
      'the service catalog has no public compute endpoint in region RegionTwo; it offers compute admin in RegionOne, internal in RegionOne, public in RegionOne: set interface and region to one of these',
    );
  });

  it('bad settings are refused with every problem named, and never the password', () => {
    const bad = { authUrl: 'keystone:5000', username: '', password: 's3cret', userDomain: 'Default', projectName: 'ops', interface: 'private', projectname: 'ops' };
    let error: unknown;
    try {
      createCloudProvider('openstack', bad as unknown as OpenStackSettings);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: 'invalid_settings', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain('projectname is not a setting');
    expect(message).toContain('username is missing or empty');
    expect(message).toContain('projectDomain is missing or empty');
    expect(message).toContain("authUrl must be Keystone's http(s) URL, e.g. https://keystone.example:5000/v3; got 'keystone:5000'");
    expect(message).toContain("interface is one of public, internal, admin; got 'private'");
    expect(message).not.toContain('s3cret');
    expect(() => createCloudProvider('openstack', { ...settings, password: '' })).toThrow('password is missing (it comes from the cloud credential)');
  });

  it('an unknown provider kind is refused', () => {
    expect(() => createCloudProvider('aws' as 'openstack', settings)).toThrow("there is no cloud provider 'aws'; FlowDesk has: openstack");
  });
});
