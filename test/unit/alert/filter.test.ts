import { alertMatches, type FilterableAlert } from '../../../domain/alert/filter';

const alert: FilterableAlert = {
  state: 'firing',
  severity: 'critical',
  source: 'alertmanager',
  labels: { alertname: 'DiskFull', team: 'dba', 'a=b': 'c' },
  ciId: 'srv-1',
  context: { applications: [{ id: 'app-pay' }, { id: 'app-core' }] },
  groupKey: 'critical-on-ci/abc',
};

test('no criteria, every alert', () => {
  expect(alertMatches({}, alert)).toBe(true);
  expect(alertMatches({ state: [], severity: [], source: [], labels: [] }, alert)).toBe(true);
});

test('lists hold when the value is in them', () => {
  expect(alertMatches({ state: ['firing', 'acknowledged'] }, alert)).toBe(true);
  expect(alertMatches({ state: ['resolved'] }, alert)).toBe(false);
  expect(alertMatches({ severity: ['major'] }, alert)).toBe(false);
  expect(alertMatches({ source: ['zabbix', 'alertmanager'] }, alert)).toBe(true);
});

test('labels: every term must be there', () => {
  expect(alertMatches({ labels: ['team=dba', 'alertname=DiskFull'] }, alert)).toBe(true);
  expect(alertMatches({ labels: ['team=dba', 'alertname=CPU'] }, alert)).toBe(false);
  expect(alertMatches({ labels: ['team=unix'] }, alert)).toBe(false);
  // Compared as the store's terms are: the text `name=value`.
  expect(alertMatches({ labels: ['a=b=c'] }, alert)).toBe(true);
});

test('CI, application (any of them) and group', () => {
  expect(alertMatches({ ci: 'srv-1' }, alert)).toBe(true);
  expect(alertMatches({ ci: 'srv-2' }, alert)).toBe(false);
  expect(alertMatches({ application: 'app-core' }, alert)).toBe(true);
  expect(alertMatches({ application: 'app-hr' }, alert)).toBe(false);
  expect(alertMatches({ application: 'app-pay' }, { ...alert, context: null })).toBe(false);
  expect(alertMatches({ ci: 'srv-1' }, { ...alert, ciId: null })).toBe(false);
  expect(alertMatches({ group: 'critical-on-ci/abc' }, alert)).toBe(true);
  expect(alertMatches({ group: 'track/abc' }, alert)).toBe(false);
  expect(alertMatches({ group: 'track/abc' }, { ...alert, groupKey: undefined })).toBe(false);
});

test('all criteria together', () => {
  expect(alertMatches({ state: ['firing'], severity: ['critical'], source: ['alertmanager'], labels: ['team=dba'], ci: 'srv-1', application: 'app-pay', group: 'critical-on-ci/abc' }, alert)).toBe(true);
  expect(alertMatches({ state: ['firing'], severity: ['critical'], source: ['alertmanager'], labels: ['team=dba'], ci: 'srv-1', application: 'app-pay', group: 'other/x' }, alert)).toBe(false);
});
