import path from 'node:path';
import { ALWAYS, type BusinessCalendar } from '../../domain/sla/calendar';
import type { SlaCatalog, SlaPolicy, SlaTicketView } from '../../domain/sla/policy';
import { nextSlaWakeUp, reachThresholds, reconcileSlas, slaDisplay, type TicketSla } from '../../domain/sla/ticketSla';
import { loadSlaCatalog } from '../../runtime/catalog/sla';

// Test catalog on an office calendar in UTC (local = UTC): Mon–Fri 09:00–17:00.
// June 2026: Fri 5, Mon 8, Tue 9, Wed 10, Thu 11, Fri 12, Mon 15, Tue 16, Wed 17.
const H = 3_600_000;
const OFFICE_HOURS: Array<[string, string]> = [['09:00', '17:00']];
const office: BusinessCalendar = {
  timeZone: 'UTC',
  week: { mon: OFFICE_HOURS, tue: OFFICE_HOURS, wed: OFFICE_HOURS, thu: OFFICE_HOURS, fri: OFFICE_HOURS },
  holidays: [],
};
const incidentConditions = {
  pause: { states: ['on_hold'], holdReasons: ['awaiting_caller', 'vendor'] },
  stop: { states: ['resolved', 'closed'] },
  cancel: { states: ['cancelled'] },
};
const resp: SlaPolicy = {
  id: 'resp',
  name: 'Response',
  metric: 'response',
  appliesTo: { kinds: ['incident'] },
  targets: { P1: '1h', P2: '2h', P3: '4h', P4: '8h', P5: '0m' },
  calendar: 'office',
  stop: { states: ['in_progress', 'on_hold', 'resolved', 'closed'] },
  cancel: { states: ['cancelled'] },
  warnings: [0.5],
  actions: { warning: { '0.5': [{ type: 'notify_assignee' }] }, breach: [{ type: 'notify_group_manager' }] },
};
const res: SlaPolicy = {
  id: 'res',
  name: 'Resolution',
  metric: 'resolution',
  appliesTo: { kinds: ['incident'], priorities: ['P2', 'P3', 'P4', 'P5'] },
  targets: { P2: '8h', P3: '16h', P4: '40h', P5: '80h' },
  calendar: 'office',
  ...incidentConditions,
  warnings: [0.5, 0.75],
  actions: {
    warning: { '0.5': [{ type: 'notify_assignee' }], '0.75': [{ type: 'notify_group_manager' }] },
    breach: [{ type: 'notify_group_manager' }, { type: 'raise_priority' }],
  },
};
const resP1: SlaPolicy = {
  ...res,
  id: 'res-p1',
  name: 'Resolution P1 (24×7)',
  appliesTo: { kinds: ['incident'], priorities: ['P1'] },
  targets: { P1: '4h' },
  calendar: '24x7',
};
const req: SlaPolicy = {
  id: 'req',
  name: 'Fulfilment',
  metric: 'resolution',
  appliesTo: { kinds: ['request'] },
  targets: { P1: '8h', P2: '8h', P3: '8h', P4: '8h', P5: '8h' },
  calendar: 'office',
  start: { states: ['in_fulfilment'] },
  pause: { states: ['pending_approval'] },
  stop: { states: ['fulfilled', 'closed'] },
  cancel: { states: ['rejected', 'cancelled'] },
  warnings: [],
  actions: {},
};
const CATALOG: SlaCatalog = { policies: [resp, res, resP1, req], calendars: { office, '24x7': ALWAYS } };

const t = (s: string) => `${s}:00.000Z`; // '2026-06-08T09:00' (UTC)
const view = (over: Partial<SlaTicketView> = {}): SlaTicketView => ({
  kind: 'incident',
  state: 'new',
  holdReason: null,
  priority: 'P3',
  service: null,
  category: null,
  ...over,
});

type Step = [at: string, change: Partial<SlaTicketView>];

interface Played {
  slas: TicketSla[];
  ticket: SlaTicketView;
}

/** Replays a ticket's history: each step changes the ticket, then the SLAs are reconciled. */
function play(steps: Step[], catalog = CATALOG, from: Played = { slas: [], ticket: view() }): Played {
  let { ticket, slas } = from;
  for (const [at, change] of steps) {
    ticket = { ...ticket, ...change };
    slas = reconcileSlas(slas, ticket, catalog, t(at));
  }
  return { slas, ticket };
}
const of = (slas: TicketSla[], metric: 'response' | 'resolution'): TicketSla => {
  const found = slas.filter((s) => s.metric === metric);
  return found[found.length - 1];
};
const response = (slas: TicketSla[]) => of(slas, 'response');
const resolution = (slas: TicketSla[]) => of(slas, 'resolution');
const display = (sla: TicketSla, at: string, catalog = CATALOG) => slaDisplay(sla, catalog, t(at));

/** The result is stable: reconciling again with the same ticket at the same instant changes nothing. */
function expectIdempotent(slas: TicketSla[], ticket: SlaTicketView, at: string, catalog = CATALOG): void {
  expect(reconcileSlas(slas, ticket, catalog, t(at))).toEqual(slas);
}

