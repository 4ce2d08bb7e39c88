import type { AutomationEvidence } from '../../domain/ticket/automation';
import { openIncident } from '../../domain/ticket/incident';
import { DEFAULT_SETTINGS } from '../../domain/ticket/settings';
import { applyTicketAction, ticketRejection, withoutWorkNotes } from '../../domain/ticket/ticket';

const ctx = (now = '2026-06-01T08:00:00.000Z') => ({ actor: 'automation', now, settings: DEFAULT_SETTINGS });
const incident = () => openIncident({ title: 'Disk full', description: 'on lab-a', impact: 2, urgency: 2 }, 'INC0000001', { ...ctx(), actor: 'alice' });
const evidence: AutomationEvidence = {
  runId: 'RUN0000007',
  runbook: 'disk-usage',
  version: 3,
  status: 'failed',
  summary: '1 of 2 hosts failed',
  hosts: { succeeded: 1, failed: 1, not_run: 0 },
  link: 'https://flowdesk.example/api/v1/automation/runs/RUN0000007',
};

describe('automation evidence on a ticket', () => {
  it('is a timeline entry with the run’s result, one version later', () => {
    const before = incident();
    const after = applyTicketAction(before, { type: 'automation_result', evidence }, ctx('2026-06-01T09:00:00.000Z'));
    expect(after.version).toBe(before.version + 1);
    expect(after.timeline.at(-1)).toEqual({
      at: '2026-06-01T09:00:00.000Z',
      actor: 'automation',
      kind: 'automation',
      text: 'Run RUN0000007 of disk-usage v3 failed: 1 of 2 hosts failed (hosts: 1 succeeded, 1 failed)',
      run: evidence,
    });
    expect(before.timeline.some((e) => e.kind === 'automation')).toBe(false);
  });

  it('is written once per run', () => {
    const once = applyTicketAction(incident(), { type: 'automation_result', evidence }, ctx());
    expect(ticketRejection(once, { type: 'automation_result', evidence }, ctx())).toBe('INC0000001 already has the result of run RUN0000007');
    expect(ticketRejection(once, { type: 'automation_result', evidence: { ...evidence, runId: 'RUN0000008' } }, ctx())).toBeNull();
  });

  it('is taken by a resolved ticket, not by a closed one', () => {
    const resolved = { ...incident(), state: 'resolved' as const, resolvedAt: '2026-06-01T08:30:00.000Z' };
    expect(ticketRejection(resolved, { type: 'automation_result', evidence }, ctx())).toBeNull();
    expect(ticketRejection({ ...resolved, state: 'closed' }, { type: 'automation_result', evidence }, ctx())).toBe('INC0000001 is closed and accepts no more actions');
  });

  it('is for agents: callers are shown the ticket without it', () => {
    const withRun = applyTicketAction(incident(), { type: 'automation_result', evidence }, ctx());
    expect(withoutWorkNotes(withRun).timeline.map((e) => e.kind)).toEqual(['created']);
  });
});
