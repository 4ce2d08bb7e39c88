import { CloudError, cloudErrorKindOf, type CloudServer, hasReached, matchesListStep, resizeOutcome } from '../../../domain/automation/cloud';

const server = (change: Partial<CloudServer> = {}): CloudServer => ({
  id: 's1',
  name: 'Core-Banking-App-01',
  status: 'running',
  providerStatus: 'ACTIVE',
  task: null,
  flavor: '1',
  image: null,
  addresses: [],
  created: '2026-03-02T09:00:00Z',
  updated: '2026-03-02T09:00:00Z',
  availabilityZone: null,
  metadata: {},
  fault: null,
  ...change,
});

describe('cloud errors', () => {
  it.each([
    [400, 'bad_request', false],
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [409, 'conflict', false],
    [406, 'unsupported', false],
    [501, 'unsupported', false],
    [422, 'bad_request', false],
    [302, 'invalid_settings', false],
    [429, 'rate_limited', true],
    [408, 'unavailable', true],
    [500, 'unavailable', true],
    [503, 'unavailable', true],
  ] as const)('HTTP %i is %s (retryable: %s)', (status, kind, retryable) => {
    expect(cloudErrorKindOf(status)).toBe(kind);
    expect(new CloudError(kind, 'x').retryable).toBe(retryable);
  });

  it('names its failure type for an activity', () => {
    expect(new CloudError('conflict', 'x').type).toBe('CloudConflict');
    expect(new CloudError('outcome_unknown', 'x').type).toBe('CloudOutcomeUnknown');
    expect(new CloudError('not_found', 'x').name).toBe('CloudError');
  });
});

describe('server states', () => {
  it('a status is reached only once the provider has no task running on the server', () => {
    expect(hasReached(server({ task: 'powering-off' }), ['stopped'])).toBe(false);
    expect(hasReached(server({ status: 'stopped', task: 'powering-off' }), ['stopped'])).toBe(false);
    expect(hasReached(server({ status: 'stopped' }), ['stopped', 'running'])).toBe(true);
  });

  it('tells a held resize from a done one and from one Nova put back', () => {
    expect(resizeOutcome(server({ status: 'resized', flavor: '2' }), '2')).toBe('awaiting_confirmation');
    expect(resizeOutcome(server({ flavor: '2' }), '2')).toBe('done');
    expect(resizeOutcome(server({ flavor: '1' }), '2')).toBe('not_resized');
  });

  it('a list step keeps servers by name (any case) and status', () => {
    const step = { credential: 'cred_0123456789abcdef', name: 'banking', status: ['running' as const] };
    expect(matchesListStep(server(), step)).toBe(true);
    expect(matchesListStep(server({ status: 'stopped' }), step)).toBe(false);
    expect(matchesListStep(server({ name: 'web-01' }), step)).toBe(false);
    expect(matchesListStep(server(), { credential: 'cred_0123456789abcdef' })).toBe(true);
  });
});