describe('reconcileSlas: attach', () => {
  it('a new P3 incident gets a response and a resolution clock', () => {
    const { slas, ticket } = play([['2026-06-08T09:00', {}]]);
    expect(slas).toEqual([
      {
        policy: 'resp',
        originalPolicy: 'resp',
        name: 'Response',
        metric: 'response',
        calendar: 'office',
        clock: {
          targetMs: 4 * H,
          startedAt: t('2026-06-08T09:00'),
          stage: 'in_progress',
          pausedSpans: [],
          completedAt: null,
          originalDueAt: t('2026-06-08T13:00'),
        },
        warned: [],
        breached: false,
        breachedAt: null,
      },
      {
        policy: 'res',
        originalPolicy: 'res',
        name: 'Resolution',
        metric: 'resolution',
        calendar: 'office',
        clock: {
          targetMs: 16 * H,
          startedAt: t('2026-06-08T09:00'),
          stage: 'in_progress',
          pausedSpans: [],
          completedAt: null,
          originalDueAt: t('2026-06-09T17:00'),
        },
        warned: [],
        breached: false,
        breachedAt: null,
      },
    ]);
    expectIdempotent(slas, ticket, '2026-06-08T09:00');
    expectIdempotent(slas, ticket, '2026-06-08T10:00');
  });

  it('opened Friday 16:00: the response clock counts 1 h on Friday and is due Monday 12:00', () => {
    const { slas } = play([['2026-06-05T16:00', {}]]);
    expect(response(slas).clock.originalDueAt).toBe(t('2026-06-08T12:00'));
  });

  it('a P1 incident takes the P1 resolution policy (more specific) on its 24×7 calendar', () => {
    const { slas } = play([['2026-06-05T16:00', { priority: 'P1' }]]);
    expect(resolution(slas)).toMatchObject({ policy: 'res-p1', calendar: '24x7', clock: { targetMs: 4 * H, originalDueAt: t('2026-06-05T20:00') } });
  });

  it('no matching policy, no clock: a problem gets nothing from this catalog', () => {
    expect(play([['2026-06-08T09:00', { kind: 'problem' }]]).slas).toEqual([]);
  });

  it('reconciling the same inputs twice returns equal results', () => {
    const ticket = view();
    expect(reconcileSlas([], ticket, CATALOG, t('2026-06-08T09:00'))).toEqual(reconcileSlas([], ticket, CATALOG, t('2026-06-08T09:00')));
  });
});

describe('reconcileSlas: pause and resume', () => {
  // P3 opened Thu 11 June 15:00, picked up 16:00, on hold (awaiting caller) Fri 10:00 → Tue 16 June 11:00
  const history: Step[] = [
    ['2026-06-11T15:00', {}],
    ['2026-06-11T16:00', { state: 'in_progress' }],
    ['2026-06-12T10:00', { state: 'on_hold', holdReason: 'awaiting_caller' }],
  ];

  it('pausing across a night and a weekend freezes the elapsed time', () => {
    const { slas, ticket } = play(history);
    expect(response(slas).clock).toMatchObject({ stage: 'completed', completedAt: t('2026-06-11T16:00') });
    const r = resolution(slas);
    expect(r.clock).toMatchObject({ stage: 'paused', pausedSpans: [{ from: t('2026-06-12T10:00'), to: null }] });
    // Thu 15–17 and Fri 9–10
    expect(display(r, '2026-06-15T12:00')).toMatchObject({
      status: 'paused',
      elapsedBusinessMs: 3 * H,
      remainingBusinessMs: 13 * H,
      // as if it resumed now: Mon 12–17 (5 h) + Tue 9–17 (8 h)
      dueAt: t('2026-06-16T17:00'),
      originalDueAt: t('2026-06-15T15:00'),
    });
    expect(nextSlaWakeUp(slas, CATALOG, t('2026-06-15T12:00'))).toBeNull();
    expectIdempotent(slas, ticket, '2026-06-15T12:00');
  });

  it('resuming moves the due time by the paused business time and keeps the original due time', () => {
    const { slas, ticket } = play([...history, ['2026-06-16T11:00', { state: 'in_progress', holdReason: null }]]);
    const r = resolution(slas);
    expect(r.clock).toMatchObject({
      stage: 'in_progress',
      pausedSpans: [{ from: t('2026-06-12T10:00'), to: t('2026-06-16T11:00') }],
      originalDueAt: t('2026-06-15T15:00'),
    });
    // 13 h left from Tue 11:00: Tue 11–17 (6 h) + Wed 9–16 (7 h)
    expect(display(r, '2026-06-16T12:00')).toMatchObject({ status: 'on_track', elapsedBusinessMs: 4 * H, dueAt: t('2026-06-17T16:00') });
    // 50 % = 8 h: 5 more hours after 11:00
    expect(nextSlaWakeUp(slas, CATALOG, t('2026-06-16T11:00'))).toBe(t('2026-06-16T16:00'));
    expectIdempotent(slas, ticket, '2026-06-16T11:00');
  });

  it('on hold for a reason the policy does not list keeps running; changing the reason pauses it', () => {
    const change = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T10:00', { state: 'on_hold', holdReason: 'change' }],
    ]);
    expect(resolution(change.slas).clock.stage).toBe('in_progress');
    const vendor = reconcileSlas(change.slas, { ...change.ticket, holdReason: 'vendor' }, CATALOG, t('2026-06-08T11:00'));
    expect(resolution(vendor).clock).toMatchObject({ stage: 'paused', pausedSpans: [{ from: t('2026-06-08T11:00'), to: null }] });
    const back = reconcileSlas(vendor, { ...change.ticket, holdReason: 'problem' }, CATALOG, t('2026-06-08T12:00'));
    expect(resolution(back).clock).toMatchObject({ stage: 'in_progress', pausedSpans: [{ from: t('2026-06-08T11:00'), to: t('2026-06-08T12:00') }] });
  });
});

