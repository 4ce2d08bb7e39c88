import {
  describeRecurrence,
  isActive,
  nextTimeframeChange,
  nextWindow,
  parseInstant,
  type Recurrence,
  type Silence,
  silencedBy,
  silenceState,
  type Timeframe,
  timeframeActive,
  timeframeNextWindow,
  timeframeState,
  validateSilence,
  type Weekday,
} from '../../../domain/alert/silence';

const H = 3_600_000;
const MIN = 60_000;
const ms = (iso: string) => Date.parse(iso);
const EVERY_DAY: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const sundayNights = (timeZone: string, start = '02:00', end = '04:00'): Recurrence => ({ timeZone, windows: [{ days: ['sun'], start, end }] });

function silence(over: Partial<Silence> = {}): Silence {
  return {
    id: 's1',
    matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }],
    startsAt: '2025-01-01T00:00:00.000Z',
    endsAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'alice',
    comment: 'CHG0000042 disk migration',
    ...over,
  };
}

const window = (tf: Timeframe, at: string) => timeframeNextWindow(tf, at);

const formats = new Map<string, Intl.DateTimeFormat>();

/** The local weekday and minutes since midnight of an instant, straight from Intl: what an operator reads on a wall clock. */
function wallClock(timeZone: string, t: number): { day: Weekday; minutes: number } {
  if (!formats.has(timeZone)) formats.set(timeZone, new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
  const parts = formats.get(timeZone)!.formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: get('weekday').toLowerCase().slice(0, 3) as Weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

describe('validateSilence', () => {
  const base = { matchers: '{alertname="DiskFull", env=~"prod|dr"}', startsAt: '2025-06-01T08:00:00+02:00', endsAt: '2025-06-01T12:00:00+02:00', createdBy: 'alice', comment: 'CHG0000042' };

  test('a valid silence comes back with matchers as data and times in UTC', () => {
    expect(validateSilence(base)).toEqual({
      ok: true,
      silence: {
        matchers: [
          { name: 'alertname', op: '=', value: 'DiskFull' },
          { name: 'env', op: '=~', value: 'prod|dr' },
        ],
        startsAt: '2025-06-01T06:00:00.000Z',
        endsAt: '2025-06-01T10:00:00.000Z',
        createdBy: 'alice',
        comment: 'CHG0000042',
      },
    });
  });

  test('matchers as a list of single matchers, or as data', () => {
    const fromLines = validateSilence({ ...base, matchers: ['alertname = DiskFull', 'env=~"prod|dr"'] });
    const fromData = validateSilence({ ...base, matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }, { name: 'env', op: '=~', value: 'prod|dr' }] });
    expect(fromLines).toEqual(validateSilence(base));
    expect(fromData).toEqual(validateSilence(base));
  });

  test('matcher problems have paths, and syntax errors say where', () => {
    expect(validateSilence({ ...base, matchers: 'alertname=DiskFull, env=~"(prod"' })).toEqual({
      ok: false,
      problems: [{ path: 'matchers', message: expect.stringMatching(/^invalid regular expression in the value at character 26: missing closing \)/) }],
    });
    expect(validateSilence({ ...base, matchers: ['alertname=DiskFull', 'env=prod dr'] })).toEqual({
      ok: false,
      problems: [{ path: 'matchers[1]', message: expect.stringMatching(/found "dr" at character 10/) }],
    });
    expect(validateSilence({ ...base, matchers: [{ name: 'env', op: '~', value: 'x' }] })).toEqual({ ok: false, problems: [{ path: 'matchers[0].op', message: 'must be one of = != =~ !~' }] });
    expect(validateSilence({ ...base, matchers: [] })).toEqual({ ok: false, problems: [{ path: 'matchers', message: 'at least one matcher is needed' }] });
    expect(validateSilence({ ...base, matchers: '{}' })).toEqual({ ok: false, problems: [{ path: 'matchers', message: 'at least one matcher is needed' }] });
    expect(validateSilence({ ...base, matchers: 42 })).toMatchObject({ ok: false, problems: [{ path: 'matchers' }] });
  });

  test.each(['env=""', 'env=~".*"', '{env="", job=~"|x"}', 'job=~"(?s).*"'])('a silence that would match every alert is refused: %s', (matchers) => {
    expect(validateSilence({ ...base, matchers })).toEqual({ ok: false, problems: [{ path: 'matchers', message: expect.stringMatching(/^every matcher matches the empty string/) }] });
  });

  test.each(['env!="prod"', 'env!~"prod"', '{env="", job!=""}', 'env=~".+"'])("what Alertmanager accepts is accepted: %s", (matchers) => {
    expect(validateSilence({ ...base, matchers }).ok).toBe(true);
  });

  test('times: zone required, real dates, end after start, not ending in the past when created', () => {
    const problems = (over: Record<string, unknown>, now?: string) => {
      const result = validateSilence({ ...base, ...over }, now ? { now } : {});
      return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems({ startsAt: '2025-06-01T08:00:00' })).toEqual(['startsAt: must be an ISO 8601 time with a zone, e.g. 2026-03-29T02:00:00+02:00 or 2026-03-29T00:00:00Z']);
    expect(problems({ startsAt: '2025-02-30T08:00:00Z' })).toHaveLength(1);
    expect(problems({ endsAt: undefined })).toEqual([expect.stringMatching(/^endsAt: must be an ISO 8601 time/)]);
    expect(problems({ endsAt: base.startsAt })).toEqual(['endsAt: must be after startsAt']);
    expect(problems({ endsAt: '2025-06-01T07:00:00+02:00' })).toEqual(['endsAt: must be after startsAt']);
    expect(problems({}, '2025-06-01T11:00:00Z')).toEqual(['endsAt: is in the past: a new one must end in the future']);
    expect(problems({}, '2025-06-01T09:59:59Z')).toEqual([]);
  });

  test('who, why and unknown fields', () => {
    expect(validateSilence({ ...base, createdBy: ' ', comment: '', owner: 'bob' })).toEqual({
      ok: false,
      problems: [
        { path: 'owner', message: 'unknown field; a silence has id, matchers, startsAt, endsAt, createdBy, comment, recurrence' },
        { path: 'createdBy', message: 'must name who creates the silence' },
        { path: 'comment', message: 'must say why (a ticket number, a change, a reason)' },
      ],
    });
    expect(validateSilence('env=prod')).toMatchObject({ ok: false, problems: [{ path: '' }] });
  });

  test('recurrence problems have paths', () => {
    const result = validateSilence({
      ...base,
      endsAt: '2025-12-31T00:00:00Z',
      recurrence: { timeZone: 'Europe/Pariss', windows: [{ days: ['sun', 'sunday', 'sun'], start: '24:00', end: '2:00' }, { days: [], start: '02:00', end: '02:00', every: 2 }], weeks: 2 },
    });
    expect(result.ok ? [] : result.problems).toEqual([
      { path: 'recurrence.weeks', message: 'unknown field; a recurrence has timeZone and windows' },
      { path: 'recurrence.timeZone', message: "unknown time zone 'Europe/Pariss': use an IANA name such as Europe/Paris or UTC" },
      { path: 'recurrence.windows[0].days[1]', message: 'must be one of mon, tue, wed, thu, fri, sat, sun' },
      { path: 'recurrence.windows[0].days', message: 'names a day twice' },
      { path: 'recurrence.windows[0].start', message: "must be a local time 'HH:MM'" },
      { path: 'recurrence.windows[0].end', message: "must be a local time 'HH:MM' ('24:00' for midnight)" },
      { path: 'recurrence.windows[1].every', message: 'unknown field; a window has days, start and end' },
      { path: 'recurrence.windows[1].days', message: 'must list days: mon, tue, wed, thu, fri, sat, sun' },
    ]);
    expect(validateSilence({ ...base, recurrence: { timeZone: 'UTC', windows: [{ days: ['mon'], start: '02:00', end: '02:00' }] } })).toMatchObject({
      ok: false,
      problems: [{ path: 'recurrence.windows[0].end', message: "equals start; for a whole day write start '00:00' and end '24:00'" }],
    });
    expect(validateSilence({ ...base, recurrence: { timeZone: 'UTC', windows: [] } })).toMatchObject({ ok: false, problems: [{ path: 'recurrence.windows' }] });
  });

  test('a recurrence with no window between startsAt and endsAt is refused', () => {
    // Sunday 1 June 2025, 08:00–12:00 Paris; the window is Sunday night
    expect(validateSilence({ ...base, recurrence: sundayNights('Europe/Paris') })).toEqual({
      ok: false,
      problems: [{ path: 'recurrence', message: 'no window of it falls between startsAt and endsAt, so it would never apply' }],
    });
    const recurrence = sundayNights('Europe/Paris');
    const valid = validateSilence({ ...base, endsAt: '2025-06-30T00:00:00Z', recurrence });
    // a copy: what is cached per recurrence object must not change under the caller's edits
    expect(valid).toMatchObject({ ok: true, silence: { recurrence } });
    expect(valid.ok && valid.silence.recurrence).not.toBe(recurrence);
  });
});

