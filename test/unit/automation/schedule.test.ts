import { calendarProblems, cronProblem, timezoneProblem } from '../../../domain/automation/schedule';

describe('cron expressions a schedule takes', () => {
  it.each([
    '0 3 * * *',
    '*/15 * * * *',
    '0 8-18/2 * * 1-5',
    '30 4 1,15 * *',
    '0 0 1 JAN *',
    '0 6 * * mon-fri',
    '5/10 * * * *',
    '  0 3 * * *  ',
    '@hourly',
    '@daily',
    '@Weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@midnight',
  ])('%s', (expression) => {
    expect(cronProblem(expression)).toBeNull();
  });

  it.each([
    ['61 * * * *', "minute '61': 61 is outside 0-59"],
    ['0 24 * * *', "hour '24': 24 is outside 0-23"],
    ['0 0 0 * *', "day of month '0': 0 is outside 1-31"],
    ['0 0 * 13 *', "month '13': 13 is outside 1-12"],
    ['0 0 * * 7', "day of week '7': 7 is outside 0-6"],
    ['0 0 * * FUNDAY', "day of week 'FUNDAY': 'FUNDAY' is not a number or a name (SUN, MON, TUE, WED, THU, FRI, SAT)"],
    ['0 18-8 * * *', "hour '18-8': range 18-8 runs backwards"],
    ['*/0 * * * *', "minute '*/0': step 0 is outside 1-60"],
    ['1,,2 * * * *', "minute '1,,2': an empty list item"],
    ['1-2-3 * * * *', "minute '1-2-3': '1-2-3' is not a value or a range"],
    ['*/5/2 * * * *', "minute '*/5/2': more than one step"],
    ['0 3 * *', 'a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 4'],
    ['0 0 3 * * *', 'a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 6'],
    ['every night', 'a cron expression has five fields (minute hour day-of-month month day-of-week); this one has 2'],
    ['@every 5m', 'unknown macro @every 5m; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or five fields'],
    ['CRON_TZ=Europe/Berlin 0 3 * * *', "give the time zone in the schedule's 'timezone', not in the expression"],
  ])('refuses %s', (expression, problem) => {
    expect(cronProblem(expression)).toBe(problem);
  });
});

describe('calendar specs', () => {
  it('take values, ranges, steps, lists, names and *', () => {
    expect(calendarProblems({ hour: 9, minute: [0, { start: 30, end: 45, step: 5 }], dayOfWeek: { start: 'MONDAY', end: 5 }, month: ['JANUARY', 7], dayOfMonth: '*' })).toEqual([]);
  });

  it('name each field out of its bounds', () => {
    expect(calendarProblems({ hour: 24, minute: [0, 60], second: { start: 10, end: 5 }, dayOfWeek: 7, year: { start: 2030, step: 0 } })).toEqual([
      { path: 'second', message: 'the range runs backwards' },
      { path: 'minute.1', message: 'must be within 0-59' },
      { path: 'hour', message: 'must be within 0-23' },
      { path: 'dayOfWeek', message: 'must be within 0-6' },
      { path: 'year.step', message: 'a step is a whole number of at least 1' },
    ]);
  });
});

describe('time zones', () => {
  it('are IANA names', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeNull();
    expect(timezoneProblem('UTC')).toBeNull();
    expect(timezoneProblem('Mars/Olympus')).toBe("unknown time zone 'Mars/Olympus'; use an IANA name such as Europe/Berlin or UTC");
  });
});