describe('reconcileSlas: stop, cancel, reopen', () => {
  it('resolving completes the resolution clock; closing afterwards changes nothing', () => {
    const resolved = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T09:30', { state: 'in_progress' }],
      ['2026-06-08T11:00', { state: 'resolved' }],
    ]);
    expect(resolution(resolved.slas).clock).toMatchObject({ stage: 'completed', completedAt: t('2026-06-08T11:00') });
    expect(display(resolution(resolved.slas), '2026-06-09T09:00')).toMatchObject({ status: 'completed', breached: false, elapsedBusinessMs: 2 * H });
    const closed = reconcileSlas(resolved.slas, { ...resolved.ticket, state: 'closed' }, CATALOG, t('2026-06-10T09:00'));
    expect(closed).toEqual(resolved.slas);
  });

  it('cancelling cancels every live clock and leaves completed ones alone', () => {
    const { slas, ticket } = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T09:30', { state: 'in_progress' }],
      ['2026-06-08T10:00', { state: 'cancelled' }],
    ]);
    expect(response(slas).clock).toMatchObject({ stage: 'completed', completedAt: t('2026-06-08T09:30') });
    expect(resolution(slas).clock).toMatchObject({ stage: 'cancelled', completedAt: t('2026-06-08T10:00') });
    expect(display(resolution(slas), '2026-06-20T09:00')).toMatchObject({ status: 'cancelled', breached: false });
    expect(nextSlaWakeUp(slas, CATALOG, t('2026-06-08T10:00'))).toBeNull();
    expect(reachThresholds(slas, CATALOG, t('2026-06-20T09:00')).reached).toEqual([]);
    expectIdempotent(slas, ticket, '2026-06-08T10:00');
  });

  const resolvedMonday: Step[] = [
    ['2026-06-08T09:00', {}],
    ['2026-06-08T09:30', { state: 'in_progress' }],
    ['2026-06-08T11:00', { state: 'resolved' }],
  ];

  it('reopening resumes the resolution clock; the resolved time counts as paused; the response stays answered', () => {
    const { slas, ticket } = play([...resolvedMonday, ['2026-06-09T10:00', { state: 'in_progress' }]]);
    expect(slas).toHaveLength(2);
    expect(response(slas).clock).toMatchObject({ stage: 'completed', completedAt: t('2026-06-08T09:30') });
    const r = resolution(slas);
    expect(r.clock).toMatchObject({ stage: 'in_progress', completedAt: null, pausedSpans: [{ from: t('2026-06-08T11:00'), to: t('2026-06-09T10:00') }] });
    // 2 h on Monday, 14 h left from Tue 10:00 → Tue 10–17 (7 h) + Wed 9–16 (7 h); 4 h spent by Tue 12:00
    expect(display(r, '2026-06-09T12:00')).toMatchObject({ status: 'on_track', elapsedBusinessMs: 4 * H, dueAt: t('2026-06-10T16:00') });
    expectIdempotent(slas, ticket, '2026-06-09T10:00');
  });

  it('reopening straight onto hold (awaiting caller) resumes and pauses at once', () => {
    const { slas } = play([...resolvedMonday, ['2026-06-09T10:00', { state: 'on_hold', holdReason: 'awaiting_caller' }]]);
    expect(resolution(slas).clock).toMatchObject({
      stage: 'paused',
      pausedSpans: [
        { from: t('2026-06-08T11:00'), to: t('2026-06-09T10:00') },
        { from: t('2026-06-09T10:00'), to: null },
      ],
    });
  });

  it('a reopened clock that was breached stays breached and announces nothing again', () => {
    // P2 (8 h) opened Mon 09:00, resolved Tue 10:00: 9 h spent, breached at Mon 17:00
    const late = play([
      ['2026-06-08T09:00', { priority: 'P2' }],
      ['2026-06-09T10:00', { state: 'resolved' }],
    ]);
    const marked = reachThresholds(late.slas, CATALOG, t('2026-06-09T10:00'));
    expect(resolution(marked.slas)).toMatchObject({ breached: true, breachedAt: t('2026-06-08T17:00') });
    const reopened = reconcileSlas(marked.slas, { ...late.ticket, state: 'in_progress' }, CATALOG, t('2026-06-09T11:00'));
    expect(resolution(reopened)).toMatchObject({ breached: true, clock: { stage: 'in_progress' } });
    expect(reachThresholds(reopened, CATALOG, t('2026-06-09T12:00')).reached).toEqual([]);
    expect(nextSlaWakeUp(reopened, CATALOG, t('2026-06-09T12:00'))).toBeNull();
    expect(display(resolution(reopened), '2026-06-09T12:00').status).toBe('breached');
  });

  it('a cancelled clock is never reopened; a fresh one attaches when the start condition holds again', () => {
    const cancelled = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T10:00', { state: 'cancelled' }],
    ]);
    const after = reconcileSlas(cancelled.slas, { ...cancelled.ticket, state: 'in_progress' }, CATALOG, t('2026-06-08T11:00'));
    // the cancelled clocks stay; fresh ones attach (start holds) and follow the state: the response is met at once
    expect(after.map((s) => [s.metric, s.clock.stage, s.clock.startedAt])).toEqual([
      ['response', 'cancelled', t('2026-06-08T09:00')],
      ['resolution', 'cancelled', t('2026-06-08T09:00')],
      ['response', 'completed', t('2026-06-08T11:00')],
      ['resolution', 'in_progress', t('2026-06-08T11:00')],
    ]);
  });
});

