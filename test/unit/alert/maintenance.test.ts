import {
  activeWindowsFor,
  coversCi,
  type MaintenanceWindow,
  suppression,
  type SuppressibleAlert,
  validateMaintenanceWindow,
  windowForChange,
} from '../../../domain/alert/maintenance';
import { type Silence, timeframeNextWindow } from '../../../domain/alert/silence';
import { select, type Selector } from '../../../domain/cmdb/selector';
import { paymentsGraph, starter } from '../cmdb/fixture';

const model = starter();
const graph = paymentsGraph(model);
const resolve = (selector: Selector) => select(selector, { graph, model });

function maintenance(over: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 'mw1',
    title: 'Patch web servers',
    scope: { cis: ['vm-web-1', 'vm-web-2'] },
    startsAt: '2025-06-01T20:00:00.000Z',
    endsAt: '2025-06-01T23:00:00.000Z',
    createdBy: 'ops',
    ...over,
  };
}

function silence(over: Partial<Silence> = {}): Silence {
  return {
    id: 's1',
    matchers: [{ name: 'alertname', op: '=', value: 'HighCPU' }],
    startsAt: '2025-06-01T00:00:00.000Z',
    endsAt: '2025-06-02T00:00:00.000Z',
    createdBy: 'alice',
    comment: 'load test',
    ...over,
  };
}

const DURING = '2025-06-01T21:00:00Z';
const sundays = { timeZone: 'Europe/Paris', windows: [{ days: ['sun' as const], start: '02:00', end: '04:00' }] };

describe('coversCi', () => {
  test('a list of CIs, while the window is active', () => {
    const w = maintenance();
    expect(coversCi(w, 'vm-web-1', DURING)).toBe(true);
    expect(coversCi(w, 'db-pay', DURING)).toBe(false);
    expect(coversCi(w, 'vm-web-1', '2025-06-01T19:59:59Z')).toBe(false);
    expect(coversCi(w, 'vm-web-1', '2025-06-01T23:00:00Z')).toBe(false);
  });

  test('a CMDB selector, resolved by the caller', () => {
    const w = maintenance({ scope: { selector: { class: 'host', where: { hostname: { matches: '^web-' } } } } });
    const cis = resolve((w.scope as { selector: Selector }).selector);
    expect([...cis].sort()).toEqual(['vm-web-1', 'vm-web-2']);
    expect(coversCi(w, 'vm-web-2', DURING, cis)).toBe(true);
    expect(coversCi(w, 'ps-db-1', DURING, cis)).toBe(false);
    expect(coversCi(w, 'vm-web-2', DURING, ['vm-web-2'])).toBe(true);
  });

  test('a selector window without its CI set is an error, not an empty window', () => {
    const w = maintenance({ scope: { selector: { class: 'host' } } });
    expect(() => coversCi(w, 'vm-web-1', DURING)).toThrow(/maintenance window mw1 chooses its CIs with a CMDB selector/);
    // outside its time it covers nothing, resolved or not
    expect(coversCi(w, 'vm-web-1', '2025-01-01T00:00:00Z')).toBe(false);
  });

  test('recurring and open-ended: every Sunday 02:00–04:00 Paris, for good', () => {
    const standing = maintenance({ startsAt: '2025-01-01T00:00:00Z', endsAt: undefined, recurrence: sundays });
    expect(coversCi(standing, 'vm-web-1', '2029-07-01T00:30:00Z')).toBe(true); // Sunday 1 July 2029, 02:30 CEST
    expect(coversCi(standing, 'vm-web-1', '2029-07-01T02:30:00Z')).toBe(false);
    expect(timeframeNextWindow(standing, '2029-07-02T00:00:00Z')).toEqual({ startsAt: '2029-07-08T00:00:00.000Z', endsAt: '2029-07-08T02:00:00.000Z' });
  });
});

