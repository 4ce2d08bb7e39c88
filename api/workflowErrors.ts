import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FAILURE } from '../workflows/ticket';
import { ConflictError, PreconditionFailedError, type Problem, UnavailableError } from './problem';

const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** Turns a failed workflow call into the problem an API client can act on, or rethrows. */
export function workflowProblem(error: unknown, ticket: string): Problem {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    if (error.cause.type === FAILURE.rejected) return new ConflictError(error.cause.message);
    if (error.cause.type === FAILURE.stale) return new PreconditionFailedError(error.cause.message);
  }
  if (error instanceof WorkflowNotFoundError) return new ConflictError(`${ticket} accepts no more actions: its workflow has finished`);
  const code = (error as { code?: number; cause?: { code?: number } }).code ?? (error as { cause?: { code?: number } }).cause?.code;
  if (error instanceof ServiceError && (code === UNAVAILABLE || code === DEADLINE_EXCEEDED)) {
    return new UnavailableError('the workflow engine (Temporal) is unreachable; nothing was changed, try again shortly');
  }
  throw error;
}