describe('reconcileSlas: carry-over', () => {
  it('a priority change within one policy keeps start, elapsed time and paused spans; the targets and due times change', () => {
    // P3 from Mon 09:00, on hold (caller) 10:00–11:00, raised to P2 at 13:00
    const { slas, ticket } = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T10:00', { state: 'on_hold', holdReason: 'awaiting_caller' }],
      ['2026-06-08T11:00', { state: 'in_progress', holdReason: null }],
      ['2026-06-08T13:00', { priority: 'P2' }],
    ]);
    const r = resolution(slas);
    expect(r).toMatchObject({
      policy: 'res',
      originalPolicy: 'res',
      clock: {
        targetMs: 8 * H,
        startedAt: t('2026-06-08T09:00'),
        pausedSpans: [{ from: t('2026-06-08T10:00'), to: t('2026-06-08T11:00') }],
        originalDueAt: t('2026-06-08T17:00'),
      },
    });
    expect(display(r, '2026-06-08T13:00')).toMatchObject({ elapsedBusinessMs: 3 * H, dueAt: t('2026-06-09T10:00'), targetMs: 8 * H });
    // the response was completed (on hold at 10:00): history is not carried over
    expect(response(slas).clock).toMatchObject({ stage: 'completed', targetMs: 4 * H });
    expectIdempotent(slas, ticket, '2026-06-08T13:00');
  });

  it('a priority change that changes the policy carries over to it and back; originalPolicy is kept', () => {
    const up = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T10:30', { priority: 'P1' }],
    ]);
    expect(resolution(up.slas)).toMatchObject({
      policy: 'res-p1',
      originalPolicy: 'res',
      name: 'Resolution P1 (24×7)',
      calendar: '24x7',
      clock: { targetMs: 4 * H, startedAt: t('2026-06-08T09:00'), originalDueAt: t('2026-06-08T13:00') },
    });
    // the response clock follows the same policy with the P1 target
    expect(response(up.slas)).toMatchObject({ policy: 'resp', clock: { targetMs: 1 * H, originalDueAt: t('2026-06-08T10:00') } });
    expect(display(resolution(up.slas), '2026-06-08T10:30')).toMatchObject({ elapsedBusinessMs: 1.5 * H, dueAt: t('2026-06-08T13:00') });
    expectIdempotent(up.slas, up.ticket, '2026-06-08T10:30');

    const down = reconcileSlas(up.slas, { ...up.ticket, priority: 'P3' }, CATALOG, t('2026-06-08T12:00'));
    expect(resolution(down)).toMatchObject({ policy: 'res', originalPolicy: 'res', calendar: 'office', clock: { targetMs: 16 * H, originalDueAt: t('2026-06-09T17:00') } });
    expect(display(resolution(down), '2026-06-08T12:00').elapsedBusinessMs).toBe(3 * H);
  });

  it('the history is re-measured on the new calendar: a night that did not count on office hours counts on 24×7', () => {
    // P3 from Mon 09:00, on hold 10:00–11:00, raised to P1 Tue 10:00: 8 office hours, but 24 h on 24×7
    const { slas } = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T10:00', { state: 'on_hold', holdReason: 'vendor' }],
      ['2026-06-08T11:00', { state: 'in_progress', holdReason: null }],
      ['2026-06-09T10:00', { priority: 'P1' }],
    ]);
    const r = resolution(slas);
    expect(display(r, '2026-06-09T10:00')).toMatchObject({ status: 'breached', elapsedBusinessMs: 24 * H, remainingBusinessMs: -20 * H, dueAt: t('2026-06-08T14:00') });
    const { reached } = reachThresholds(slas, CATALOG, t('2026-06-09T10:00'));
    expect(reached.filter((e) => e.metric === 'resolution')).toEqual([
      { sla: 'Resolution P1 (24×7)', policy: 'res-p1', metric: 'resolution', kind: 'warning', ratio: 0.5, dueAt: t('2026-06-08T12:00'), actions: [{ type: 'notify_assignee' }] },
      { sla: 'Resolution P1 (24×7)', policy: 'res-p1', metric: 'resolution', kind: 'warning', ratio: 0.75, dueAt: t('2026-06-08T13:00'), actions: [{ type: 'notify_group_manager' }] },
      {
        sla: 'Resolution P1 (24×7)',
        policy: 'res-p1',
        metric: 'resolution',
        kind: 'breach',
        ratio: 1,
        dueAt: t('2026-06-08T14:00'),
        actions: [{ type: 'notify_group_manager' }, { type: 'raise_priority' }],
      },
    ]);
  });

  it('a paused clock stays paused through a carry-over', () => {
    const { slas } = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T10:00', { state: 'on_hold', holdReason: 'awaiting_caller' }],
      ['2026-06-08T11:00', { priority: 'P4' }],
    ]);
    expect(resolution(slas).clock).toMatchObject({ stage: 'paused', targetMs: 40 * H, pausedSpans: [{ from: t('2026-06-08T10:00'), to: null }] });
  });

  it('a breach is never undone: lowering the priority afterwards keeps it breached and silent', () => {
    const p2 = play([['2026-06-08T09:00', { priority: 'P2' }]]);
    const breached = reachThresholds(p2.slas, CATALOG, t('2026-06-08T17:00'));
    expect(breached.reached.filter((e) => e.metric === 'resolution').map((e) => e.kind)).toEqual(['warning', 'warning', 'breach']);
    const lowered = reconcileSlas(breached.slas, { ...p2.ticket, priority: 'P4' }, CATALOG, t('2026-06-09T09:30'));
    const r = resolution(lowered);
    expect(r).toMatchObject({ breached: true, breachedAt: t('2026-06-08T17:00'), warned: [0.5, 0.75], clock: { targetMs: 40 * H } });
    expect(display(r, '2026-06-09T09:30')).toMatchObject({ status: 'breached', breached: true, remainingBusinessMs: 31.5 * H });
    expect(reachThresholds(lowered, CATALOG, t('2026-06-12T09:30')).reached.filter((e) => e.metric === 'resolution')).toEqual([]);
  });

  it('no policy applying any more cancels the clock; a policy applying again later attaches a fresh one', () => {
    const payments: SlaPolicy = { ...res, id: 'payments', name: 'Payments', appliesTo: { services: ['payments'] } };
    const catalog: SlaCatalog = { ...CATALOG, policies: [payments] };
    const moved = play(
      [
        ['2026-06-08T09:00', { service: 'payments' }],
        ['2026-06-08T10:00', { service: 'email' }],
      ],
      catalog,
    );
    expect(moved.slas).toHaveLength(1);
    expect(resolution(moved.slas).clock).toMatchObject({ stage: 'cancelled', completedAt: t('2026-06-08T10:00') });
    expectIdempotent(moved.slas, moved.ticket, '2026-06-08T10:00', catalog);
    const back = reconcileSlas(moved.slas, { ...moved.ticket, service: 'payments' }, catalog, t('2026-06-08T11:00'));
    expect(back.map((s) => [s.clock.stage, s.clock.startedAt])).toEqual([
      ['cancelled', t('2026-06-08T09:00')],
      ['in_progress', t('2026-06-08T11:00')],
    ]);
  });

  it('a more specific policy appearing (service set later) takes over by carry-over', () => {
    const payments: SlaPolicy = { ...res, id: 'payments', name: 'Payments', appliesTo: { kinds: ['incident'], priorities: ['P3'], services: ['payments'] }, targets: { P3: '8h' } };
    const catalog: SlaCatalog = { ...CATALOG, policies: [...CATALOG.policies, payments] };
    const { slas } = play(
      [
        ['2026-06-08T09:00', {}],
        ['2026-06-08T11:00', { service: 'payments' }],
      ],
      catalog,
    );
    expect(resolution(slas)).toMatchObject({ policy: 'payments', originalPolicy: 'res', clock: { targetMs: 8 * H, startedAt: t('2026-06-08T09:00') } });
  });
});

