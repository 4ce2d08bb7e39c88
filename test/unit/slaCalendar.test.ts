import {
  ALWAYS,
  addBusinessMs,
  type BusinessCalendar,
  businessMsBetween,
  validateCalendar,
  workingIntervals,
  zoneOffsetMs,
} from '../../domain/sla/calendar';

const H = 3_600_000;
const d = (s: string) => new Date(s);
const iso = (x: Date) => x.toISOString();
const spans = (xs: Array<{ start: Date; end: Date }>) => xs.map((x) => [iso(x.start), iso(x.end)]);

const NINE_TO_FIVE: Array<[string, string]> = [['09:00', '17:00']];
const weekdays = (zone: string, hours = NINE_TO_FIVE): BusinessCalendar => ({
  timeZone: zone,
  week: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  holidays: [],
});
const allWeek = (zone: string, hours: Array<[string, string]>): BusinessCalendar => ({
  timeZone: zone,
  week: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours },
  holidays: [],
});

const paris = weekdays('Europe/Paris');
// Ascension (Thu 14 May 2026) and the bridge Friday off; Fri 8 May is a holiday too;
// Saturday 9 May morning is worked to make up for the bridge.
const parisMay: BusinessCalendar = {
  ...paris,
  holidays: ['2026-05-08', '2026-05-14', '2026-05-15'],
  makeUpDays: [{ date: '2026-05-09', hours: [['09:00', '13:00']] }],
};

describe('validateCalendar', () => {
  it('accepts the standard calendars', () => {
    expect(validateCalendar(paris)).toEqual([]);
    expect(validateCalendar(parisMay)).toEqual([]);
    expect(validateCalendar(ALWAYS)).toEqual([]);
  });

  it('names every problem', () => {
    const problems = validateCalendar({
      timeZone: 'Mars/Olympus',
      week: { mon: [['09:00', '12:00'], ['11:00', '14:00']], tue: [['17:00', '09:00']], wed: [['9:00', '25:00']] },
      holidays: ['2026-13-01'],
      makeUpDays: [{ date: '2026-05-14', hours: [['24:00', '24:00']] }],
    });
    expect(problems).toEqual([
      "unknown time zone 'Mars/Olympus'",
      'mon: overlapping ranges',
      'tue: reversed or empty range 17:00–09:00',
      'wed: bad time range 9:00–25:00',
      "bad holiday date '2026-13-01'",
      '2026-05-14: bad time range 24:00–24:00',
    ]);
  });

  it('flags a date that is both holiday and make-up day; arithmetic refuses invalid calendars', () => {
    const cal = { ...parisMay, holidays: ['2026-05-09'] };
    expect(validateCalendar(cal)).toEqual(['2026-05-09 is both a holiday and a make-up day']);
    expect(() => businessMsBetween(cal, d('2026-05-01T00:00Z'), d('2026-05-02T00:00Z'))).toThrow(/invalid business calendar/);
  });
});

describe('zoneOffsetMs', () => {
  it('reads CET/CEST and EST/EDT', () => {
    expect(zoneOffsetMs('Europe/Paris', Date.parse('2026-01-15T12:00Z'))).toBe(1 * H);
    expect(zoneOffsetMs('Europe/Paris', Date.parse('2026-07-15T12:00Z'))).toBe(2 * H);
    expect(zoneOffsetMs('America/New_York', Date.parse('2026-01-15T12:00Z'))).toBe(-5 * H);
    expect(zoneOffsetMs('America/New_York', Date.parse('2026-07-15T12:00Z'))).toBe(-4 * H);
  });
});

