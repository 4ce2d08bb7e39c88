import { type BusinessCalendar } from '../../domain/sla/calendar';
import {
  cancelClock,
  carryOver,
  completeClock,
  dueAt,
  elapsedBusinessMs,
  isBreached,
  nextThreshold,
  pauseClock,
  reopenClock,
  resumeClock,
  startClock,
  status,
} from '../../domain/sla/clock';

// Mon–Fri 09:00–17:00 Europe/Paris; June 2026 is CEST (UTC+2). Fri 5 June, Mon 8 June.
const H = 3_600_000;
const NINE_TO_FIVE: Array<[string, string]> = [['09:00', '17:00']];
const paris: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  week: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
  holidays: [],
};
const at = (local: string) => `${local}:00+02:00`; // 'YYYY-MM-DDTHH:MM' Paris summer time
const iso = (x: Date) => x.toISOString();

describe('SLA clock, worked examples (Paris 09:00–17:00)', () => {
  it('a 4 h target opened Friday 16:00 is due Monday 12:00 local; original due is recorded', () => {
    const c = startClock(4 * H, at('2026-06-05T16:00'), paris);
    expect(c).toEqual({
      targetMs: 4 * H,
      startedAt: '2026-06-05T14:00:00.000Z',
      stage: 'in_progress',
      pausedSpans: [],
      completedAt: null,
      originalDueAt: '2026-06-08T10:00:00.000Z',
    });
    expect(iso(dueAt(c, paris, at('2026-06-05T16:00')))).toBe('2026-06-08T10:00:00.000Z');
    expect(elapsedBusinessMs(c, paris, at('2026-06-08T10:00'))).toBe(2 * H);
    expect(status(c, paris, at('2026-06-08T10:00'))).toBe('on_track');
    expect(status(c, paris, at('2026-06-08T11:00'))).toBe('warning');
    expect(isBreached(c, paris, at('2026-06-08T11:59'))).toBe(false);
    expect(isBreached(c, paris, at('2026-06-08T12:00'))).toBe(true);
    expect(status(c, paris, at('2026-06-08T12:00'))).toBe('breached');
  });

  it('a pause from Friday 16:30 to Monday 10:00 moves the due time to Monday 13:30; the original stays', () => {
    const started = startClock(4 * H, at('2026-06-05T16:00'), paris);
    const paused = pauseClock(started, at('2026-06-05T16:30'));
    expect(paused.stage).toBe('paused');
    expect(status(paused, paris, at('2026-06-08T09:30'))).toBe('paused');
    // while paused, due is computed as if it resumed now: Mon 09:30 + 3.5 h = 13:00
    expect(iso(dueAt(paused, paris, at('2026-06-08T09:30')))).toBe('2026-06-08T11:00:00.000Z');
    expect(elapsedBusinessMs(paused, paris, at('2026-06-08T09:30'))).toBe(H / 2);
    expect(nextThreshold(paused, paris, at('2026-06-08T09:30'), [1])).toBeNull();

    const resumed = resumeClock(paused, at('2026-06-08T10:00'));
    expect(resumed.pausedSpans).toEqual([{ from: '2026-06-05T14:30:00.000Z', to: '2026-06-08T08:00:00.000Z' }]);
    expect(iso(dueAt(resumed, paris, at('2026-06-08T10:00')))).toBe('2026-06-08T11:30:00.000Z');
    expect(resumed.originalDueAt).toBe('2026-06-08T10:00:00.000Z');
    expect(elapsedBusinessMs(resumed, paris, at('2026-06-08T12:00'))).toBe(2.5 * H);
    expect(isBreached(resumed, paris, at('2026-06-08T13:29'))).toBe(false);
    expect(isBreached(resumed, paris, at('2026-06-08T13:30'))).toBe(true);
  });

  it('zero-length target: due at start and breached immediately', () => {
    const c = startClock(0, at('2026-06-08T10:00'), paris);
    expect(c.originalDueAt).toBe('2026-06-08T08:00:00.000Z');
    expect(isBreached(c, paris, at('2026-06-08T10:00'))).toBe(true);
    expect(status(c, paris, at('2026-06-08T10:00'))).toBe('breached');
    expect(nextThreshold(c, paris, at('2026-06-08T10:00'), [0.5, 1])).toBeNull();
  });

  it('already breached at start: a clock back-dated to a ticket opened Friday 16:00, first evaluated Monday', () => {
    const c = startClock(1 * H, at('2026-06-05T16:00'), paris);
    expect(iso(dueAt(c, paris, at('2026-06-08T09:00')))).toBe('2026-06-05T15:00:00.000Z'); // Fri 17:00 local
    expect(isBreached(c, paris, at('2026-06-05T16:59'))).toBe(false);
    expect(isBreached(c, paris, at('2026-06-05T17:00'))).toBe(true);
    // no working time since Friday 17:00: elapsed equals the target, the breach instant has passed
    expect(elapsedBusinessMs(c, paris, at('2026-06-08T09:00'))).toBe(1 * H);
    expect(status(c, paris, at('2026-06-08T09:00'))).toBe('breached');
    expect(nextThreshold(c, paris, at('2026-06-08T09:00'), [0.75, 1])).toBeNull();
  });

  it('completing before the due time is met, after is breached, exactly at it is met', () => {
    const c = startClock(4 * H, at('2026-06-08T09:00'), paris);
    const early = completeClock(c, at('2026-06-08T11:00'));
    expect(early).toMatchObject({ stage: 'completed', completedAt: '2026-06-08T09:00:00.000Z' });
    expect(isBreached(early, paris, at('2026-06-09T12:00'))).toBe(false);
    expect(status(early, paris, at('2026-06-09T12:00'))).toBe('completed');
    expect(elapsedBusinessMs(early, paris, at('2026-06-09T12:00'))).toBe(2 * H);

    const late = completeClock(c, at('2026-06-08T13:30'));
    expect(isBreached(late, paris, at('2026-06-09T12:00'))).toBe(true);
    expect(elapsedBusinessMs(late, paris, at('2026-06-09T12:00'))).toBe(4.5 * H);

    expect(isBreached(completeClock(c, at('2026-06-08T13:00')), paris, at('2026-06-09T12:00'))).toBe(false);
  });

  it('completing a paused clock closes the pause; a pause and a completion at the same instant → completion wins', () => {
    const c = startClock(4 * H, at('2026-06-08T09:00'), paris);
    const done = completeClock(pauseClock(c, at('2026-06-08T10:00')), at('2026-06-08T15:00'));
    expect(done.pausedSpans).toEqual([{ from: '2026-06-08T08:00:00.000Z', to: '2026-06-08T13:00:00.000Z' }]);
    expect(elapsedBusinessMs(done, paris, at('2026-06-09T09:00'))).toBe(1 * H);
    expect(isBreached(done, paris, at('2026-06-09T09:00'))).toBe(false);

    const sameInstant = completeClock(pauseClock(c, at('2026-06-08T12:00')), at('2026-06-08T12:00'));
    expect(sameInstant).toMatchObject({ stage: 'completed', completedAt: '2026-06-08T10:00:00.000Z' });
    const completedFirst = completeClock(c, at('2026-06-08T12:00'));
    expect(pauseClock(completedFirst, at('2026-06-08T12:00'))).toBe(completedFirst);
    expect(elapsedBusinessMs(sameInstant, paris, at('2026-06-09T09:00'))).toBe(3 * H);
  });

  it('a pause at the due instant does not prevent the breach', () => {
    const c = startClock(4 * H, at('2026-06-08T09:00'), paris);
    const paused = pauseClock(c, at('2026-06-08T13:00'));
    expect(isBreached(paused, paris, at('2026-06-08T14:00'))).toBe(true);
    expect(status(paused, paris, at('2026-06-08T14:00'))).toBe('breached');
  });

  it('illegal moves are no-ops returning the same clock; earlier instants are clamped', () => {
    const c = startClock(4 * H, at('2026-06-08T09:00'), paris);
    expect(resumeClock(c, at('2026-06-08T10:00'))).toBe(c);
    const paused = pauseClock(c, at('2026-06-08T10:00'));
    expect(pauseClock(paused, at('2026-06-08T11:00'))).toBe(paused);
    const cancelled = cancelClock(paused, at('2026-06-08T11:00'));
    expect(cancelled).toMatchObject({ stage: 'cancelled', completedAt: '2026-06-08T09:00:00.000Z' });
    expect(status(cancelled, paris, at('2026-06-09T11:00'))).toBe('cancelled');
    expect(completeClock(cancelled, at('2026-06-08T12:00'))).toBe(cancelled);
    expect(cancelClock(cancelled, at('2026-06-08T12:00'))).toBe(cancelled);
    expect(resumeClock(cancelled, at('2026-06-08T12:00'))).toBe(cancelled);
    // a resume stamped before its pause is clamped to a zero-length span
    expect(resumeClock(paused, at('2026-06-08T09:30')).pausedSpans).toEqual([
      { from: '2026-06-08T08:00:00.000Z', to: '2026-06-08T08:00:00.000Z' },
    ]);
    expect(() => startClock(-1, at('2026-06-08T09:00'), paris)).toThrow(/>= 0/);
  });

  it('nextThreshold gives 50 % / 75 % / 100 % instants strictly after now, null once breached', () => {
    const c = startClock(4 * H, at('2026-06-08T09:00'), paris);
    const ratios = [1, 0.5, 0.75];
    expect(nextThreshold(c, paris, at('2026-06-08T09:00'), ratios)).toEqual({ ratio: 0.5, at: new Date('2026-06-08T09:00:00Z') });
    expect(nextThreshold(c, paris, at('2026-06-08T11:00'), ratios)).toEqual({ ratio: 0.75, at: new Date('2026-06-08T10:00:00Z') });
    expect(nextThreshold(c, paris, at('2026-06-08T12:30'), ratios)).toEqual({ ratio: 1, at: new Date('2026-06-08T11:00:00Z') });
    expect(nextThreshold(c, paris, at('2026-06-08T13:00'), ratios)).toBeNull();
    // with a pause of 1 h, every threshold moves by an hour
    const resumed = resumeClock(pauseClock(c, at('2026-06-08T10:00')), at('2026-06-08T11:00'));
    expect(nextThreshold(resumed, paris, at('2026-06-08T11:00'), ratios)).toEqual({ ratio: 0.5, at: new Date('2026-06-08T10:00:00Z') });
    expect(nextThreshold(resumed, paris, at('2026-06-08T12:00'), ratios)).toEqual({ ratio: 0.75, at: new Date('2026-06-08T11:00:00Z') });
  });
});

