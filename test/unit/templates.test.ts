import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../activities/templates';
import { applyAction, openIncident } from '../../domain/incident';

describe('shipped notification templates', () => {
  const render = loadTemplates();
  const opened = openIncident({ title: 'Disk full on db01', description: '95% used', impact: 2, urgency: 2 }, 'INC0000007', 'erin', '2026-01-05T10:00:00.000Z');
  const incident = applyAction(opened, { type: 'assign', assignee: 'dave' }, 'erin', '2026-01-05T10:01:00.000Z');

  it.each(fs.readdirSync(DEFAULT_TEMPLATES_DIR))('%s renders a one-line subject naming the ticket, and text and HTML bodies', (event) => {
    const message = render(event, { incident, recipient: { name: 'Dave' }, actor: 'erin', from: 'new', link: 'http://x/incidents/INC0000007' });
    expect(message.subject).toMatch(/^\[INC0000007\] .+$/);
    expect(message.text).toContain('INC0000007');
    expect(message.html).toContain('href="http://x/incidents/INC0000007"');
  });

  it('refuses a template folder that lacks a part, naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-templates-'));
    fs.mkdirSync(path.join(dir, 'incident.created'));
    fs.writeFileSync(path.join(dir, 'incident.created', 'subject.hbs'), 'x');
    expect(() => loadTemplates(dir)).toThrow(/template incident.created has no text.hbs/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
