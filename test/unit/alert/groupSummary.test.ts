import { type GroupMember, groupOrder, isAfter, MAX_LISTED, summarizeGroups } from '../../../domain/alert/groupSummary';

function member(over: Partial<GroupMember> & Pick<GroupMember, 'id' | 'groupKey'>): GroupMember {
  return { state: 'firing', severity: 'warning', name: 'DiskFull', summary: 'disk full', count: 1, firstSeen: '2026-03-01T10:00:00.000Z', lastSeen: '2026-03-01T10:00:00.000Z', ci: null, applications: [], ...over };
}

const db1 = { id: 'ci-db1', name: 'db-01' };
const db2 = { id: 'ci-db2', name: 'db-02' };
const pay = { id: 'app-pay', name: 'Payments' };

describe('one line per group', () => {
  const members = [
    member({ id: 'a#1', groupKey: 'critical-on-ci/k1', severity: 'major', state: 'firing', count: 4, ci: db1, applications: [pay], firstSeen: '2026-03-01T09:00:00.000Z', lastSeen: '2026-03-01T10:05:00.000Z' }),
    member({ id: 'b#1', groupKey: 'critical-on-ci/k1', severity: 'critical', state: 'acknowledged', count: 2, ci: db2, applications: [pay], name: 'DbDown', summary: 'db down', firstSeen: '2026-03-01T09:30:00.000Z', lastSeen: '2026-03-01T10:10:00.000Z' }),
    member({ id: 'c#2', groupKey: 'critical-on-ci/k1', severity: 'minor', state: 'resolved', ci: db1, firstSeen: '2026-03-01T08:00:00.000Z', lastSeen: '2026-03-01T08:30:00.000Z' }),
    member({ id: 'd#1', groupKey: 'track/k2', lastSeen: '2026-03-01T11:00:00.000Z' }),
  ];
  const links = [
    { groupKey: 'critical-on-ci/k1', incident: 'INC0000001', at: '2026-03-01T09:05:00.000Z' },
    { groupKey: 'critical-on-ci/k1', incident: 'INC0000007', at: '2026-03-01T09:40:00.000Z' },
  ];
  const [first, second] = summarizeGroups(members, links);

  test('most recently seen group first', () => {
    expect([first!.key, second!.key]).toEqual(['track/k2', 'critical-on-ci/k1']);
  });

  test('counts by state, events, worst severity, first and last seen, titled by the alert seen last', () => {
    expect(second).toMatchObject({
      rule: 'critical-on-ci',
      alerts: 3,
      events: 7,
      states: { firing: 1, acknowledged: 1, suppressed: 0, resolved: 1 },
      severity: 'critical',
      firstSeen: '2026-03-01T08:00:00.000Z',
      lastSeen: '2026-03-01T10:10:00.000Z',
      latest: { id: 'b#1', name: 'DbDown', summary: 'db down' },
    });
  });

  test('CIs and applications once each, most recently seen first', () => {
    expect(second!.cis).toEqual([db2, db1]);
    expect(second!.ciCount).toBe(2);
    expect(second!.applications).toEqual([pay]);
    expect(first).toMatchObject({ cis: [], ciCount: 0, applications: [] });
  });

  test('the incident linked last; none when the group has linked none', () => {
    expect(second!.incident).toBe('INC0000007');
    expect(first!.incident).toBeNull();
  });
});

test('many CIs: the first ten listed, all counted', () => {
  const members = Array.from({ length: 12 }, (_, i) => member({ id: `m${i}#1`, groupKey: 'g/1', ci: { id: `ci${i}`, name: `host-${i}` }, lastSeen: `2026-03-01T10:${String(i).padStart(2, '0')}:00.000Z` }));
  const [group] = summarizeGroups(members);
  expect(group!.cis).toHaveLength(MAX_LISTED);
  expect(group!.cis[0]).toEqual({ id: 'ci11', name: 'host-11' });
  expect(group!.ciCount).toBe(12);
});

test('order and cursor: by last seen, then key; after means on a later page', () => {
  const a = { lastSeen: '2026-03-01T10:00:00.000Z', key: 'a/1' };
  const b = { lastSeen: '2026-03-01T10:00:00.000Z', key: 'b/1' };
  const older = { lastSeen: '2026-03-01T09:00:00.000Z', key: 'a/0' };
  expect([older, b, a].sort(groupOrder)).toEqual([a, b, older]);
  expect(isAfter(b, a)).toBe(true);
  expect(isAfter(a, a)).toBe(false);
  expect(isAfter(a, b)).toBe(false);
  expect(isAfter(older, b)).toBe(true);
  expect(isAfter(a, undefined)).toBe(true);
});