describe('reconcileSlas: start outside pause, created on hold, simultaneous conditions', () => {
  it('an incident created on hold (caller): the response is met at once, the resolution starts paused', () => {
    const { slas, ticket } = play([['2026-06-08T09:00', { state: 'on_hold', holdReason: 'awaiting_caller' }]]);
    expect(response(slas).clock).toMatchObject({ stage: 'completed', completedAt: t('2026-06-08T09:00') });
    expect(resolution(slas).clock).toMatchObject({ stage: 'paused', pausedSpans: [{ from: t('2026-06-08T09:00'), to: null }] });
    expect(display(response(slas), '2026-06-08T12:00')).toMatchObject({ status: 'completed', elapsedBusinessMs: 0, breached: false });
    expectIdempotent(slas, ticket, '2026-06-08T09:00');
  });

  it('a request: no clock before fulfilment starts; back to approval pauses it even though start no longer holds', () => {
    const created = play([
      ['2026-06-08T09:00', { kind: 'request' }],
      ['2026-06-08T09:05', { state: 'pending_approval' }],
    ]);
    expect(created.slas).toEqual([]);
    const { slas, ticket } = play(
      [
        ['2026-06-08T14:00', { state: 'in_fulfilment' }],
        ['2026-06-09T10:00', { state: 'pending_approval' }],
        ['2026-06-10T10:00', { state: 'in_fulfilment' }],
      ],
      CATALOG,
      created,
    );
    const f = resolution(slas);
    expect(f).toMatchObject({ policy: 'req', clock: { startedAt: t('2026-06-08T14:00'), stage: 'in_progress', originalDueAt: t('2026-06-09T14:00') } });
    expect(f.clock.pausedSpans).toEqual([{ from: t('2026-06-09T10:00'), to: t('2026-06-10T10:00') }]);
    // 8 h target: Mon 14–17 (3 h) + Tue 9–10 (1 h), then 4 h from Wed 10:00
    expect(display(f, '2026-06-10T10:00')).toMatchObject({ elapsedBusinessMs: 4 * H, dueAt: t('2026-06-10T14:00') });
    const done = reconcileSlas(slas, { ...ticket, state: 'fulfilled' }, CATALOG, t('2026-06-10T12:00'));
    expect(resolution(done).clock).toMatchObject({ stage: 'completed', completedAt: t('2026-06-10T12:00') });
  });

  it('a request created straight into approval that is rejected never gets a clock', () => {
    expect(
      play([
        ['2026-06-08T09:00', { kind: 'request', state: 'pending_approval' }],
        ['2026-06-08T10:00', { state: 'rejected' }],
      ]).slas,
    ).toEqual([]);
  });

  it('created in a stop state: attached and completed at once (met); created in a cancel state: nothing attached', () => {
    const resolved = play([['2026-06-08T09:00', { state: 'resolved' }]]).slas;
    expect(resolved.map((s) => [s.metric, s.clock.stage, s.clock.completedAt])).toEqual([
      ['response', 'completed', t('2026-06-08T09:00')],
      ['resolution', 'completed', t('2026-06-08T09:00')],
    ]);
    expect(reachThresholds(resolved, CATALOG, t('2026-06-10T09:00')).reached).toEqual([]);
    expect(play([['2026-06-08T09:00', { state: 'cancelled' }]]).slas).toEqual([]);
  });

  it('one state in several lists: cancel > stop > pause', () => {
    const odd: SlaPolicy = {
      ...res,
      id: 'odd',
      appliesTo: {},
      pause: { states: ['on_hold', 'parked', 'limbo'] },
      stop: { states: ['resolved', 'parked', 'limbo'] },
      cancel: { states: ['cancelled', 'limbo'] },
    };
    const catalog: SlaCatalog = { ...CATALOG, policies: [odd] };
    const start = play([['2026-06-08T09:00', {}]], catalog);
    const limbo = reconcileSlas(start.slas, { ...start.ticket, state: 'limbo' }, catalog, t('2026-06-08T10:00'));
    expect(resolution(limbo).clock.stage).toBe('cancelled');
    const parked = reconcileSlas(start.slas, { ...start.ticket, state: 'parked' }, catalog, t('2026-06-08T10:00'));
    expect(resolution(parked).clock.stage).toBe('completed');
    expect(play([['2026-06-08T09:00', { state: 'limbo' }]], catalog).slas).toEqual([]);
  });

  it('a priority change and a resolution in the same action: carried over first, so judged on the final priority', () => {
    // P3 (16 h) from Mon 09:00; at Mon 17:00 raised to P2 (8 h) and resolved at once: 8 h spent = met exactly
    const { slas } = play([
      ['2026-06-08T09:00', {}],
      ['2026-06-08T17:00', { priority: 'P2', state: 'resolved' }],
    ]);
    expect(resolution(slas).clock).toMatchObject({ stage: 'completed', targetMs: 8 * H });
    expect(display(resolution(slas), '2026-06-09T09:00')).toMatchObject({ status: 'completed', breached: false, remainingBusinessMs: 0 });
  });
});

