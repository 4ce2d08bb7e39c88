import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { businessMsBetween } from '../../domain/sla/calendar';
import { loadSlaCatalog, SlaCatalogError } from '../../runtime/catalog/sla';

const H = 3_600_000;
const SHIPPED = path.resolve(__dirname, '../../catalog');

describe('the shipped SLA catalog', () => {
  const catalog = loadSlaCatalog(SHIPPED);

  it('loads the calendars and policies, ids from file names', () => {
    expect(Object.keys(catalog.calendars).sort()).toEqual(['24x7', 'business-hours']);
    expect(catalog.policies.map((p) => p.id)).toEqual(['incident-resolution-major', 'incident-resolution', 'incident-response', 'request-fulfilment']);
  });

  it('business hours: Europe/London 08:00–18:00, bank holidays closed', () => {
    const cal = catalog.calendars['business-hours'];
    expect(cal.timeZone).toBe('Europe/London');
    // Mon 31 Aug 2026 is the summer bank holiday; Tue 1 Sep is a normal 10-hour day (BST = UTC+1)
    expect(businessMsBetween(cal, new Date('2026-08-30T23:00Z'), new Date('2026-08-31T23:00Z'))).toBe(0);
    expect(businessMsBetween(cal, new Date('2026-08-31T23:00Z'), new Date('2026-09-01T23:00Z'))).toBe(10 * H);
    expect(cal.holidays).toContain('2027-12-28');
  });

  it('incident resolution is split: P1/P2 on 24×7, P3–P5 on business hours, with the same conditions and actions', () => {
    const major = catalog.policies.find((p) => p.id === 'incident-resolution-major')!;
    const everyday = catalog.policies.find((p) => p.id === 'incident-resolution')!;
    expect(major).toMatchObject({ calendar: '24x7', appliesTo: { kinds: ['incident'], priorities: ['P1', 'P2'] }, targets: { P1: '4h', P2: '8h' } });
    expect(everyday).toMatchObject({ calendar: 'business-hours', appliesTo: { kinds: ['incident'], priorities: ['P3', 'P4', 'P5'] } });
    for (const p of [major, everyday]) {
      expect(p).toMatchObject({
        pause: { states: ['on_hold'], holdReasons: ['awaiting_caller', 'vendor'] },
        stop: { states: ['resolved', 'closed'] },
        cancel: { states: ['cancelled'] },
        warnings: [0.5, 0.75],
        actions: {
          warning: { '0.5': [{ type: 'notify_assignee' }], '0.75': [{ type: 'notify_group_manager' }] },
          breach: [{ type: 'notify_group_manager' }, { type: 'raise_priority' }],
        },
      });
    }
  });

  it('incident response and request fulfilment as specified', () => {
    expect(catalog.policies.find((p) => p.id === 'incident-response')).toMatchObject({
      metric: 'response',
      targets: { P1: '15m', P2: '30m', P3: '4h', P4: '1d', P5: '2d' },
      stop: { states: ['in_progress', 'on_hold', 'resolved', 'closed'] },
      cancel: { states: ['cancelled'] },
    });
    expect(catalog.policies.find((p) => p.id === 'request-fulfilment')).toMatchObject({
      appliesTo: { kinds: ['request'] },
      start: { states: ['in_fulfilment'] },
      pause: { states: ['pending_approval'] },
      stop: { states: ['fulfilled', 'closed'] },
      cancel: { states: ['rejected', 'cancelled'] },
    });
  });
});

