import { type ActionBodies, type ActionType, act, type Problem, type Ticket, toProblem } from '../../api';

/** What happened to one selected row: kept until dismissed, so no row's error is lost. */
export type RowResult = { status: 'running' } | { status: 'done'; message: string } | { status: 'failed'; problem: Problem };

/** One action for many tickets, with the body each gets (the same for all, today). */
export interface BulkAction<A extends ActionType = ActionType> {
  type: A;
  body: ActionBodies[A];
  /** What success says, e.g. "Assigned to alice". */
  done: string;
}

/**
 * Runs the action on each ticket in turn — never in parallel, so the server sees what an
 * agent clicking through would do — with the version each row shows (a row changed
 * meanwhile fails with 412). Every row's outcome is reported as it happens.
 */
export async function runBulk(tickets: Ticket[], action: BulkAction, report: (number: string, result: RowResult, updated?: Ticket) => void): Promise<void> {
  for (const ticket of tickets) {
    report(ticket.number, { status: 'running' });
    try {
      const updated = await act(ticket.number, action.type, action.body, ticket.version);
      report(ticket.number, { status: 'done', message: action.done }, updated);
    } catch (error) {
      report(ticket.number, { status: 'failed', problem: toProblem(error) });
    }
  }
}
