import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../activities/templates';
import { TICKET_EVENT_TYPES, type TicketEvent, type TicketEventType } from '../../domain/notification/event';

/** A sample event of each type, with the detail its producer documents. */
const DETAIL: Record<TicketEventType, TicketEvent['detail']> = {
  created: {},
  assigned: {},
  commented: { text: 'Rolled back the gateway' },
  state_changed: { from: 'new', to: 'in_progress' },
  resolved: { resolutionCode: 'rollback', resolutionNotes: 'Rolled back to v1.8' },
  sla_warning: { sla: 'resolution', ratio: 0.75, dueAt: '2026-01-05T14:00:00.000Z', notify: ['assignee'] },
  sla_breach: { sla: 'resolution', ratio: 1, dueAt: '2026-01-05T14:00:00.000Z', notify: ['assignee'] },
  approval_requested: { recipients: ['anna'] },
  approval_decided: { approvers: ['anna'], decision: 'approved', comment: 'Go ahead' },
};

function contextOf(type: TicketEventType, title = 'Disk full on db01', recipient: object | null = { username: 'dave', name: 'Dave' }) {
  const event: TicketEvent = {
    id: `REQ0000007/2/${type}`,
    type,
    at: '2026-01-05T10:01:00.000Z',
    actor: 'erin',
    detail: DETAIL[type],
    ticket: { number: 'REQ0000007', kind: 'request', title, priority: 'P3', state: 'in_progress', assignmentGroup: 'dba', assignee: 'dave', openedBy: 'rita', watchers: [] },
  };
  return { event, ticket: event.ticket, actor: event.actor, detail: event.detail, url: 'http://x/tickets/REQ0000007', ...(recipient && { recipient }) };
}

describe('shipped notification templates', () => {
  const render = loadTemplates();

  it('exist for exactly the ticket event types', () => {
    expect(fs.readdirSync(DEFAULT_TEMPLATES_DIR).sort()).toEqual([...TICKET_EVENT_TYPES].sort());
  });

  it.each([...TICKET_EVENT_TYPES])('%s renders a one-line subject naming the ticket, and text and HTML bodies with the link', (type) => {
    const message = render(type, contextOf(type));
    expect(message.subject).toMatch(/^\[REQ0000007\] \S.+$/);
    expect(message.subject).not.toMatch(/\s{2}|undefined|\[object/);
    expect(message.text).toMatch(/^Hello Dave,\n\n/);
    expect(message.text).toContain('REQ0000007');
    expect(message.text).toContain('http://x/tickets/REQ0000007');
    expect(message.html).toContain('href="http://x/tickets/REQ0000007"');
    expect(message.text + message.html).not.toMatch(/undefined|\[object/);
  });

  it.each([...TICKET_EVENT_TYPES])('%s escapes user input in HTML and shows it as typed in text', (type) => {
    const message = render(type, contextOf(type, 'Fix <script>alert(1)</script>'));
    expect(message.subject).toContain('Fix <script>alert(1)</script>');
    expect(message.html).not.toContain('<script>');
  });

  it('renders without a greeting when there is no recipient (webhooks)', () => {
    const message = render('created', contextOf('created', undefined, null));
    expect(message.text).toMatch(/^rita opened REQ0000007 with priority P3\./);
  });

  it('says what happened, with the event detail', () => {
    expect(render('commented', contextOf('commented')).text).toContain('Rolled back the gateway');
    expect(render('state_changed', contextOf('state_changed')).text).toContain('erin moved REQ0000007 from new to in_progress.');
    expect(render('resolved', contextOf('resolved')).text).toContain('resolved by erin (rollback).\n\nRolled back to v1.8');
    expect(render('sla_breach', contextOf('sla_breach')).subject).toBe('[REQ0000007] SLA breached (resolution): Disk full on db01');
    expect(render('approval_decided', contextOf('approval_decided')).subject).toBe('[REQ0000007] Approval approved: Disk full on db01');
    expect(render('assigned', { ...contextOf('assigned'), ticket: { ...contextOf('assigned').ticket, assignee: null } }).subject).toBe('[REQ0000007] Assigned to group dba: Disk full on db01');
  });

  it('refuses a template folder that lacks a part, naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-templates-'));
    fs.mkdirSync(path.join(dir, 'created'));
    fs.writeFileSync(path.join(dir, 'created', 'subject.hbs'), 'x');
    expect(() => loadTemplates(dir)).toThrow(/template created has no text.hbs/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
