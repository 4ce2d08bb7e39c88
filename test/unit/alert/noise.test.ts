import { isAutoResolved, type NoiseAlert, noiseBySource, noiseFigures } from '../../../domain/alert/noise';

const fired = { type: 'state', to: 'firing' };
const resolvedBySource = { type: 'state', to: 'resolved' };

function alert(over: Partial<NoiseAlert>): NoiseAlert {
  return { source: 'alertmanager', count: 1, groupKey: null, state: 'firing', history: [fired], ...over };
}

describe('auto-resolved', () => {
  test('resolved by the source with no one acknowledging is auto-resolved', () => {
    expect(isAutoResolved(alert({ state: 'resolved', history: [fired, resolvedBySource] }))).toBe(true);
  });

  test('an acknowledgement by a person on the way makes it not, even when given back', () => {
    const history = [fired, { type: 'state', to: 'acknowledged', by: 'ana' }, { type: 'state', to: 'firing', by: 'ana' }, resolvedBySource];
    expect(isAutoResolved(alert({ state: 'resolved', history }))).toBe(false);
  });

  test("the sender's own acknowledgement (a PagerDuty acknowledge) is not a person", () => {
    const history = [fired, { type: 'state', to: 'acknowledged', by: 'source:events/pd' }, resolvedBySource];
    expect(isAutoResolved(alert({ state: 'resolved', history }))).toBe(true);
  });

  test('a resolve made by someone is not auto-resolved; an open alert is not resolved at all', () => {
    expect(isAutoResolved(alert({ state: 'resolved', history: [fired, { type: 'state', to: 'resolved', by: 'lee' }] }))).toBe(false);
    expect(isAutoResolved(alert({ state: 'firing' }))).toBe(false);
  });

  test('flapping entries do not count as state changes', () => {
    expect(isAutoResolved(alert({ state: 'resolved', history: [fired, { type: 'flapping' }, resolvedBySource] }))).toBe(true);
  });
});

describe('figures per source, computed by hand', () => {
  // alertmanager: A 5 messages in g1, resolved by itself; B 3 in g1 still firing;
  //               C 2 in no group, resolved after ana acknowledged it.
  // zabbix:       D 1 in g2, acknowledged by Zabbix itself, resolved; E 1 in g1, acknowledged by lee.
  const alerts: NoiseAlert[] = [
    alert({ count: 5, groupKey: 'g1', state: 'resolved', history: [fired, resolvedBySource] }),
    alert({ count: 3, groupKey: 'g1', state: 'firing' }),
    alert({ count: 2, state: 'resolved', history: [fired, { type: 'state', to: 'acknowledged', by: 'ana' }, resolvedBySource] }),
    alert({ source: 'zabbix', groupKey: 'g2', state: 'resolved', history: [fired, { type: 'state', to: 'acknowledged', by: 'source:zabbix' }, resolvedBySource] }),
    alert({ source: 'zabbix', groupKey: 'g1', state: 'acknowledged', history: [fired, { type: 'state', to: 'acknowledged', by: 'lee' }] }),
  ];
  const { sources, total } = noiseBySource(alerts);

  test('alertmanager: 10 events, 3 alerts, 2 groups (g1 and C on its own), 1 of 2 resolved by itself', () => {
    const am = sources.find((s) => s.source === 'alertmanager')!;
    expect(am).toMatchObject({ events: 10, alerts: 3, groups: 2, resolved: 2, autoResolved: 1 });
    expect(am.dedupRatio).toBeCloseTo(0.7, 12); // 1 - 3/10
    expect(am.correlationRatio).toBeCloseTo(1 / 3, 12); // 1 - 2/3
    expect(am.autoResolvedShare).toBe(0.5);
  });

  test('zabbix: no duplicate, no two alerts in one group, its one resolve by itself', () => {
    expect(sources.find((s) => s.source === 'zabbix')).toEqual({ source: 'zabbix', events: 2, alerts: 2, groups: 2, resolved: 1, autoResolved: 1, dedupRatio: 0, correlationRatio: 0, autoResolvedShare: 1 });
  });

  test('the total counts g1 once although two sources fed it: 3 groups, not 4', () => {
    expect(total).toMatchObject({ source: 'all', events: 12, alerts: 5, groups: 3, resolved: 3, autoResolved: 2 });
    expect(total.dedupRatio).toBeCloseTo(7 / 12, 12);
    expect(total.correlationRatio).toBeCloseTo(0.4, 12);
    expect(total.autoResolvedShare).toBeCloseTo(2 / 3, 12);
  });

  test('sources come by name', () => {
    expect(sources.map((s) => s.source)).toEqual(['alertmanager', 'zabbix']);
  });
});

test('nothing to divide by is null, not zero', () => {
  expect(noiseFigures('events', [])).toEqual({ source: 'events', events: 0, alerts: 0, groups: 0, resolved: 0, autoResolved: 0, dedupRatio: null, correlationRatio: null, autoResolvedShare: null });
  expect(noiseFigures('events', [alert({ source: 'events' })]).autoResolvedShare).toBeNull();
  expect(noiseBySource([])).toEqual({ sources: [], total: expect.objectContaining({ alerts: 0, dedupRatio: null }) });
});
