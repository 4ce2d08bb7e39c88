// Workflow code for bench/tickets.ts: bundled on its own, runs in Temporal's sandbox.

/** Does nothing: measures the cost of starting (and finishing) a bare workflow. */
export async function emptyWorkflow(): Promise<string> {
  return 'ok';
}