describe('workingIntervals, Mon–Fri 09:00–17:00 Europe/Paris (CEST = UTC+2)', () => {
  it('skips the weekend', () => {
    // Fri 5 June 2026 12:00 local → Tue 9 June 00:00 local
    expect(spans(workingIntervals(paris, d('2026-06-05T10:00Z'), d('2026-06-08T22:00Z')))).toEqual([
      ['2026-06-05T10:00:00.000Z', '2026-06-05T15:00:00.000Z'],
      ['2026-06-08T07:00:00.000Z', '2026-06-08T15:00:00.000Z'],
    ]);
  });

  it('skips holidays and works the make-up Saturday', () => {
    // Thu 7 May → Mon 11 May 2026 (local midnights)
    expect(spans(workingIntervals(parisMay, d('2026-05-06T22:00Z'), d('2026-05-10T22:00Z')))).toEqual([
      ['2026-05-07T07:00:00.000Z', '2026-05-07T15:00:00.000Z'],
      ['2026-05-09T07:00:00.000Z', '2026-05-09T11:00:00.000Z'],
    ]);
  });

  it('returns nothing for an empty or reversed range', () => {
    expect(workingIntervals(paris, d('2026-06-08T10:00Z'), d('2026-06-08T10:00Z'))).toEqual([]);
    expect(businessMsBetween(paris, d('2026-06-08T12:00Z'), d('2026-06-08T10:00Z'))).toBe(0);
  });

  it('merges adjacent ranges and a 24×7 week into one interval', () => {
    const split = weekdays('Europe/Paris', [['09:00', '12:00'], ['12:00', '17:00']]);
    expect(spans(workingIntervals(split, d('2026-06-08T00:00Z'), d('2026-06-09T00:00Z')))).toEqual([
      ['2026-06-08T07:00:00.000Z', '2026-06-08T15:00:00.000Z'],
    ]);
    expect(spans(workingIntervals(ALWAYS, d('2026-06-01T00:00Z'), d('2026-06-30T00:00Z')))).toEqual([
      ['2026-06-01T00:00:00.000Z', '2026-06-30T00:00:00.000Z'],
    ]);
  });
});

describe('businessMsBetween and addBusinessMs, Europe/Paris', () => {
  it('a 4 h target opened Friday 16:00 is due Monday 12:00 local', () => {
    const due = addBusinessMs(paris, d('2026-06-05T16:00+02:00'), 4 * H);
    expect(iso(due)).toBe('2026-06-08T10:00:00.000Z');
    expect(businessMsBetween(paris, d('2026-06-05T16:00+02:00'), due)).toBe(4 * H);
  });

  it('an 8 h target opened Wednesday 15:00 before Ascension and the bridge is due Monday 15:00', () => {
    expect(iso(addBusinessMs(parisMay, d('2026-05-13T15:00+02:00'), 8 * H))).toBe('2026-05-18T13:00:00.000Z');
  });

  it('a 4 h target opened Thursday 16:00 before a holiday is due on the make-up Saturday at 12:00', () => {
    expect(iso(addBusinessMs(parisMay, d('2026-05-07T16:00+02:00'), 4 * H))).toBe('2026-05-09T10:00:00.000Z');
    expect(businessMsBetween(parisMay, d('2026-05-07T00:00+02:00'), d('2026-05-11T00:00+02:00'))).toBe(12 * H);
  });

  it('ends exactly at the close of business rather than next morning', () => {
    expect(iso(addBusinessMs(paris, d('2026-06-08T09:00+02:00'), 8 * H))).toBe('2026-06-08T15:00:00.000Z');
  });

  it('ms = 0 returns `from` itself, even outside working time', () => {
    expect(iso(addBusinessMs(paris, d('2026-06-06T03:00Z'), 0))).toBe('2026-06-06T03:00:00.000Z');
  });

  it('ms > 0 from outside working time starts at the next opening', () => {
    expect(iso(addBusinessMs(paris, d('2026-06-06T03:00Z'), 1))).toBe('2026-06-08T07:00:00.001Z');
  });

  it('crosses spring-forward: Fri 27 March 16:00 CET + 4 h → Mon 30 March 12:00 CEST', () => {
    expect(iso(addBusinessMs(paris, d('2026-03-27T16:00+01:00'), 4 * H))).toBe('2026-03-30T10:00:00.000Z');
  });

  it('rejects negative durations and gives up on calendars with no working time', () => {
    expect(() => addBusinessMs(paris, d('2026-06-08T00:00Z'), -1)).toThrow(/>= 0/);
    const never: BusinessCalendar = { timeZone: 'Europe/Paris', week: {}, holidays: [] };
    expect(() => addBusinessMs(never, d('2026-06-08T00:00Z'), H)).toThrow('calendar has no working time within 2 years');
  });

  it('supports long targets on a 24×7 calendar (more than 2 years)', () => {
    expect(iso(addBusinessMs(ALWAYS, d('2026-01-01T00:00Z'), 1000 * 24 * H))).toBe('2028-09-27T00:00:00.000Z');
  });
});

