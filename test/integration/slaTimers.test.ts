import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection } from 'mongoose';
import { openIncident } from '../../domain/ticket/incident';
import type { Ticket, TicketAction } from '../../domain/ticket/ticket';
import { loadCatalog } from '../../runtime/catalog';
import { auditModel } from '../../store/audit';
import { ticketModel } from '../../store/tickets';
import { actUpdate, currentQuery, ticketWorkflow } from '../../workflows/ticket';
import { startTicketTimeSkipping, type TicketTimeSkipping } from '../setup/timeSkipping';

// The ticket workflow's SLA timers with real durations (hours, days) on the time-skipping
// test server: thresholds and breaches happen when the shipped policies say, not earlier.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const catalog = loadCatalog();

let env: TestWorkflowEnvironment;
let db: Connection;
let taskQueue: string;
let stack: TicketTimeSkipping | undefined;

beforeAll(async () => {
  stack = await startTicketTimeSkipping('sla');
  ({ env, db, taskQueue } = stack);
}, 600_000);
afterAll(() => stack?.stop());

let seq = 0;
/** A P2 incident (impact 1 × urgency 2) routed by hand and assigned, opened at the test server's now. */
async function openP2(): Promise<{ number: string; openedAt: number }> {
  const number = `INC${String(9_000_000 + ++seq)}`;
  const openedAt = await env.currentTimeMs();
  const ctx = { actor: 'carol', now: new Date(openedAt).toISOString(), settings: catalog.settings };
  const ticket = openIncident({ title: 'Payments slow', description: '', impact: 1, urgency: 2, assignmentGroup: 'service-desk' }, number, ctx);
  await env.client.workflow.start(ticketWorkflow, { taskQueue, workflowId: `ticket/${number}`, args: [{ ticket }] });
  await act(number, { type: 'assign', assignee: 'dave' });
  await act(number, { type: 'start' });
  return { number, openedAt };
}

const handle = (number: string) => env.client.workflow.getHandle(`ticket/${number}`);
const act = (number: string, action: TicketAction, actor = 'dave') =>
  handle(number).executeUpdate(actUpdate, { args: [{ action, actor }] });
const current = (number: string): Promise<Ticket> => handle(number).query(currentQuery);
/** The stored projection once the workflow's write of `version` landed. */
async function storedOnceAt(number: string, version: number) {
  for (;;) {
    const stored = await ticketModel(db).findById(number).lean<{ priority: string; version: number; slaDueAt: string | null }>().exec();
    if (stored && stored.version >= version) return stored;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const resolution = (ticket: Ticket) => ticket.slas.find((sla) => sla.metric === 'resolution')!;
const slaNotes = (ticket: Ticket) => ticket.timeline.filter((entry) => entry.kind === 'sla').map((entry) => entry.text);

describe('SLA timers on the ticket workflow', () => {
  it('warns at 50% and 75% of the 8-hour P2 target and breaches at 8 hours, then raises the priority', async () => {
    const { number, openedAt } = await openP2();
    expect(resolution(await current(number))).toMatchObject({ policy: 'incident-resolution-major', breached: false, warned: [] });

    await env.sleep(4 * HOUR - MINUTE);
    expect(slaNotes(await current(number))).toEqual([]);
    await env.sleep(2 * MINUTE);
    expect(slaNotes(await current(number))).toEqual([expect.stringMatching(/reached 50%/)]);
    await env.sleep(2 * HOUR);
    expect(slaNotes(await current(number))).toEqual([expect.stringMatching(/reached 50%/), expect.stringMatching(/reached 75%/)]);
    await env.sleep(2 * HOUR);

    const breached = await current(number);
    expect(slaNotes(breached)).toHaveLength(3);
    expect(slaNotes(breached)[2]).toMatch(/breached/);
    expect(resolution(breached)).toMatchObject({ breached: true, breachedAt: new Date(openedAt + 8 * HOUR).toISOString() });
    // raise_priority: P2 → P1, and the clock carries over to P1's 4-hour target, still breached.
    expect(breached.priority).toBe('P1');
    expect(breached.timeline.some((entry) => entry.kind === 'priority_changed' && entry.from === 'P2' && entry.to === 'P1')).toBe(true);
    expect(await storedOnceAt(number, breached.version)).toMatchObject({ priority: 'P1' });
    // What the workflow did by itself is in the audit trail, with the workflow as the actor.
    const auditedOf = () => auditModel(db).find({ 'target.id': number }).sort({ _id: 1 }).lean<Array<{ action: string; actor: { type: string; id: string } }>>().exec();
    let audited = await auditedOf();
    for (let waited = 0; audited.length < 3 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // appended right after the projection write
      audited = await auditedOf();
    }
    expect(audited.map((entry) => entry.action)).toEqual(['incident.sla_escalation', 'incident.sla_escalation', 'incident.sla_escalation']);
    expect(audited[2]!.actor).toMatchObject({ type: 'workflow', id: `ticket/${number}` });
  });

  it('moves the breach by the time spent awaiting the caller', async () => {
    const { number, openedAt } = await openP2();
    await env.sleep(HOUR);
    await act(number, { type: 'hold', reason: 'awaiting_caller', comment: 'Which account is affected?' });
    await env.sleep(5 * HOUR);
    expect(resolution(await current(number)).clock.stage).toBe('paused');
    await act(number, { type: 'comment', text: 'Account 42', workNote: false }, 'carol'); // the caller replies: back to work
    const resumed = await current(number);
    expect(resumed.state).toBe('in_progress');
    expect(resolution(resumed).clock.stage).toBe('in_progress');

    await env.sleep(7 * HOUR - 2 * MINUTE); // 1 h + 7 h of running time, minus a little: not yet
    expect(resolution(await current(number)).breached).toBe(false);
    await env.sleep(4 * MINUTE);
    const late = resolution(await current(number));
    expect(late.breached).toBe(true);
    // The due time moved by exactly the paused span (the hold and the reply happen at the workflow's clock).
    const [span] = late.clock.pausedSpans;
    const paused = Date.parse(span!.to!) - Date.parse(span!.from);
    expect(paused).toBeGreaterThanOrEqual(5 * HOUR);
    expect(paused).toBeLessThan(5 * HOUR + MINUTE);
    expect(Date.parse(late.breachedAt!)).toBe(openedAt + 8 * HOUR + paused);
    // The original breach time is kept while pauses move the real one (the breach later raises
    // the priority, and the clock's original due time then follows P1's 4-hour target).
    expect(resolution(resumed).clock.originalDueAt).toBe(new Date(openedAt + 8 * HOUR).toISOString());
  });

  // Kept last: once a workflow has completed, the Java test server (1.38) stops skipping time
  // for later env.sleep() calls in the same environment.
  it('closes a resolved incident by itself when the 7-day reopen window ends', async () => {
    const { number } = await openP2();
    await act(number, { type: 'resolve', resolutionCode: 'fixed', resolutionNotes: 'restarted the gateway' });
    // Awaiting the result lets the test server skip ahead to the workflow's next timer: the auto-close.
    const closed = await handle(number).result();
    expect(closed).toMatchObject({ state: 'closed' });
    expect(closed.timeline.at(-1)).toMatchObject({ actor: 'system', kind: 'state_changed', to: 'closed' });
    const openFor = Date.parse(closed.closedAt!) - Date.parse(closed.resolvedAt!);
    expect(openFor).toBeGreaterThanOrEqual(7 * 24 * HOUR);
    expect(openFor).toBeLessThan(7 * 24 * HOUR + MINUTE);
  });
});
