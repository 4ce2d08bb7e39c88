import { alertFingerprint } from '../../../domain/alert/fingerprint';
import { THRESHOLD_SENDER, thresholdKey, thresholdRequest } from '../../../domain/alert/sources/threshold';
import { crossingReport } from '../../../domain/collection/crossingReport';
import { validateThresholdRules } from '../../../domain/collection/thresholdRules';

const parsed = validateThresholdRules({
  thresholds: [
    { id: 'disk-full', name: 'DiskAlmostFull', description: 'A filesystem is nearly full.', metric: 'disk.used_percent', op: '>', limit: 90, clear: 85, for: '10m', severity: 'major', labels: { team: 'storage' }, summary: '{{instance}} on {{ci}} is {{value}} full (above {{limit}} for {{for}})' },
    { id: 'cpu-high', name: 'HighCpuLoad', metric: 'cpu.load', op: '>', limit: 90, severity: 'minor' },
  ],
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const [disk, cpu] = parsed.rules as [(typeof parsed.rules)[0], (typeof parsed.rules)[0]];
const ci = { id: 'ci-7f3a', name: 'db-1', address: '10.20.30.41' };

const fire = (at = '2026-03-01T10:10:00.000Z') => crossingReport({ rule: disk, ci, instance: '/var', crossing: { kind: 'firing', startsAt: '2026-03-01T10:00:00.000Z', value: 93.5 }, at });
const resolve = crossingReport({ rule: disk, ci, instance: '/var', crossing: { kind: 'resolved', startsAt: '2026-03-01T10:00:00.000Z', endsAt: '2026-03-01T11:00:00.000Z', value: 80, firedValue: 93.5 }, at: '2026-03-01T11:10:00.000Z' });

test('a crossing is an alert of source threshold keyed by rule, CI and instance; its resolve lands on the same fingerprint', () => {
  const [fired] = thresholdRequest([fire()]).events;
  const [resolved] = thresholdRequest([resolve]).events;
  if (fired?.kind !== 'report' || resolved?.kind !== 'report') throw new Error('reports expected');
  expect(fired.alert).toEqual({
    source: 'threshold',
    sender: THRESHOLD_SENDER,
    nativeKey: 'disk-full|ci-7f3a|/var',
    fingerprint: alertFingerprint('threshold', 'thresholds', 'disk-full|ci-7f3a|/var'),
    nativeKeyFrom: 'source',
    name: 'DiskAlmostFull',
    severity: 'major',
    nativeSeverity: null,
    status: 'firing',
    summary: '/var on db-1 is 93.5% full (above 90% for 10m)',
    description: 'A filesystem is nearly full.',
    labels: { alertname: 'DiskAlmostFull', ci: 'ci-7f3a', instance: '/var', metric: 'disk.used_percent', rule: 'disk-full', team: 'storage' },
    annotations: { clear: '85', for: '10m', limit: '> 90', value: '93.5' },
    resource: { host: 'db-1', ip: '10.20.30.41', component: '/var' },
    startsAt: '2026-03-01T10:00:00.000Z',
    endsAt: null,
    receivedAt: '2026-03-01T10:10:00.000Z',
    generatorURL: null,
    raw: { digest: expect.stringMatching(/^[0-9a-f]{64}$/), pointer: '/0' },
  });
  // The alert keeps saying what fired; the recovered value is an annotation.
  expect(resolved.alert).toMatchObject({ status: 'resolved', fingerprint: fired.alert.fingerprint, summary: fired.alert.summary, endsAt: '2026-03-01T11:00:00.000Z', annotations: { recovered_value: '80', value: '93.5' } });
  expect(thresholdKey('disk-full', 'ci-7f3a', '')).not.toBe(thresholdKey('disk-full', 'ci-7f3a', '/var'));
});

test("recording the same crossings again is the same request; another poll's is another", () => {
  const once = thresholdRequest([fire(), resolve]);
  expect(thresholdRequest([fire(), resolve]).digest).toBe(once.digest);
  expect(thresholdRequest([fire('2026-03-01T10:15:00.000Z'), resolve]).digest).not.toBe(once.digest);
  expect(once.events.map((e) => (e.kind === 'report' ? e.alert.raw.pointer : ''))).toEqual(['/0', '/1']);
});

test('the default summary names the rule, CI, metric, value and limit; a device-wide metric has no instance label', () => {
  const [event] = thresholdRequest([crossingReport({ rule: cpu, ci, instance: '', crossing: { kind: 'firing', startsAt: '2026-03-01T10:00:00.000Z', value: 97 }, at: '2026-03-01T10:00:00.000Z' })]).events;
  if (event?.kind !== 'report') throw new Error('report expected');
  expect(event.alert.summary).toBe('HighCpuLoad on db-1: cpu.load 97% > 90%');
  expect(event.alert.labels).toEqual({ alertname: 'HighCpuLoad', ci: 'ci-7f3a', metric: 'cpu.load', rule: 'cpu-high' });
  expect(event.alert.resource).toEqual({ host: 'db-1', ip: '10.20.30.41' });
});