describe('reachThresholds', () => {
  const created = play([['2026-06-08T09:00', {}]]);

  it('announces each warning once, in order, with its actions and the instant it was reached', () => {
    const first = reachThresholds(created.slas, CATALOG, t('2026-06-08T11:30'));
    expect(first.reached).toEqual([
      { sla: 'Response', policy: 'resp', metric: 'response', kind: 'warning', ratio: 0.5, dueAt: t('2026-06-08T11:00'), actions: [{ type: 'notify_assignee' }] },
    ]);
    expect(response(first.slas).warned).toEqual([0.5]);
    expect(reachThresholds(first.slas, CATALOG, t('2026-06-08T11:30')).reached).toEqual([]);
    expect(reachThresholds(created.slas, CATALOG, t('2026-06-08T10:59')).reached).toEqual([]);
  });

  it('a late evaluation reports the breach at the due instant, not at now', () => {
    const { slas, reached } = reachThresholds(created.slas, CATALOG, t('2026-06-08T14:30'));
    expect(reached.map((e) => [e.metric, e.kind, e.ratio, e.dueAt])).toEqual([
      ['response', 'warning', 0.5, t('2026-06-08T11:00')],
      ['response', 'breach', 1, t('2026-06-08T13:00')],
    ]);
    expect(response(slas)).toMatchObject({ breached: true, breachedAt: t('2026-06-08T13:00'), warned: [0.5] });
    expect(reached[1].actions).toEqual([{ type: 'notify_group_manager' }]);
    expect(reachThresholds(slas, CATALOG, t('2026-06-08T16:00')).reached).toEqual([]);
  });

  it('breach wins over pause: a clock breached before it was paused is reported breached', () => {
    // P3 resolution due Tue 17:00; nobody evaluated until it went on hold Wed 10:00
    const held = reconcileSlas(created.slas, view({ state: 'on_hold', holdReason: 'awaiting_caller' }), CATALOG, t('2026-06-10T10:00'));
    const { reached } = reachThresholds(held, CATALOG, t('2026-06-10T10:00'));
    expect(reached.filter((e) => e.metric === 'resolution').map((e) => [e.kind, e.dueAt, e.actions.length])).toEqual([
      ['warning', t('2026-06-08T17:00'), 1],
      ['warning', t('2026-06-09T13:00'), 1],
      ['breach', t('2026-06-09T17:00'), 2],
    ]);
  });

  it('a clock paused before its due time never breaches while paused', () => {
    const held = reconcileSlas(created.slas, view({ state: 'on_hold', holdReason: 'vendor' }), CATALOG, t('2026-06-09T16:00'));
    const { reached } = reachThresholds(held, CATALOG, t('2026-06-30T16:00'));
    expect(reached.filter((e) => e.metric === 'resolution').map((e) => e.kind)).toEqual(['warning', 'warning']);
    expect(display(resolution(held), '2026-06-30T16:00')).toMatchObject({ status: 'paused', breached: false, remainingBusinessMs: 1 * H });
  });

  it('completion exactly at the due time is met; 1 ms later is a breach on record, without actions', () => {
    const onTime = reconcileSlas(created.slas, view({ state: 'in_progress' }), CATALOG, t('2026-06-08T13:00'));
    expect(reachThresholds(onTime, CATALOG, t('2026-06-08T13:00')).reached).toEqual([]);
    expect(display(response(onTime), '2026-06-08T13:00')).toMatchObject({ status: 'completed', breached: false, remainingBusinessMs: 0 });

    const late = reconcileSlas(created.slas, view({ state: 'in_progress' }), CATALOG, '2026-06-08T13:00:00.001Z');
    const { slas, reached } = reachThresholds(late, CATALOG, '2026-06-08T13:00:00.001Z');
    expect(reached).toEqual([{ sla: 'Response', policy: 'resp', metric: 'response', kind: 'breach', ratio: 1, dueAt: t('2026-06-08T13:00'), actions: [] }]);
    expect(response(slas)).toMatchObject({ breached: true, breachedAt: t('2026-06-08T13:00'), warned: [] });
    expect(display(response(slas), '2026-06-09T09:00')).toMatchObject({ status: 'completed', breached: true, remainingBusinessMs: -1 });
    expect(reachThresholds(slas, CATALOG, t('2026-06-09T09:00')).reached.filter((e) => e.metric === 'response')).toEqual([]);
  });

  it('a zero target is due at start: warning and breach are reported at once', () => {
    const p5 = play([['2026-06-08T10:00', { priority: 'P5' }]]);
    expect(response(p5.slas).clock.originalDueAt).toBe(t('2026-06-08T10:00'));
    const { reached } = reachThresholds(p5.slas, CATALOG, t('2026-06-08T10:00'));
    expect(reached.filter((e) => e.metric === 'response').map((e) => [e.kind, e.dueAt])).toEqual([
      ['warning', t('2026-06-08T10:00')],
      ['breach', t('2026-06-08T10:00')],
    ]);
    expect(display(response(p5.slas), '2026-06-08T10:00')).toMatchObject({ status: 'breached', remainingBusinessMs: 0 });
  });

  it('a clock whose policy left the catalog still breaches on its calendar, without actions', () => {
    const catalog: SlaCatalog = { ...CATALOG, policies: [res] };
    const { reached } = reachThresholds(created.slas, catalog, t('2026-06-08T13:00'));
    expect(reached).toEqual([{ sla: 'Response', policy: 'resp', metric: 'response', kind: 'breach', ratio: 1, dueAt: t('2026-06-08T13:00'), actions: [] }]);
  });
});

