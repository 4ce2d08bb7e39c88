import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openRequest } from '../../domain/ticket/request';
import type { Ticket } from '../../domain/ticket/ticket';
import { loadCatalog } from '../../runtime/catalog';
import { auditModel } from '../../store/audit';
import { ticketWorkflow } from '../../workflows/ticket';
import { startTicketTimeSkipping, type TicketTimeSkipping } from '../setup/timeSkipping';

// An approval's due time with its real duration on the time-skipping test server. In its own
// file: the Java test server (1.38) stops skipping time in an environment once one workflow
// there has completed, so each completing scenario gets its own environment.
const HOUR = 3_600_000;
const catalog = loadCatalog();
let stack: TicketTimeSkipping | undefined;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  stack = await startTicketTimeSkipping('approval-due');
  env = stack.env;
}, 600_000);
afterAll(() => stack?.stop());

it('rejects a request whose approval is not decided within its 5-day due time', async () => {
  const number = 'REQ9000001';
  const at = new Date(await env.currentTimeMs()).toISOString();
  const request = openRequest(
    {
      item: { id: 'vpn-access', name: 'VPN access', category: 'Access', fulfilmentGroup: 'network', tasks: [{ title: 'Grant VPN', group: 'network' }] },
      answers: {},
      approvalLevels: [{ name: 'Manager', approvers: ['mia'], mode: { type: 'any' }, dueInMs: 5 * 24 * HOUR, onDue: 'reject' }],
    },
    number,
    { actor: 'carol', now: at, settings: catalog.settings },
  );
  const handle = await env.client.workflow.start(ticketWorkflow, { taskQueue: stack!.taskQueue, workflowId: `ticket/${number}`, args: [{ ticket: request }] });
  const lapsed: Ticket = await handle.result();

  expect(lapsed.state).toBe('rejected');
  // Nobody decided: the due time did, and mia is no longer asked.
  expect(lapsed.kind === 'request' && lapsed.approval!.levels[0]!.approvers[0]).toMatchObject({ user: 'mia', state: 'not_required' });
  const waited = Date.parse(lapsed.updatedAt) - Date.parse(at);
  expect(waited).toBeGreaterThanOrEqual(5 * 24 * HOUR);
  expect(waited).toBeLessThan(5 * 24 * HOUR + HOUR);
  const audit = await auditModel(stack!.db).find({ 'target.id': number }).lean<Array<{ action: string; actor: { type: string } }>>().exec();
  expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'request.approval_due', actor: expect.objectContaining({ type: 'workflow', id: `ticket/${number}` }) })]));
});