describe('one-off silences', () => {
  const s = silence({ startsAt: '2025-06-01T08:00:00.000Z', endsAt: '2025-06-01T10:00:00.000Z' });

  test('pending, active, expired; [startsAt, endsAt) is half-open', () => {
    expect(silenceState(s, '2025-06-01T07:59:59.999Z')).toBe('pending');
    expect(silenceState(s, '2025-06-01T08:00:00.000Z')).toBe('active');
    expect(silenceState(s, '2025-06-01T09:59:59.999Z')).toBe('active');
    expect(silenceState(s, '2025-06-01T10:00:00.000Z')).toBe('expired');
    expect(isActive(s, '2025-06-01T08:00:00Z')).toBe(true);
    expect(isActive(s, ms('2025-06-01T10:00:00Z'))).toBe(false);
    expect(isActive(s, new Date('2025-06-01T09:00:00Z'))).toBe(true);
  });

  test('its one window', () => {
    expect(nextWindow(s, '2025-05-01T00:00:00Z')).toEqual({ startsAt: '2025-06-01T08:00:00.000Z', endsAt: '2025-06-01T10:00:00.000Z' });
    expect(nextWindow(s, '2025-06-01T09:00:00Z')).toEqual({ startsAt: '2025-06-01T08:00:00.000Z', endsAt: '2025-06-01T10:00:00.000Z' });
    expect(nextWindow(s, '2025-06-01T10:00:00Z')).toBeNull();
  });

  test('silencedBy: active silences whose matchers all hold, in order', () => {
    const silences = [
      silence({ id: 'disk', matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }] }),
      silence({ id: 'prod-only', matchers: [{ name: 'env', op: '=', value: 'prod' }] }),
      silence({ id: 'later', startsAt: '2025-07-01T00:00:00Z' }),
      silence({ id: 'over', endsAt: '2025-03-01T00:00:00Z' }),
      silence({ id: 'no-env', matchers: [{ name: 'alertname', op: '=~', value: 'Disk.*' }, { name: 'env', op: '=', value: '' }] }),
    ];
    expect(silencedBy({ alertname: 'DiskFull' }, silences, '2025-06-01T00:00:00Z')).toEqual(['disk', 'no-env']);
    expect(silencedBy({ alertname: 'DiskFull', env: 'prod' }, silences, '2025-06-01T00:00:00Z')).toEqual(['disk', 'prod-only']);
    expect(silencedBy({ alertname: 'DiskFull', env: 'prod' }, silences, '2025-07-02T00:00:00Z')).toEqual(['disk', 'prod-only', 'later']);
    expect(silencedBy({ alertname: 'CPU' }, silences, '2025-06-01T00:00:00Z')).toEqual([]);
    expect(silencedBy({ alertname: 'DiskFull' }, [silence({ matchers: [] })], '2025-06-01T00:00:00Z')).toEqual([]);
  });
});

