/**
 * The innermost message of an error chain: the activity's or the workflow's own words,
 * not Temporal's "Activity task failed" / "Workflow execution failed" wrappers.
 */
export function rootMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current?.message ?? String(error);
}