describe('carryOver on priority change', () => {
  it('P3 (8 h) → P1 (2 h) after 3 business hours spent is immediately breached', () => {
    const p3 = startClock(8 * H, at('2026-06-08T09:00'), paris);
    const p1 = carryOver(p3, 2 * H, paris, at('2026-06-08T12:00'));
    expect(p1).toMatchObject({ targetMs: 2 * H, startedAt: p3.startedAt, originalDueAt: '2026-06-08T09:00:00.000Z' });
    expect(elapsedBusinessMs(p1, paris, at('2026-06-08T12:00'))).toBe(3 * H);
    expect(iso(dueAt(p1, paris, at('2026-06-08T12:00')))).toBe('2026-06-08T09:00:00.000Z');
    expect(isBreached(p1, paris, at('2026-06-08T12:00'))).toBe(true);
    expect(status(p1, paris, at('2026-06-08T12:00'))).toBe('breached');
  });

  it('P1 (2 h) → P3 (8 h) keeps the time spent and the waiting time', () => {
    // Mon 09:00 start, paused 10:00–11:00 (awaiting customer), upgraded to P3 at 11:30
    const p1 = resumeClock(pauseClock(startClock(2 * H, at('2026-06-08T09:00'), paris), at('2026-06-08T10:00')), at('2026-06-08T11:00'));
    const p3 = carryOver(p1, 8 * H, paris, at('2026-06-08T11:30'));
    expect(p3.pausedSpans).toEqual(p1.pausedSpans);
    expect(p3.originalDueAt).toBe('2026-06-08T15:00:00.000Z');
    expect(elapsedBusinessMs(p3, paris, at('2026-06-08T11:30'))).toBe(1.5 * H);
    // 1 h before the pause + 6 h Monday 11:00–17:00 + 1 h Tuesday → Tue 10:00 local
    expect(iso(dueAt(p3, paris, at('2026-06-08T11:30')))).toBe('2026-06-09T08:00:00.000Z');
    expect(status(p3, paris, at('2026-06-08T11:30'))).toBe('on_track');
  });

  it('keeps a paused clock paused and leaves stopped clocks unchanged', () => {
    const paused = pauseClock(startClock(2 * H, at('2026-06-08T09:00'), paris), at('2026-06-08T10:00'));
    expect(carryOver(paused, 8 * H, paris, at('2026-06-08T11:00'))).toMatchObject({ stage: 'paused', pausedSpans: paused.pausedSpans });
    const done = completeClock(paused, at('2026-06-08T11:00'));
    expect(carryOver(done, 8 * H, paris, at('2026-06-08T12:00'))).toBe(done);
  });
});