describe('DST, Europe/Paris 24×7', () => {
  const cal = allWeek('Europe/Paris', [['00:00', '24:00']]);

  it('the spring-forward day 2026-03-29 has 23 hours, the fall-back day 2026-10-25 has 25', () => {
    expect(businessMsBetween(cal, d('2026-03-29T00:00+01:00'), d('2026-03-30T00:00+02:00'))).toBe(23 * H);
    expect(businessMsBetween(cal, d('2026-10-25T00:00+02:00'), d('2026-10-26T00:00+01:00'))).toBe(25 * H);
    // 24 h of 24×7 business time from local midnight ends at 01:00 CEST the next day
    expect(iso(addBusinessMs(cal, d('2026-03-29T00:00+01:00'), 24 * H))).toBe('2026-03-29T23:00:00.000Z');
  });

  it('a 01:00–04:00 range lasts 2 h on spring-forward and 4 h on fall-back', () => {
    const night = allWeek('Europe/Paris', [['01:00', '04:00']]);
    expect(spans(workingIntervals(night, d('2026-03-29T00:00+01:00'), d('2026-03-30T00:00+02:00')))).toEqual([
      ['2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z'],
    ]);
    expect(spans(workingIntervals(night, d('2026-10-25T00:00+02:00'), d('2026-10-26T00:00+01:00')))).toEqual([
      ['2026-10-24T23:00:00.000Z', '2026-10-25T03:00:00.000Z'],
    ]);
  });

  it('a boundary in the gap moves to the jump; one in the repeated hour takes its first occurrence', () => {
    const late = allWeek('Europe/Paris', [['02:30', '04:00']]);
    expect(spans(workingIntervals(late, d('2026-03-29T00:00+01:00'), d('2026-03-30T00:00+02:00')))).toEqual([
      ['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z'],
    ]);
    expect(spans(workingIntervals(late, d('2026-10-25T00:00+02:00'), d('2026-10-26T00:00+01:00')))).toEqual([
      ['2026-10-25T00:30:00.000Z', '2026-10-25T03:00:00.000Z'],
    ]);
  });
});

describe('DST, America/New_York', () => {
  const cal = allWeek('America/New_York', [['00:00', '24:00']]);
  const ny = weekdays('America/New_York');

  it('2026-03-08 has 23 hours and 2026-11-01 has 25', () => {
    expect(businessMsBetween(cal, d('2026-03-08T00:00-05:00'), d('2026-03-09T00:00-04:00'))).toBe(23 * H);
    expect(businessMsBetween(cal, d('2026-11-01T00:00-04:00'), d('2026-11-02T00:00-05:00'))).toBe(25 * H);
  });

  it('Friday 16:00 + 4 business hours → Monday 12:00 local across both changes', () => {
    expect(iso(addBusinessMs(ny, d('2026-03-06T16:00-05:00'), 4 * H))).toBe('2026-03-09T16:00:00.000Z');
    expect(iso(addBusinessMs(ny, d('2026-10-30T16:00-04:00'), 4 * H))).toBe('2026-11-02T17:00:00.000Z');
  });
});
