import { correlateByTopology, type CorrelationCandidate, probableRoot } from '../../../domain/alert/topology';
import { validateAlertRules } from '../../../domain/alert/rules';

// A core switch sw-1 carries two hosts; vm-1 runs on host-1; db-1 is on its own.
//   sw-1 → host-1 → vm-1,  sw-1 → host-2
const DEPENDANTS: Record<string, string[]> = { 'sw-1': ['host-1', 'host-2', 'vm-1'], 'host-1': ['vm-1'], 'host-2': [], 'vm-1': [], 'db-1': [] };
const impactOf = (ci: string) => new Set(DEPENDANTS[ci] ?? []);

const open = (id: string, ciId: string, groupKey: string, startsAt: string): CorrelationCandidate => ({ id, ciId, groupKey, startsAt });

describe('topology correlation', () => {
  test('an alert on a CI that depends on an alerting CI joins its group; the failing CI is the root', () => {
    const join = correlateByTopology({ ciId: 'vm-1', startsAt: '2026-12-04T10:01:00Z' }, [open('sw#1', 'sw-1', 'net/aaa', '2026-12-04T10:00:00Z'), open('db#1', 'db-1', 'db/bbb', '2026-12-04T09:00:00Z')], impactOf);
    expect(join).toEqual({ groupKey: 'net/aaa', rootCi: 'sw-1', related: ['sw#1'] });
  });

  test('the switch reported after the servers behind it joins their group and becomes the root', () => {
    const candidates = [open('h1#1', 'host-1', 'node/h1', '2026-12-04T10:00:00Z'), open('h2#1', 'host-2', 'node/h2', '2026-12-04T10:00:30Z'), open('vm#1', 'vm-1', 'node/h1', '2026-12-04T10:00:10Z')];
    expect(correlateByTopology({ ciId: 'sw-1', startsAt: '2026-12-04T10:02:00Z' }, candidates, impactOf)).toEqual({ groupKey: 'node/h1', rootCi: 'sw-1', related: ['h1#1', 'h2#1', 'vm#1'] });
  });

  test('no related CI, or the same CI: keeps the group its rule gives', () => {
    expect(correlateByTopology({ ciId: 'db-1', startsAt: '2026-12-04T10:00:00Z' }, [open('sw#1', 'sw-1', 'net/aaa', '2026-12-04T10:00:00Z')], impactOf)).toBeNull();
    expect(correlateByTopology({ ciId: 'sw-1', startsAt: '2026-12-04T10:00:00Z' }, [open('sw#1', 'sw-1', 'net/other', '2026-12-04T09:00:00Z')], impactOf)).toBeNull();
  });

  test('the probable root explains the most alerting CIs; a tie goes to the one alerting first', () => {
    expect(probableRoot([{ ciId: 'vm-1', startsAt: '1' }, { ciId: 'host-1', startsAt: '2' }, { ciId: 'sw-1', startsAt: '3' }], impactOf)).toBe('sw-1');
    expect(probableRoot([{ ciId: 'host-2', startsAt: '2' }, { ciId: 'db-1', startsAt: '1' }], impactOf)).toBe('db-1');
  });

  test('rules: topology is true or { depth } from 1 to 10', () => {
    const ok = validateAlertRules({ rules: [{ id: 'a', groupWindow: '5m', topology: true }, { id: 'b', groupWindow: '5m', topology: { depth: 2 } }, { id: 'c', groupWindow: '5m' }] });
    expect(ok.ok && ok.rules.map((r) => r.topology)).toEqual([{ depth: 4 }, { depth: 2 }, null]);
    const bad = validateAlertRules({ rules: [{ id: 'a', groupWindow: '5m', topology: { depth: 0 } }, { id: 'b', groupWindow: '5m', topology: 'yes' }] });
    expect(bad.ok ? [] : bad.problems.map((p) => p.path)).toEqual(['rules[0].topology', 'rules[1].topology']);
  });
});