describe('reopenClock (a resolved ticket reopened)', () => {
  it('runs the completed clock again; the time spent completed counts as paused', () => {
    // 4 h target from Mon 09:00, completed Mon 11:00 (2 h spent), reopened Tue 10:00
    const done = completeClock(startClock(4 * H, at('2026-06-08T09:00'), paris), at('2026-06-08T11:00'));
    const again = reopenClock(done, at('2026-06-09T10:00'));
    expect(again).toEqual({
      ...done,
      stage: 'in_progress',
      completedAt: null,
      pausedSpans: [{ from: '2026-06-08T09:00:00.000Z', to: '2026-06-09T08:00:00.000Z' }],
    });
    expect(elapsedBusinessMs(again, paris, at('2026-06-09T10:00'))).toBe(2 * H);
    // the 2 h left run from Tuesday 10:00
    expect(iso(dueAt(again, paris, at('2026-06-09T10:00')))).toBe('2026-06-09T10:00:00.000Z');
    expect(again.originalDueAt).toBe(done.originalDueAt);
    expect(nextThreshold(again, paris, at('2026-06-09T10:00'), [1])).toEqual({ ratio: 1, at: new Date('2026-06-09T10:00:00Z') });
  });

  it('keeps earlier pauses, clamps an earlier reopen to a zero-length span, and can be paused and completed again', () => {
    const c = resumeClock(pauseClock(startClock(4 * H, at('2026-06-08T09:00'), paris), at('2026-06-08T10:00')), at('2026-06-08T11:00'));
    const done = completeClock(c, at('2026-06-08T12:00'));
    const early = reopenClock(done, at('2026-06-08T11:30'));
    expect(early.pausedSpans).toEqual([
      { from: '2026-06-08T08:00:00.000Z', to: '2026-06-08T09:00:00.000Z' },
      { from: '2026-06-08T10:00:00.000Z', to: '2026-06-08T10:00:00.000Z' },
    ]);
    const twice = completeClock(pauseClock(reopenClock(done, at('2026-06-08T14:00')), at('2026-06-08T15:00')), at('2026-06-08T16:00'));
    // 1 h before the first pause + 1 h to the first completion + 1 h after the reopen
    expect(elapsedBusinessMs(twice, paris, at('2026-06-09T09:00'))).toBe(3 * H);
    expect(twice.pausedSpans).toHaveLength(3);
  });

  it('a clock completed late is still breached after the reopen', () => {
    const late = completeClock(startClock(1 * H, at('2026-06-08T09:00'), paris), at('2026-06-08T11:00'));
    const again = reopenClock(late, at('2026-06-08T12:00'));
    expect(status(again, paris, at('2026-06-08T12:00'))).toBe('breached');
  });

  it('is a no-op on running, paused and cancelled clocks', () => {
    const c = startClock(4 * H, at('2026-06-08T09:00'), paris);
    expect(reopenClock(c, at('2026-06-08T10:00'))).toBe(c);
    const paused = pauseClock(c, at('2026-06-08T10:00'));
    expect(reopenClock(paused, at('2026-06-08T11:00'))).toBe(paused);
    const cancelled = cancelClock(c, at('2026-06-08T10:00'));
    expect(reopenClock(cancelled, at('2026-06-08T11:00'))).toBe(cancelled);
  });
});