describe('activeWindowsFor', () => {
  const windows = [
    maintenance({ id: 'patch' }),
    maintenance({ id: 'db', scope: { cis: ['ps-db-1'] } }),
    maintenance({ id: 'hosts', scope: { selector: { class: 'host' } } }),
    maintenance({ id: 'later', startsAt: '2025-06-02T00:00:00Z', endsAt: '2025-06-03T00:00:00Z' }),
  ];
  const resolved = new Map([['hosts', resolve({ class: 'host' })]]);

  test('the windows covering a CI now, in order', () => {
    expect(activeWindowsFor('vm-web-1', windows, DURING, resolved).map((w) => w.id)).toEqual(['patch', 'hosts']);
    expect(activeWindowsFor('ps-db-1', windows, DURING, resolved).map((w) => w.id)).toEqual(['db', 'hosts']);
    expect(activeWindowsFor('app-api', windows, DURING, resolved).map((w) => w.id)).toEqual([]);
    expect(activeWindowsFor('vm-web-1', windows, '2025-06-02T12:00:00Z', resolved).map((w) => w.id)).toEqual(['later']);
  });

  test('a selector window missing from the resolved map is an error', () => {
    expect(() => activeWindowsFor('vm-web-1', windows, DURING)).toThrow(/its CI ids were not given/);
  });
});

describe('suppression', () => {
  const silences = [silence({ id: 'cpu' }), silence({ id: 'expired', endsAt: '2025-06-01T01:00:00Z', matchers: [{ name: 'env', op: '=', value: 'prod' }] })];
  const windows = [maintenance({ id: 'patch' })];
  const firing = (over: Partial<SuppressibleAlert> = {}): SuppressibleAlert => ({ status: 'firing', labels: { alertname: 'HighCPU', env: 'prod' }, ciId: 'vm-web-1', ...over });

  test('silences first, then maintenance windows', () => {
    expect(suppression(firing(), silences, windows, DURING)).toEqual({
      suppressed: true,
      by: [
        { kind: 'silence', id: 'cpu' },
        { kind: 'maintenance', id: 'patch' },
      ],
    });
    expect(suppression(firing({ labels: { alertname: 'DiskFull' } }), silences, windows, DURING)).toEqual({ suppressed: true, by: [{ kind: 'maintenance', id: 'patch' }] });
    expect(suppression(firing({ ciId: 'db-pay' }), silences, windows, DURING)).toEqual({ suppressed: true, by: [{ kind: 'silence', id: 'cpu' }] });
    expect(suppression(firing({ labels: { alertname: 'DiskFull' }, ciId: 'db-pay' }), silences, windows, DURING)).toEqual({ suppressed: false, by: [] });
  });

  test('an alert without a CI is untouched by maintenance windows', () => {
    expect(suppression(firing({ labels: { alertname: 'DiskFull' }, ciId: null }), silences, windows, DURING)).toEqual({ suppressed: false, by: [] });
    expect(suppression(firing({ labels: { alertname: 'DiskFull' }, ciId: undefined }), silences, windows, DURING)).toEqual({ suppressed: false, by: [] });
  });

  test('a resolve is never suppressed, whatever matches it', () => {
    expect(suppression(firing({ status: 'resolved' }), silences, windows, DURING)).toEqual({ suppressed: false, by: [] });
    // every combination of matching silences and covering windows, at every hour of the day
    const everything = [silence({ id: 'all', matchers: [{ name: 'alertname', op: '=~', value: '.+' }] }), ...silences];
    const allWindows = [maintenance({ id: 'all-day', startsAt: '2025-06-01T00:00:00Z', endsAt: '2025-06-02T00:00:00Z', scope: { selector: { class: 'host' } } }), ...windows];
    const resolved = new Map([['all-day', resolve({ class: 'host' })]]);
    for (let hour = 0; hour < 24; hour++) {
      const at = `2025-06-01T${String(hour).padStart(2, '0')}:30:00Z`;
      for (const ciId of ['vm-web-1', 'ps-db-1', null]) {
        expect(suppression(firing({ ciId }), everything, allWindows, at, resolved).suppressed).toBe(true);
        expect(suppression(firing({ ciId, status: 'resolved' }), everything, allWindows, at, resolved)).toEqual({ suppressed: false, by: [] });
      }
    }
  });

  test('recurring silences suppress inside their windows only', () => {
    const nightly = [silence({ id: 'sunday', startsAt: '2025-01-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z', recurrence: sundays })];
    expect(suppression(firing(), nightly, [], '2025-06-01T00:30:00Z').by).toEqual([{ kind: 'silence', id: 'sunday' }]);
    expect(suppression(firing(), nightly, [], '2025-06-01T02:30:00Z').suppressed).toBe(false);
  });
});