describe('loadSlaCatalog on broken content', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-sla-'));
    fs.cpSync(path.join(SHIPPED, 'sla'), path.join(dir, 'sla'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rel: string, text: string) => fs.writeFileSync(path.join(dir, 'sla', rel), text);
  const edit = (rel: string, from: string | RegExp, to: string) => {
    const file = path.join(dir, 'sla', rel);
    const before = fs.readFileSync(file, 'utf8');
    const after = before.replace(from, to);
    if (after === before) throw new Error(`test setup: ${String(from)} not found in ${rel}`);
    fs.writeFileSync(file, after);
  };
  const problems = (): string[] => {
    try {
      loadSlaCatalog(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(SlaCatalogError);
      return (e as SlaCatalogError).problems.map((p) => p.replace(path.join(dir, 'sla') + path.sep, ''));
    }
    throw new Error('expected the catalog to be rejected');
  };
  const minimal = ['name: X', 'metric: resolution', 'targets: { P1: 1h, P2: 1h, P3: 1h, P4: 1h, P5: 1h }', 'calendar: 24x7', 'stop: { states: [resolved] }'];
  const policy = (...extra: string[]) => [...minimal, ...extra].join('\n');

  it('a copy of the shipped content loads, and a minimal policy gets the defaults', () => {
    write('policies/minimal.yaml', policy());
    const minimalPolicy = loadSlaCatalog(dir).policies.find((p) => p.id === 'minimal');
    expect(minimalPolicy).toEqual({
      id: 'minimal',
      name: 'X',
      metric: 'resolution',
      appliesTo: {},
      targets: { P1: '1h', P2: '1h', P3: '1h', P4: '1h', P5: '1h' },
      calendar: '24x7',
      stop: { states: ['resolved'] },
      warnings: [],
      actions: {},
    });
  });

  it('names a file that is not YAML, and an empty one', () => {
    write('policies/broken.yaml', 'name: [unclosed');
    write('calendars/empty.yaml', '');
    expect(problems()).toEqual([
      'calendars/empty.yaml: expected a mapping of fields (is the file empty?)',
      expect.stringMatching(/^policies\/broken\.yaml: not valid YAML: .+line 1/),
    ]);
  });

  it('names each field: bad duration, ratio out of (0,1), unknown field, unknown enum value, missing field', () => {
    write(
      'policies/bad.yaml',
      [
        'name: Bad',
        'metric: resolve',
        'appliesTo: { kinds: [incidnet], priority: [P1] }',
        "targets: { P1: '1.5h', P2: 1h, P3: 1h, P4: 1h, P5: 1h }",
        'calendar: 24x7',
        'warnings: [0.5, 1.2]',
        'actions: { breach: [{ type: page_everyone }, { type: reassign }] }',
      ].join('\n'),
    );
    expect(problems()).toEqual([
      'policies/bad.yaml: metric: must be one of response, resolution',
      'policies/bad.yaml: appliesTo.kinds[0]: must be one of incident, request, change, problem',
      'policies/bad.yaml: appliesTo: unknown field(s) priority: remove or fix the spelling',
      "policies/bad.yaml: targets.P1: '1.5h' is not a duration: write whole numbers with units d h m s in that order, e.g. '4h', '1d 12h', '30m'",
      'policies/bad.yaml: stop: is required (object)',
      'policies/bad.yaml: warnings[1]: must be between 0 and 1 (exclusive), e.g. 0.75',
      'policies/bad.yaml: actions.breach[0].type: unknown action: use { type: notify_assignee | notify_group_manager | raise_priority } or { type: reassign, group: <group> }',
      'policies/bad.yaml: actions.breach[1].group: is required (string)',
    ]);
  });

  it('checks references and consistency: calendar, target coverage, warning keys, overlapping states, id', () => {
    write(
      'policies/inconsistent.yaml',
      [
        'id: something-else',
        'name: Inconsistent',
        'metric: resolution',
        'appliesTo: { priorities: [P1, P2] }',
        'targets: { P1: 1h, P3: 1h }',
        'calendar: office',
        'pause: { states: [on_hold] }',
        'stop: { states: [resolved, on_hold] }',
        'cancel: { states: [resolved] }',
        'warnings: [0.5, 0.5]',
        "actions: { warning: { '0.9': [{ type: notify_assignee }] } }",
      ].join('\n'),
    );
    expect(problems()).toEqual([
      "policies/inconsistent.yaml: id: 'something-else' must equal the file name 'inconsistent' (or leave it out)",
      "policies/inconsistent.yaml: calendar: no calendar 'office': use one of 24x7, business-hours or add sla/calendars/office.yaml",
      'policies/inconsistent.yaml: targets: no target for P2: add them, or narrow appliesTo.priorities',
      'policies/inconsistent.yaml: targets.P3: never used: appliesTo.priorities leaves P3 out; remove it',
      'policies/inconsistent.yaml: warnings: lists a ratio twice',
      "policies/inconsistent.yaml: actions.warning.0.9: '0.9' is not one of warnings [0.5, 0.5]: add it there or fix the key",
      'policies/inconsistent.yaml: stop/cancel: resolved listed in both: a state can do only one thing to the clock',
      'policies/inconsistent.yaml: pause/stop: on_hold listed in both: a state can do only one thing to the clock',
    ]);
  });

  it('normalises warning keys to the ratio (0.50 → 0.5)', () => {
    edit('policies/request-fulfilment.yaml', '"0.75":', '"0.750":');
    const p = loadSlaCatalog(dir).policies.find((x) => x.id === 'request-fulfilment')!;
    expect(Object.keys(p.actions.warning!)).toEqual(['0.75']);
  });

  it('rejects unknown calendar fields and weekdays, half ranges and dates that are not text', () => {
    edit('calendars/business-hours.yaml', 'holidays:', 'holiday: []\nholidays:');
    write('calendars/night.yaml', 'timeZone: UTC\nweek: { mon: [["22:00"]], funday: [] }\nholidays: [20260101]');
    expect(problems()).toEqual([
      'calendars/business-hours.yaml: (top level): unknown field(s) holiday: remove or fix the spelling',
      "calendars/night.yaml: week.mon[0]: write a range as a pair of quoted times, e.g. ['08:00', '18:00']",
      'calendars/night.yaml: week: unknown field(s) funday: remove or fix the spelling',
      "calendars/night.yaml: holidays[0]: write dates as quoted 'YYYY-MM-DD'",
    ]);
  });

  it('reports calendar problems from validateCalendar, each with its file', () => {
    edit('calendars/business-hours.yaml', 'Europe/London', 'Europe/Londres');
    edit('calendars/business-hours.yaml', '  tue: [["08:00", "18:00"]]', '  tue: [["08:00", "12:00"], ["11:00", "18:00"]]');
    write('calendars/night.yaml', 'timeZone: UTC\nweek: { mon: [["22:00", "06:00"]] }\nholidays: ["2026-13-01"]');
    expect(problems()).toEqual([
      "calendars/business-hours.yaml: unknown time zone 'Europe/Londres'",
      'calendars/business-hours.yaml: tue: overlapping ranges',
      'calendars/night.yaml: mon: reversed or empty range 22:00–06:00',
      "calendars/night.yaml: bad holiday date '2026-13-01'",
    ]);
  });

  it('an id used twice (.yaml and .yml) is reported once with both files', () => {
    write('policies/incident-response.yml', policy());
    expect(problems()).toEqual([expect.stringMatching(/^policies\/incident-response\.yml: id 'incident-response' is already used by .*incident-response\.yaml; rename one of them$/)]);
  });

  it('collects the problems of every file in one error whose message lists them', () => {
    write('policies/a.yaml', policy('order: 1.5'));
    write('policies/b.yaml', policy('colour: blue'));
    let message = '';
    try {
      loadSlaCatalog(dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid SLA catalog \(2 problems\):\n {2}.*a\.yaml: order: must be a whole number\n {2}.*b\.yaml: \(top level\): unknown field\(s\) colour/);
  });

  it('a missing catalog folder is an error; missing sla folders mean no SLAs', () => {
    expect(() => loadSlaCatalog(path.join(dir, 'nowhere'))).toThrow(/catalog folder not found/);
    fs.rmSync(path.join(dir, 'sla'), { recursive: true });
    expect(loadSlaCatalog(dir)).toEqual({ policies: [], calendars: {} });
  });
});