describe('nextSlaWakeUp', () => {
  it('is the earliest unannounced threshold of the running clocks, strictly after now', () => {
    const { slas, ticket } = play([['2026-06-08T09:00', {}]]);
    // response 50 % at 11:00, breach 13:00; resolution 50 % Mon 17:00, 75 % Tue 13:00, breach Tue 17:00
    expect(nextSlaWakeUp(slas, CATALOG, t('2026-06-08T09:00'))).toBe(t('2026-06-08T11:00'));
    const warned = reachThresholds(slas, CATALOG, t('2026-06-08T11:00')).slas;
    expect(nextSlaWakeUp(warned, CATALOG, t('2026-06-08T11:00'))).toBe(t('2026-06-08T13:00'));
    const answered = reconcileSlas(warned, { ...ticket, state: 'in_progress' }, CATALOG, t('2026-06-08T12:00'));
    expect(nextSlaWakeUp(answered, CATALOG, t('2026-06-08T12:00'))).toBe(t('2026-06-08T17:00'));
    const later = reachThresholds(answered, CATALOG, t('2026-06-09T13:00')).slas;
    expect(nextSlaWakeUp(later, CATALOG, t('2026-06-09T13:00'))).toBe(t('2026-06-09T17:00'));
    const breached = reachThresholds(later, CATALOG, t('2026-06-09T17:00')).slas;
    expect(nextSlaWakeUp(breached, CATALOG, t('2026-06-09T17:00'))).toBeNull();
  });

  it('skips a warning already announced and a threshold that is not after now', () => {
    const { slas } = play([['2026-06-08T09:00', {}]]);
    // at 11:00 the 50 % response warning is due now (reachThresholds' job), so the next instant is the breach
    expect(nextSlaWakeUp(slas, CATALOG, t('2026-06-08T11:00'))).toBe(t('2026-06-08T13:00'));
  });

  it('is null when nothing runs', () => {
    expect(nextSlaWakeUp([], CATALOG, t('2026-06-08T09:00'))).toBeNull();
    const held = play([['2026-06-08T09:00', { state: 'on_hold', holdReason: 'awaiting_caller' }]]).slas;
    expect(nextSlaWakeUp(held, CATALOG, t('2026-06-08T09:00'))).toBeNull();
  });
});

describe('slaDisplay', () => {
  const [, r] = play([['2026-06-08T09:00', {}]]).slas;

  it('shows on track, warning at the highest warning ratio, then breached with a negative remainder', () => {
    expect(display(r, '2026-06-08T12:00')).toEqual({
      name: 'Resolution',
      metric: 'resolution',
      policy: 'res',
      status: 'on_track',
      breached: false,
      dueAt: t('2026-06-09T17:00'),
      originalDueAt: t('2026-06-09T17:00'),
      targetMs: 16 * H,
      elapsedBusinessMs: 3 * H,
      remainingBusinessMs: 13 * H,
    });
    expect(display(r, '2026-06-09T09:00').status).toBe('on_track'); // 50 % passed, 75 % not yet
    expect(display(r, '2026-06-09T13:00').status).toBe('warning');
    expect(display(r, '2026-06-09T17:00')).toMatchObject({ status: 'breached', breached: true, remainingBusinessMs: 0 });
    expect(display(r, '2026-06-10T10:00')).toMatchObject({ status: 'breached', remainingBusinessMs: -1 * H });
  });

  it('a policy without warnings never shows warning', () => {
    const catalog: SlaCatalog = { ...CATALOG, policies: [resp, { ...res, warnings: [] }, resP1, req] };
    expect(display(r, '2026-06-09T16:59', catalog).status).toBe('on_track');
  });

  it('names a calendar missing from the catalog', () => {
    const catalog: SlaCatalog = { ...CATALOG, calendars: { '24x7': ALWAYS } };
    expect(() => display(r, '2026-06-09T09:00', catalog)).toThrow("SLA calendar 'office' is not in the catalog");
    expect(() => reconcileSlas([], view(), catalog, t('2026-06-08T09:00'))).toThrow(/calendar 'office'/);
  });
});

// ---- the shipped catalog: the worked examples of docs/sla.md ------------------------------