describe('windowForChange', () => {
  test('an approved change opens a window on its CIs for its planned time', () => {
    const spec = windowForChange({ number: 'CHG0000042', title: 'Kernel update', ciIds: ['vm-web-1'], plannedStart: '2025-06-01T22:00:00+02:00', plannedEnd: '2025-06-02T01:00:00+02:00', requestedBy: 'bob' });
    expect(spec).toEqual({
      title: 'CHG0000042: Kernel update',
      scope: { cis: ['vm-web-1'] },
      startsAt: '2025-06-01T20:00:00.000Z',
      endsAt: '2025-06-01T23:00:00.000Z',
      createdBy: 'bob',
      comment: 'opened by the approval of change CHG0000042',
      change: 'CHG0000042',
    });
    expect(validateMaintenanceWindow(spec)).toEqual({ ok: true, window: spec });
    expect(coversCi({ ...spec, id: 'mw-chg' }, 'vm-web-1', DURING)).toBe(true);
  });
});

describe('validateMaintenanceWindow', () => {
  const base = { title: 'Patch web servers', scope: { cis: ['vm-web-1'] }, startsAt: '2025-06-01T22:00:00+02:00', endsAt: '2025-06-02T01:00:00+02:00', createdBy: 'ops' };
  const problems = (input: unknown, options = {}) => {
    const result = validateMaintenanceWindow(input, options);
    return result.ok ? [] : result.problems;
  };

  test('a valid window comes back with times in UTC', () => {
    expect(validateMaintenanceWindow(base)).toEqual({ ok: true, window: { ...base, startsAt: '2025-06-01T20:00:00.000Z', endsAt: '2025-06-01T23:00:00.000Z' } });
    expect(validateMaintenanceWindow({ ...base, endsAt: undefined, recurrence: sundays }).ok).toBe(true);
  });

  test('a one-off window must end', () => {
    expect(problems({ ...base, endsAt: undefined })).toEqual([{ path: 'endsAt', message: 'a one-off window must end; only a recurring one may be open-ended' }]);
  });

  test('scope problems have paths', () => {
    expect(problems({ ...base, scope: { cis: [] } })).toEqual([{ path: 'scope.cis', message: 'must list at least one CI id' }]);
    expect(problems({ ...base, scope: { cis: ['vm-web-1', 7] } })).toEqual([{ path: 'scope.cis[1]', message: 'must be a CI id' }]);
    expect(problems({ ...base, scope: { cis: ['a'], selector: {} } })).toEqual([{ path: 'scope', message: 'must be { cis: [ci ids] } or { selector: <CMDB selector> }' }]);
    expect(problems({ ...base, scope: { selector: {} } })).toEqual([{ path: 'scope.selector', message: expect.stringMatching(/empty selector chooses every CI/) }]);
    expect(problems({ ...base, scope: { selector: 'host' } })).toEqual([{ path: 'scope.selector', message: expect.stringMatching(/must be a CMDB selector/) }]);
  });

  test('with the CMDB model, a selector is checked against it', () => {
    const scope = { selector: { class: 'hots', where: { hostnme: 'web-1' } } };
    expect(problems({ ...base, scope })).toEqual([]);
    expect(problems({ ...base, scope }, { model })).toEqual([
      { path: 'scope.selector.class', message: 'no class "hots"' },
      { path: 'scope.selector.where.hostnme', message: 'no such attribute in the selected classes' },
    ]);
    expect(problems({ ...base, scope: { selector: { class: 'host', where: { hostname: { matches: '^web-' } } } } }, { model })).toEqual([]);
  });

  test('times, recurrence, who and unknown fields', () => {
    expect(problems({ ...base, endsAt: base.startsAt, title: '', createdBy: undefined, owner: 'x', change: '' })).toEqual([
      { path: 'owner', message: expect.stringMatching(/^unknown field; a maintenance window has id, title, scope/) },
      { path: 'change', message: 'must be a non-empty string' },
      { path: 'title', message: 'must say what the maintenance is' },
      { path: 'createdBy', message: 'must name who creates the window' },
      { path: 'endsAt', message: 'must be after startsAt' },
    ]);
    expect(problems({ ...base, recurrence: { timeZone: 'Europe/Paris', windows: [{ days: ['sunday'], start: '02:00', end: '04:00' }] } })).toEqual([
      { path: 'recurrence.windows[0].days[0]', message: 'must be one of mon, tue, wed, thu, fri, sat, sun' },
    ]);
    expect(problems(base, { now: '2025-06-02T00:00:00Z' })).toEqual([{ path: 'endsAt', message: 'is in the past: a new one must end in the future' }]);
    expect(problems([])).toEqual([{ path: '', message: expect.stringMatching(/^must be a maintenance window/) }]);
  });
});
