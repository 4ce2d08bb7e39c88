import type { MaintenanceWindow } from '../../../domain/alert/maintenance';
import { maintenanceCalendar, occurrencesBetween } from '../../../domain/alert/maintenanceCalendar';

// 2026-06-01 is a Monday. Europe/Paris is UTC+1 in winter and UTC+2 from 2026-03-29 03:00 local.
const week = ['2026-06-01T00:00:00.000Z', '2026-06-08T00:00:00.000Z'] as const;

function window(over: Partial<MaintenanceWindow>): MaintenanceWindow {
  return { id: 'mw', title: 'Patch', scope: { cis: ['srv-1'] }, startsAt: '2026-06-01T20:00:00.000Z', endsAt: '2026-06-01T23:00:00.000Z', createdBy: 'ops', ...over };
}

describe('a one-off window', () => {
  test('is one occurrence, whole, when it overlaps the span', () => {
    expect(occurrencesBetween(window({}), ...week)).toEqual([{ startsAt: '2026-06-01T20:00:00.000Z', endsAt: '2026-06-01T23:00:00.000Z' }]);
    expect(occurrencesBetween(window({}), '2026-06-01T21:00:00.000Z', '2026-06-01T22:00:00.000Z')).toEqual([{ startsAt: '2026-06-01T20:00:00.000Z', endsAt: '2026-06-01T23:00:00.000Z' }]);
  });

  test('is none when it lies outside, touching included (ends are exclusive)', () => {
    expect(occurrencesBetween(window({}), '2026-06-01T23:00:00.000Z', '2026-06-02T00:00:00.000Z')).toEqual([]);
    expect(occurrencesBetween(window({}), '2026-06-01T00:00:00.000Z', '2026-06-01T20:00:00.000Z')).toEqual([]);
  });

  test('ended before it began (ended while pending) it never happens', () => {
    expect(occurrencesBetween(window({ endsAt: '2026-06-01T20:00:00.000Z' }), ...week)).toEqual([]);
  });

  test('without an end it does not end', () => {
    expect(occurrencesBetween({ startsAt: '2026-05-01T00:00:00.000Z' }, ...week)).toEqual([{ startsAt: '2026-05-01T00:00:00.000Z', endsAt: null }]);
  });
});

describe('a recurring window', () => {
  const sundays = window({ startsAt: '2026-03-01T00:00:00.000Z', endsAt: undefined, recurrence: { timeZone: 'Europe/Paris', windows: [{ days: ['sun'], start: '02:00', end: '04:00' }] } });

  test('every Sunday 02:00–04:00 Paris, across the spring change: the skipped hour shortens one', () => {
    expect(occurrencesBetween(sundays, '2026-03-16T00:00:00.000Z', '2026-04-06T00:00:00.000Z')).toEqual([
      { startsAt: '2026-03-22T01:00:00.000Z', endsAt: '2026-03-22T03:00:00.000Z' }, // 02:00–04:00 CET
      { startsAt: '2026-03-29T01:00:00.000Z', endsAt: '2026-03-29T02:00:00.000Z' }, // 02:00 does not exist: from the jump to 04:00 CEST
      { startsAt: '2026-04-05T00:00:00.000Z', endsAt: '2026-04-05T02:00:00.000Z' }, // 02:00–04:00 CEST
    ]);
  });

  test('a window past midnight that began before the span is given whole', () => {
    const nights = window({ startsAt: '2026-05-01T00:00:00.000Z', endsAt: undefined, recurrence: { timeZone: 'UTC', windows: [{ days: ['sun'], start: '22:00', end: '02:00' }] } });
    expect(occurrencesBetween(nights, ...week)).toEqual([
      { startsAt: '2026-05-31T22:00:00.000Z', endsAt: '2026-06-01T02:00:00.000Z' },
      { startsAt: '2026-06-07T22:00:00.000Z', endsAt: '2026-06-08T02:00:00.000Z' },
    ]);
  });

  test("the window's own start and end cut its occurrences", () => {
    const office = window({ startsAt: '2026-06-03T12:00:00.000Z', endsAt: '2026-06-05T10:00:00.000Z', recurrence: { timeZone: 'UTC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }] } });
    expect(occurrencesBetween(office, ...week)).toEqual([
      { startsAt: '2026-06-03T12:00:00.000Z', endsAt: '2026-06-03T17:00:00.000Z' },
      { startsAt: '2026-06-04T09:00:00.000Z', endsAt: '2026-06-04T17:00:00.000Z' },
      { startsAt: '2026-06-05T09:00:00.000Z', endsAt: '2026-06-05T10:00:00.000Z' },
    ]);
  });

  test('touching windows on two days are one occurrence', () => {
    const weekend = window({ startsAt: '2026-05-01T00:00:00.000Z', endsAt: undefined, recurrence: { timeZone: 'UTC', windows: [{ days: ['sat', 'sun'], start: '00:00', end: '24:00' }] } });
    expect(occurrencesBetween(weekend, ...week)).toEqual([{ startsAt: '2026-06-06T00:00:00.000Z', endsAt: '2026-06-08T00:00:00.000Z' }]);
  });

  test('at most `max` occurrences', () => {
    const daily = window({ startsAt: '2026-05-01T00:00:00.000Z', endsAt: undefined, recurrence: { timeZone: 'UTC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '01:00', end: '02:00' }] } });
    expect(occurrencesBetween(daily, ...week)).toHaveLength(7);
    expect(occurrencesBetween(daily, ...week, 3).map((o) => o.startsAt)).toEqual(['2026-06-01T01:00:00.000Z', '2026-06-02T01:00:00.000Z', '2026-06-03T01:00:00.000Z']);
  });
});

test('the calendar: every window, by start, marked recurring or not; cut at max and says so', () => {
  const oneOff = window({ id: 'a', title: 'Swap disk' });
  const nightly = window({ id: 'b', title: 'Backups', startsAt: '2026-05-01T00:00:00.000Z', endsAt: undefined, recurrence: { timeZone: 'UTC', windows: [{ days: ['mon', 'tue'], start: '20:00', end: '21:00' }] } });
  const { entries, truncated } = maintenanceCalendar([oneOff, nightly], ...week);
  expect(truncated).toBe(false);
  expect(entries).toEqual([
    { window: 'b', title: 'Backups', recurring: true, startsAt: '2026-06-01T20:00:00.000Z', endsAt: '2026-06-01T21:00:00.000Z' },
    { window: 'a', title: 'Swap disk', recurring: false, startsAt: '2026-06-01T20:00:00.000Z', endsAt: '2026-06-01T23:00:00.000Z' },
    { window: 'b', title: 'Backups', recurring: true, startsAt: '2026-06-02T20:00:00.000Z', endsAt: '2026-06-02T21:00:00.000Z' },
  ]);
  const cut = maintenanceCalendar([oneOff, nightly], ...week, 2);
  expect(cut.truncated).toBe(true);
  expect(cut.entries).toHaveLength(2);
});
