import {
  clockCondition,
  matchPolicy,
  parseDuration,
  policyApplies,
  type SlaPolicy,
  type SlaTicketView,
  specificity,
  startHolds,
  targetMs,
  warningActions,
} from '../../domain/sla/policy';

const H = 3_600_000;
const ALL = { P1: '1h', P2: '2h', P3: '4h', P4: '8h', P5: '16h' };

const policy = (id: string, over: Partial<SlaPolicy> = {}): SlaPolicy => ({
  id,
  name: id,
  metric: 'resolution',
  appliesTo: {},
  targets: ALL,
  calendar: 'office',
  stop: { states: ['resolved', 'closed'] },
  warnings: [],
  actions: {},
  ...over,
});

const ticket = (over: Partial<SlaTicketView> = {}): SlaTicketView => ({
  kind: 'incident',
  state: 'new',
  holdReason: null,
  priority: 'P3',
  service: null,
  category: null,
  ...over,
});

describe('parseDuration', () => {
  it.each([
    ['15m', 15 * 60_000],
    ['4h', 4 * H],
    ['1d', 24 * H],
    ['1d 12h', 36 * H],
    ['1d12h30m', 36.5 * H],
    ['2h 30s', 2 * H + 30_000],
    ['0m', 0],
    [' 100h ', 100 * H],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '4', '1.5h', '30m 1h', '4 hours', '1w', '-1h', '1h 1h', 'h'])('rejects %j with a hint', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration: write whole numbers with units d h m s in that order/);
  });

  it('targetMs reads the target of a priority, null when the policy has none', () => {
    const p = policy('x', { targets: { P1: '30m', P2: '1d 2h' } });
    expect(targetMs(p, 'P1')).toBe(H / 2);
    expect(targetMs(p, 'P2')).toBe(26 * H);
    expect(targetMs(p, 'P3')).toBeNull();
  });
});

describe('policyApplies and specificity', () => {
  it('an empty scope matches every ticket that has a target for its priority', () => {
    expect(policyApplies(policy('any'), ticket())).toBe(true);
    expect(policyApplies(policy('p1only', { targets: { P1: '1h' } }), ticket({ priority: 'P3' }))).toBe(false);
    expect(specificity(policy('any'))).toBe(0);
  });

  it('each listed dimension must contain the ticket value; null service/category never matches a list', () => {
    const p = policy('p', { appliesTo: { kinds: ['incident'], priorities: ['P2', 'P3'], services: ['payments'], categories: ['network'] } });
    expect(specificity(p)).toBe(4);
    const fits = ticket({ priority: 'P3', service: 'payments', category: 'network' });
    expect(policyApplies(p, fits)).toBe(true);
    expect(policyApplies(p, { ...fits, kind: 'request' })).toBe(false);
    expect(policyApplies(p, { ...fits, priority: 'P1' })).toBe(false);
    expect(policyApplies(p, { ...fits, service: 'email' })).toBe(false);
    expect(policyApplies(p, { ...fits, service: null })).toBe(false);
    expect(policyApplies(p, { ...fits, category: null })).toBe(false);
  });
});

describe('matchPolicy: most specific, then order, then id', () => {
  const general = policy('general', { appliesTo: { kinds: ['incident'] } });
  const payments = policy('payments', { appliesTo: { kinds: ['incident'], services: ['payments'] } });
  const network = policy('network', { appliesTo: { kinds: ['incident'], categories: ['network'] } });
  const response = policy('response', { metric: 'response' });

  it('picks the policy of the metric that constrains the most dimensions', () => {
    const all = [general, payments, network, response];
    expect(matchPolicy(all, ticket(), 'resolution')?.id).toBe('general');
    expect(matchPolicy(all, ticket({ service: 'payments' }), 'resolution')?.id).toBe('payments');
    expect(matchPolicy(all, ticket(), 'response')?.id).toBe('response');
    expect(matchPolicy(all, ticket({ kind: 'request' }), 'resolution')).toBeNull();
  });

  it('equally specific: lower order wins (absent = 100), then the smaller id, whatever the file order', () => {
    const t = ticket({ service: 'payments', category: 'network' });
    expect(matchPolicy([payments, network], t, 'resolution')?.id).toBe('network');
    expect(matchPolicy([network, payments], t, 'resolution')?.id).toBe('network');
    expect(matchPolicy([network, { ...payments, order: 10 }], t, 'resolution')?.id).toBe('payments');
    expect(matchPolicy([{ ...network, order: 100 }, payments], t, 'resolution')?.id).toBe('network');
    expect(matchPolicy([{ ...network, order: 101 }, payments], t, 'resolution')?.id).toBe('payments');
  });

  it('a policy without a target for the priority steps aside for a less specific one', () => {
    const p1 = policy('major', { appliesTo: { kinds: ['incident'], priorities: ['P1'] }, targets: { P1: '4h' } });
    expect(matchPolicy([general, p1], ticket({ priority: 'P1' }), 'resolution')?.id).toBe('major');
    expect(matchPolicy([general, p1], ticket({ priority: 'P2' }), 'resolution')?.id).toBe('general');
  });
});

describe('conditions', () => {
  const p = policy('p', {
    start: { states: ['in_progress', 'on_hold'] },
    pause: { states: ['on_hold'], holdReasons: ['awaiting_caller'] },
    stop: { states: ['resolved', 'weird'] },
    cancel: { states: ['cancelled', 'weird'] },
  });

  it('start holds in a start state; absent start holds in any state', () => {
    expect(startHolds(p, ticket({ state: 'in_progress' }))).toBe(true);
    expect(startHolds(p, ticket({ state: 'new' }))).toBe(false);
    expect(startHolds(policy('any'), ticket({ state: 'whatever' }))).toBe(true);
  });

  it('pause needs the state and, when listed, the hold reason', () => {
    expect(clockCondition(p, ticket({ state: 'on_hold', holdReason: 'awaiting_caller' }))).toBe('pause');
    expect(clockCondition(p, ticket({ state: 'on_hold', holdReason: 'change' }))).toBe('run');
    expect(clockCondition(p, ticket({ state: 'on_hold', holdReason: null }))).toBe('run');
    expect(clockCondition({ ...p, pause: { states: ['on_hold'] } }, ticket({ state: 'on_hold', holdReason: null }))).toBe('pause');
    expect(clockCondition(p, ticket({ state: 'in_progress' }))).toBe('run');
  });

  it('precedence: cancel > stop > pause > run', () => {
    expect(clockCondition(p, ticket({ state: 'weird' }))).toBe('cancel');
    expect(clockCondition(p, ticket({ state: 'resolved' }))).toBe('stop');
    const overlapping = { ...p, pause: { states: ['resolved', 'on_hold'] } };
    expect(clockCondition(overlapping, ticket({ state: 'resolved' }))).toBe('stop');
    expect(clockCondition(overlapping, ticket({ state: 'on_hold' }))).toBe('pause');
  });

  it('warningActions looks actions up by String(ratio)', () => {
    const w = policy('w', { warnings: [0.5, 0.75], actions: { warning: { '0.5': [{ type: 'notify_assignee' }] } } });
    expect(warningActions(w, 0.5)).toEqual([{ type: 'notify_assignee' }]);
    expect(warningActions(w, 0.75)).toEqual([]);
  });
});
