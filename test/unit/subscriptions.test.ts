import type { TicketEvent, TicketEventType } from '../../domain/notification/event';
import { deliveriesFor, type Directory, peopleOf, recipientsOf, webhookWants } from '../../domain/notification/subscriptions';

function event(type: TicketEventType, overrides: Partial<TicketEvent> = {}, ticket: Partial<TicketEvent['ticket']> = {}): TicketEvent {
  return {
    id: `INC0000042/3/${type}`,
    type,
    at: '2026-03-02T09:15:00.000Z',
    actor: 'carol',
    detail: {},
    ...overrides,
    ticket: {
      number: 'INC0000042',
      kind: 'incident',
      title: 'Card payments fail',
      priority: 'P1',
      state: 'in_progress',
      assignmentGroup: 'payments',
      assignee: 'dave',
      openedBy: 'rita',
      watchers: ['walt'],
      ...ticket,
    },
  };
}

const person = (username: string, email: string | null = `${username}@bank.example`, active = true) => ({ username, displayName: username.toUpperCase(), email, active });
const directory: Directory = {
  users: Object.fromEntries(
    [person('rita'), person('dave'), person('walt'), person('carol'), person('gina'), person('gus', null), person('max'), person('olga', 'olga@bank.example', false), person('anna'), person('abe')].map((u) => [u.username, u]),
  ),
  group: { name: 'payments', members: ['gina', 'gus', 'carol', 'olga'], manager: 'max' },
};

const who = (e: TicketEvent, d: Directory = directory) => recipientsOf(e, d).map((r) => r.user.username).sort();

describe('who hears about a ticket event', () => {
  it.each([
    ['created', ['rita', 'walt']],
    ['commented', ['dave', 'rita', 'walt']],
    ['state_changed', ['dave', 'rita', 'walt']],
    ['resolved', ['rita', 'walt']],
    ['approval_decided', ['rita', 'walt']],
    ['assigned', ['dave', 'walt']],
  ] as const)('%s reaches %j', (type, expected) => {
    expect(who(event(type))).toEqual(expected);
  });

  it('tells the group members of a ticket assigned to the group with nobody picked', () => {
    const e = event('assigned', {}, { assignee: null });
    expect(who(e)).toEqual(['gina', 'gus', 'walt']); // not carol (the actor), not olga (inactive)
    expect(recipientsOf(e, directory).find((r) => r.user.username === 'gina')?.reasons).toEqual(['group']);
  });

  it('tells only the assignee, not the group, when a person is assigned', () => {
    expect(who(event('assigned', {}, { assignee: 'gina' }))).toEqual(['gina', 'walt']);
  });

  it('does not tell the members of another group than the one loaded', () => {
    expect(who(event('assigned', {}, { assignee: null, assignmentGroup: 'network' }))).toEqual(['walt']);
  });

  it('SLA events reach the roles the policy names, plus watchers', () => {
    expect(who(event('sla_warning', { detail: { notify: ['assignee'], sla: 'resolution' } }))).toEqual(['dave', 'walt']);
    expect(who(event('sla_breach', { detail: { notify: ['assignee', 'group_manager'] } }))).toEqual(['dave', 'max', 'walt']);
    expect(who(event('sla_breach', { detail: { notify: ['group_manager'] } }, { assignmentGroup: null }))).toEqual(['walt']);
    expect(who(event('sla_breach', { detail: {} }))).toEqual(['walt']);
    expect(who(event('sla_breach', { detail: { notify: 'assignee' } }))).toEqual(['walt']);
  });

  it('approval requests reach the approvers named in the event, plus watchers', () => {
    expect(who(event('approval_requested', { detail: { recipients: ['anna', 'abe'] } }))).toEqual(['abe', 'anna', 'walt']);
    expect(who(event('approval_requested'))).toEqual(['walt']);
  });

  it('never tells the actor of their own action', () => {
    expect(who(event('commented', { actor: 'rita' }))).toEqual(['dave', 'walt']);
    expect(who(event('commented', { actor: 'walt' }))).toEqual(['dave', 'rita']);
  });

  it('never tells inactive or unknown users', () => {
    expect(who(event('created', {}, { openedBy: 'olga', watchers: ['nobody'] }))).toEqual([]);
  });

  it('tells a person reached by several rules once, with every reason', () => {
    const e = event('commented', {}, { assignee: 'rita', watchers: ['rita', 'walt'] });
    const recipients = recipientsOf(e, directory);
    expect(recipients.map((r) => r.user.username).sort()).toEqual(['rita', 'walt']);
    expect(recipients.find((r) => r.user.username === 'rita')?.reasons).toEqual(['requester', 'assignee', 'watcher']);
  });

  it('lists the people to load from the directory', () => {
    const e = event('approval_requested', { detail: { recipients: ['anna'] } });
    expect(peopleOf(e, directory.group).sort()).toEqual(['anna', 'carol', 'dave', 'gina', 'gus', 'max', 'olga', 'rita', 'walt']);
    expect(peopleOf(event('created', {}, { assignee: null, watchers: [] }), null)).toEqual(['rita']);
  });
});

describe('deliveries of an event', () => {
  it('plans in-app for everyone and email for those with an address, with stable ids', () => {
    const e = event('assigned', {}, { assignee: null });
    const deliveries = deliveriesFor(e, directory, { email: true, webhooks: [] });
    expect(deliveries.map((d) => d.id).sort()).toEqual([
      'INC0000042/3/assigned/email/gina',
      'INC0000042/3/assigned/email/walt',
      'INC0000042/3/assigned/in_app/gina',
      'INC0000042/3/assigned/in_app/gus',
      'INC0000042/3/assigned/in_app/walt',
    ]);
    expect(deliveries.find((d) => d.id.endsWith('email/gina'))).toMatchObject({ channel: 'email', recipient: 'gina', name: 'GINA', address: 'gina@bank.example', event: e });
  });

  it('plans no email when the worker has no mail server', () => {
    const deliveries = deliveriesFor(event('created'), directory, { email: false, webhooks: [] });
    expect(deliveries.map((d) => d.channel)).toEqual(['in_app', 'in_app']);
  });

  it('plans each webhook whose filters all match, named but without URL or secret', () => {
    const webhooks = [
      { name: 'all' },
      { name: 'p1-incidents', kinds: ['incident' as const], priorities: ['P1' as const] },
      { name: 'changes', kinds: ['change' as const] },
      { name: 'breaches', events: ['sla_breach' as const] },
      { name: 'payments', groups: ['payments'] },
    ];
    const deliveries = deliveriesFor(event('created'), directory, { email: false, webhooks });
    expect(deliveries.filter((d) => d.channel === 'webhook')).toEqual([
      { id: 'INC0000042/3/created/webhook/all', channel: 'webhook', recipient: 'all', event: event('created') },
      expect.objectContaining({ recipient: 'p1-incidents' }),
      expect.objectContaining({ recipient: 'payments' }),
    ]);
  });

  it('matches a group filter only for tickets in one of the groups', () => {
    expect(webhookWants({ name: 'x', groups: ['payments'] }, event('created', {}, { assignmentGroup: null }))).toBe(false);
    expect(webhookWants({ name: 'x', groups: ['payments', 'network'] }, event('created', {}, { assignmentGroup: 'network' }))).toBe(true);
    expect(webhookWants({ name: 'x', events: ['created'], priorities: ['P2'] }, event('created'))).toBe(false);
  });
});