describe('docs/sla.md worked examples (shipped catalog, Europe/London = UTC+1 in summer)', () => {
  const shipped = loadSlaCatalog(path.resolve(__dirname, '../../catalog'));
  const run = (steps: Step[], from?: Played) => play(steps, shipped, from);
  const show = (sla: TicketSla, at: string) => slaDisplay(sla, shipped, t(at));

  it('1. a P3 incident logged Friday 16:00, on hold over Monday night, due the next Friday 10:00', () => {
    const logged = run([
      ['2026-06-05T15:00', {}], // Fri 16:00 London
      ['2026-06-05T15:20', { state: 'in_progress' }],
    ]);
    expect(show(response(logged.slas), '2026-06-05T15:20')).toMatchObject({ name: 'Incident response', status: 'completed', elapsedBusinessMs: H / 3, breached: false });
    // 30 business hours: Fri 2 h, Mon 10, Tue 10, Wed 8 → Wed 10 June 16:00 London
    expect(resolution(logged.slas).clock.originalDueAt).toBe(t('2026-06-10T15:00'));

    const { slas } = run(
      [
        ['2026-06-08T09:00', { state: 'on_hold', holdReason: 'awaiting_caller' }], // Mon 10:00 London
        ['2026-06-09T13:00', { state: 'in_progress', holdReason: null }], // Tue 14:00 London
      ],
      logged,
    );
    // 4 h spent, 26 h left from Tue 14:00: Tue 4, Wed 10, Thu 10, Fri 2 → Fri 12 June 10:00 London
    expect(show(resolution(slas), '2026-06-09T13:00')).toMatchObject({ elapsedBusinessMs: 4 * H, dueAt: t('2026-06-12T09:00'), originalDueAt: t('2026-06-10T15:00') });
    // 50 % (15 h) Wed 15:00 London, 75 % (22.5 h) Thu 12:30 London, breach Fri 10:00 London
    expect(nextSlaWakeUp(slas, shipped, t('2026-06-09T13:00'))).toBe(t('2026-06-10T14:00'));
    const w1 = reachThresholds(slas, shipped, t('2026-06-10T14:00'));
    expect(nextSlaWakeUp(w1.slas, shipped, t('2026-06-10T14:00'))).toBe('2026-06-11T11:30:00.000Z');
    const w2 = reachThresholds(w1.slas, shipped, '2026-06-11T11:30:00.000Z');
    expect(nextSlaWakeUp(w2.slas, shipped, '2026-06-11T11:30:00.000Z')).toBe(t('2026-06-12T09:00'));
    const breach = reachThresholds(w2.slas, shipped, t('2026-06-12T09:00'));
    expect(breach.reached).toEqual([
      {
        sla: 'Incident resolution',
        policy: 'incident-resolution',
        metric: 'resolution',
        kind: 'breach',
        ratio: 1,
        dueAt: t('2026-06-12T09:00'),
        actions: [{ type: 'notify_group_manager' }, { type: 'raise_priority' }],
      },
    ]);
  });

  it('2. raised from P3 to P1 during office hours: carried over to the 24×7 major policy', () => {
    const { slas } = run([
      ['2026-06-08T08:00', {}], // Mon 09:00 London
      ['2026-06-08T08:10', { state: 'in_progress' }],
      ['2026-06-08T09:30', { priority: 'P1' }], // 10:30 London
    ]);
    expect(resolution(slas)).toMatchObject({ policy: 'incident-resolution-major', originalPolicy: 'incident-resolution', calendar: '24x7' });
    expect(show(resolution(slas), '2026-06-08T09:30')).toMatchObject({
      targetMs: 4 * H,
      elapsedBusinessMs: 1.5 * H,
      dueAt: t('2026-06-08T12:00'), // 13:00 London
      originalDueAt: t('2026-06-08T12:00'),
    });
  });

  it('3. raised from P3 to P2 the morning after: the night counts on 24×7, so it is breached at once', () => {
    const { slas } = run([
      ['2026-06-08T16:00', {}], // Mon 17:00 London
      ['2026-06-09T08:00', { priority: 'P2' }], // Tue 09:00 London
    ]);
    // 2 business hours so far, but 16 h on 24×7 against an 8 h target
    expect(show(resolution(slas), '2026-06-09T08:00')).toMatchObject({ status: 'breached', elapsedBusinessMs: 16 * H, dueAt: t('2026-06-09T00:00') });
    const { reached } = reachThresholds(slas, shipped, t('2026-06-09T08:00'));
    expect(reached.filter((e) => e.kind === 'breach').map((e) => [e.sla, e.dueAt])).toEqual([
      ['Incident response', t('2026-06-08T16:30')], // the P2 response target (30 min) is carried over too
      ['Incident resolution (major, 24×7)', t('2026-06-09T00:00')],
    ]);
  });

  it('4. reopened two days after resolution: the resolved time counts as paused', () => {
    const { slas } = run([
      ['2026-06-08T08:00', { priority: 'P4' }], // Mon 09:00 London
      ['2026-06-08T08:30', { state: 'in_progress' }],
      ['2026-06-08T14:00', { state: 'resolved' }], // Mon 15:00 London: 6 h of 50 h
      ['2026-06-10T10:00', { state: 'in_progress' }], // Wed 11:00 London
    ]);
    const r = resolution(slas);
    // 50 h from Mon 09:00: Mon 9, Tue–Fri 40, Mon 1 → Mon 15 June 09:00 London
    expect(r.clock.originalDueAt).toBe(t('2026-06-15T08:00'));
    // 6 h spent, 44 h left from Wed 11:00: Wed 7, Thu 10, Fri 10, Mon 10, Tue 7 → Tue 16 June 15:00 London
    expect(show(r, '2026-06-10T11:00')).toMatchObject({ status: 'on_track', elapsedBusinessMs: 7 * H, dueAt: t('2026-06-16T14:00') });
  });

  it('5. a request paused while it goes back for approval', () => {
    const { slas } = run([
      ['2026-06-08T08:00', { kind: 'request' }],
      ['2026-06-08T08:05', { state: 'pending_approval' }],
      ['2026-06-08T13:00', { state: 'in_fulfilment' }], // Mon 14:00 London: 30 h → Thu 14:00 London
      ['2026-06-09T09:00', { state: 'pending_approval' }], // Tue 10:00 London
      ['2026-06-10T09:00', { state: 'in_fulfilment' }], // Wed 10:00 London: 10 business hours paused
    ]);
    const f = resolution(slas);
    expect(f).toMatchObject({ policy: 'request-fulfilment', clock: { startedAt: t('2026-06-08T13:00'), originalDueAt: t('2026-06-11T13:00') } });
    // Mon 14–18 and Tue 08–10 London: 6 h; 24 h left from Wed 10:00: Wed 8, Thu 10, Fri 6 → Fri 14:00 London
    expect(show(f, '2026-06-10T09:00')).toMatchObject({ elapsedBusinessMs: 6 * H, dueAt: t('2026-06-12T13:00') });
  });

  it('6. the August bank holiday is skipped', () => {
    const { slas } = run([['2026-08-28T15:00', {}]]); // Fri 28 Aug 16:00 London; Mon 31 Aug is a holiday
    // Fri 2 h, Tue 10, Wed 10, Thu 8 → Thu 3 Sep 16:00 London
    expect(resolution(slas).clock.originalDueAt).toBe(t('2026-09-03T15:00'));
  });
});