describe('recurring silences', () => {
  const year = silence({ recurrence: sundayNights('Europe/Paris') });

  test('described the way an operator says it', () => {
    expect(describeRecurrence(sundayNights('Europe/Paris'))).toBe('every Sunday 02:00–04:00 (Europe/Paris)');
    expect(
      describeRecurrence({
        timeZone: 'America/New_York',
        windows: [
          { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '06:00' },
          { days: ['sat', 'sun'], start: '00:00', end: '24:00' },
          { days: ['wed', 'mon'], start: '12:00', end: '13:00' },
        ],
      }),
    ).toBe('every weekday 22:00–06:00 (next day); every weekend day 00:00–24:00; every Monday, Wednesday 12:00–13:00 (America/New_York)');
  });

  test('every Sunday 02:00–04:00 Paris is 00:00–02:00 UTC in summer and 01:00–03:00 UTC in winter', () => {
    expect(window(year, '2025-01-01T00:00:00Z')).toEqual({ startsAt: '2025-01-05T01:00:00.000Z', endsAt: '2025-01-05T03:00:00.000Z' });
    expect(window(year, '2025-07-01T00:00:00Z')).toEqual({ startsAt: '2025-07-06T00:00:00.000Z', endsAt: '2025-07-06T02:00:00.000Z' });
  });

  test('spring forward (30 March 2025, 02:00 → 03:00): the window lasts one hour', () => {
    expect(window(year, '2025-03-29T12:00:00Z')).toEqual({ startsAt: '2025-03-30T01:00:00.000Z', endsAt: '2025-03-30T02:00:00.000Z' });
    expect(isActive(year, '2025-03-30T00:59:59Z')).toBe(false);
    expect(isActive(year, '2025-03-30T01:00:00Z')).toBe(true);
    expect(isActive(year, '2025-03-30T01:59:59Z')).toBe(true);
    expect(isActive(year, '2025-03-30T02:00:00Z')).toBe(false);
  });

  test('fall back (26 October 2025, 03:00 → 02:00): the window lasts three hours', () => {
    expect(window(year, '2025-10-25T12:00:00Z')).toEqual({ startsAt: '2025-10-26T00:00:00.000Z', endsAt: '2025-10-26T03:00:00.000Z' });
    expect(isActive(year, '2025-10-26T02:30:00Z')).toBe(true);
    expect(isActive(year, '2025-10-26T03:00:00Z')).toBe(false);
  });

  test('a window entirely in the skipped hour does not happen that day', () => {
    const skipped = silence({ recurrence: sundayNights('Europe/Paris', '02:00', '03:00') });
    expect(window(skipped, '2025-03-29T12:00:00Z')).toEqual({ startsAt: '2025-04-06T00:00:00.000Z', endsAt: '2025-04-06T01:00:00.000Z' });
    expect(window(skipped, '2025-10-25T12:00:00Z')).toEqual({ startsAt: '2025-10-26T00:00:00.000Z', endsAt: '2025-10-26T02:00:00.000Z' });
  });

  test('it is the wall clock: a year of quarter hours against Intl, in three zones', () => {
    for (const zone of ['Europe/Paris', 'America/New_York', 'Australia/Sydney']) {
      const s = silence({ recurrence: sundayNights(zone) });
      for (let t = ms('2025-01-01T00:00:00Z'); t < ms('2026-01-01T00:00:00Z'); t += 15 * MIN) {
        const local = wallClock(zone, t);
        const expected = local.day === 'sun' && local.minutes >= 120 && local.minutes < 240;
        if (isActive(s, t) !== expected) throw new Error(`${zone} at ${new Date(t).toISOString()}: local ${local.day} ${local.minutes} min, active ${!expected}`);
      }
    }
  });

  test('a window past midnight, across DST in New York', () => {
    const nights = silence({ recurrence: { timeZone: 'America/New_York', windows: [{ days: ['sat'], start: '23:00', end: '03:00' }] } });
    // 8–9 March 2025: 02:00 EST jumps to 03:00 EDT, so 23:00 EST → 03:00 EDT is three hours
    expect(window(nights, '2025-03-08T00:00:00Z')).toEqual({ startsAt: '2025-03-09T04:00:00.000Z', endsAt: '2025-03-09T07:00:00.000Z' });
    // 1–2 November 2025: 02:00 EDT falls back to 01:00 EST, so 23:00 EDT → 03:00 EST is five hours
    expect(window(nights, '2025-11-01T00:00:00Z')).toEqual({ startsAt: '2025-11-02T03:00:00.000Z', endsAt: '2025-11-02T08:00:00.000Z' });
    // in summer, Saturday 31 May 23:00 EDT → Sunday 03:00 EDT: four hours
    expect(window(nights, '2025-06-01T00:00:00Z')).toEqual({ startsAt: '2025-06-01T03:00:00.000Z', endsAt: '2025-06-01T07:00:00.000Z' });
  });

  test('inside a window, the window is given whole; between windows the silence is pending', () => {
    expect(window(year, '2025-07-06T01:30:00Z')).toEqual({ startsAt: '2025-07-06T00:00:00.000Z', endsAt: '2025-07-06T02:00:00.000Z' });
    expect(silenceState(year, '2025-07-06T01:30:00Z')).toBe('active');
    expect(silenceState(year, '2025-07-06T02:00:00Z')).toBe('pending');
    expect(silenceState(year, '2025-07-09T12:00:00Z')).toBe('pending');
  });

  test('clipped to startsAt and endsAt; expired once no window is left', () => {
    const mid = silence({ startsAt: '2025-07-06T01:00:00Z', endsAt: '2025-07-20T01:30:00Z', recurrence: sundayNights('Europe/Paris') });
    expect(window(mid, '2025-07-01T00:00:00Z')).toEqual({ startsAt: '2025-07-06T01:00:00.000Z', endsAt: '2025-07-06T02:00:00.000Z' });
    expect(window(mid, '2025-07-19T00:00:00Z')).toEqual({ startsAt: '2025-07-20T00:00:00.000Z', endsAt: '2025-07-20T01:30:00.000Z' });
    expect(silenceState(mid, '2025-07-20T01:29:00Z')).toBe('active');
    expect(silenceState(mid, '2025-07-20T01:30:00Z')).toBe('expired');
    // after the last Sunday of 2025 and before endsAt: nothing left
    expect(silenceState(year, '2025-12-29T00:00:00Z')).toBe('expired');
    expect(nextWindow(year, '2025-12-29T00:00:00Z')).toBeNull();
    // before startsAt with no window in range
    const none = silence({ startsAt: '2025-07-07T00:00:00Z', endsAt: '2025-07-10T00:00:00Z', recurrence: sundayNights('Europe/Paris') });
    expect(silenceState(none, '2025-07-01T00:00:00Z')).toBe('expired');
  });

  test('touching and overlapping windows are one window', () => {
    const nightly = silence({ recurrence: { timeZone: 'UTC', windows: [{ days: EVERY_DAY, start: '22:00', end: '06:00' }] } });
    expect(window(nightly, '2025-05-05T23:00:00Z')).toEqual({ startsAt: '2025-05-05T22:00:00.000Z', endsAt: '2025-05-06T06:00:00.000Z' });
    const weekend = silence({
      recurrence: {
        timeZone: 'UTC',
        windows: [
          { days: ['fri'], start: '18:00', end: '24:00' },
          { days: ['sat', 'sun'], start: '00:00', end: '24:00' },
          { days: ['mon'], start: '00:00', end: '07:00' },
          { days: ['sat'], start: '10:00', end: '12:00' },
        ],
      },
    });
    expect(window(weekend, '2025-05-04T12:00:00Z')).toEqual({ startsAt: '2025-05-02T18:00:00.000Z', endsAt: '2025-05-05T07:00:00.000Z' });
    const always = silence({ startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-03-01T00:00:00Z', recurrence: { timeZone: 'Asia/Kolkata', windows: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }] } });
    expect(window(always, '2025-02-01T00:00:00Z')).toEqual({ startsAt: '2025-01-01T00:00:00.000Z', endsAt: '2025-03-01T00:00:00.000Z' });
  });

  test('a zone with a half-hour offset', () => {
    const kolkata = silence({ recurrence: { timeZone: 'Asia/Kolkata', windows: [{ days: ['mon'], start: '09:00', end: '09:30' }] } });
    expect(window(kolkata, '2025-06-01T00:00:00Z')).toEqual({ startsAt: '2025-06-02T03:30:00.000Z', endsAt: '2025-06-02T04:00:00.000Z' });
  });

  test('answers do not depend on the order instants are asked in (the window cache)', () => {
    const instants = Array.from({ length: 400 }, (_, i) => ms('2025-01-01T00:00:00Z') + ((i * 7919) % 400) * 21 * H);
    const fresh = (t: number) => timeframeActive({ ...year, recurrence: sundayNights('Europe/Paris') }, t);
    for (const t of instants) expect([t, isActive(year, t)]).toEqual([t, fresh(t)]);
  });

  test('an open-ended timeframe (maintenance windows) has windows forever', () => {
    const standing: Timeframe = { startsAt: '2025-01-01T00:00:00Z', recurrence: sundayNights('Europe/Paris') };
    expect(timeframeNextWindow(standing, '2031-06-02T00:00:00Z')).toEqual({ startsAt: '2031-06-08T00:00:00.000Z', endsAt: '2031-06-08T02:00:00.000Z' });
    expect(timeframeState(standing, '2031-06-02T00:00:00Z')).toBe('pending');
    expect(timeframeNextWindow({ startsAt: '2025-01-01T00:00:00Z' }, '2030-01-01T00:00:00Z')).toEqual({ startsAt: '2025-01-01T00:00:00.000Z', endsAt: null });
  });
});

describe('parseInstant', () => {
  test.each([
    ['2025-06-01T08:00:00Z', ms('2025-06-01T08:00:00Z')],
    ['2025-06-01T08:00Z', ms('2025-06-01T08:00:00Z')],
    ['2025-06-01T08:00:00.123+02:00', ms('2025-06-01T06:00:00.123Z')],
    ['2024-02-29T00:00:00Z', ms('2024-02-29T00:00:00Z')],
    ['2025-02-29T00:00:00Z', null],
    ['2025-06-01T24:00:00Z', null],
    ['2025-06-01 08:00:00Z', null],
    ['2025-06-01T08:00:00', null],
    ['tomorrow', null],
  ])('%s', (text, expected) => {
    expect(parseInstant(text)).toBe(expected);
  });
});

describe('nextTimeframeChange: when suppression must be looked at again', () => {
  const oneOff = silence({ startsAt: '2025-06-01T10:00:00Z', endsAt: '2025-06-01T12:00:00Z' });
  const sundays = silence({ recurrence: sundayNights('Europe/Paris') });

  test('the start of a pending timeframe, the end of an active one, the soonest of several', () => {
    expect(nextTimeframeChange([oneOff], '2025-06-01T09:00:00Z')).toBe(ms('2025-06-01T10:00:00Z'));
    expect(nextTimeframeChange([oneOff], '2025-06-01T10:00:00Z')).toBe(ms('2025-06-01T12:00:00Z'));
    // Sunday 1 June 2025 02:00–04:00 Paris is 00:00–02:00 UTC: inside it, the next change is its end.
    expect(nextTimeframeChange([sundays], '2025-06-01T01:00:00Z')).toBe(ms('2025-06-01T02:00:00Z'));
    expect(nextTimeframeChange([sundays, oneOff], '2025-06-01T03:00:00Z')).toBe(ms('2025-06-01T10:00:00Z'));
    expect(nextTimeframeChange([sundays, oneOff], '2025-06-01T13:00:00Z')).toBe(ms('2025-06-08T00:00:00Z'));
  });

  test('none once everything has ended; an open-ended window changes only when it starts', () => {
    expect(nextTimeframeChange([oneOff], '2025-06-01T12:00:00Z')).toBeNull();
    expect(nextTimeframeChange([], '2025-06-01T12:00:00Z')).toBeNull();
    const standing: Timeframe = { startsAt: '2025-06-02T00:00:00Z' };
    expect(nextTimeframeChange([standing], '2025-06-01T00:00:00Z')).toBe(ms('2025-06-02T00:00:00Z'));
    expect(nextTimeframeChange([standing], '2025-06-03T00:00:00Z')).toBeNull();
  });
});
