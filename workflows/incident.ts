import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createTicketActivities } from '../activities/tickets';
import { applyAction, type Incident, type IncidentAction, isFinal, rejectionOf } from '../domain/incident';

const { persistIncident } = proxyActivities<ReturnType<typeof createTicketActivities>>({
  startToCloseTimeout: '30 seconds',
  // A store outage must not lose a transition: keep retrying, slower and slower.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface IncidentCommand {
  action: IncidentAction;
  actor: string;
  /** From the API's If-Match: reject when the ticket moved on since the caller read it. */
  expectedVersion?: number;
}

/** Failure types the API maps to HTTP statuses. */
export const FAILURE = { rejected: 'TransitionRejected', stale: 'VersionMismatch' } as const;

export const actUpdate = defineUpdate<Incident, [IncidentCommand]>('incident.act');
/** Sent with start: completes once the first projection is stored, so reads see the ticket. */
export const openedUpdate = defineUpdate<Incident>('incident.opened');
export const currentQuery = defineQuery<Incident>('incident.current');

export interface IncidentWorkflowInput {
  incident: Incident;
  /** Highest version already written to the store (carried over continue-as-new). */
  persistedVersion?: number;
}

export async function incidentWorkflow({ incident: initial, persistedVersion = 0 }: IncidentWorkflowInput): Promise<Incident> {
  let incident = initial;
  let persisted = persistedVersion;

  // One write in flight at a time, in version order: the store's version guard then only
  // has to stop late retries, not races between two of our own writes.
  let writes: Promise<void> = Promise.resolve();
  const persist = (snapshot: Incident): Promise<void> => {
    writes = writes.then(async () => {
      await persistIncident(snapshot);
      persisted = Math.max(persisted, snapshot.version);
    });
    return writes;
  };

  setHandler(currentQuery, () => incident);
  setHandler(
    openedUpdate,
    async () => {
      await condition(() => persisted >= initial.version);
      return incident;
    },
  );
  setHandler(
    actUpdate,
    async (command) => {
      validate(incident, command);
      // Apply synchronously (before any await) so concurrent updates see each other's result.
      incident = applyAction(incident, command.action, command.actor, new Date().toISOString());
      const snapshot = incident;
      await persist(snapshot);
      return snapshot;
    },
    { validator: (command) => validate(incident, command) },
  );

  if (persisted < incident.version) await persist(incident);
  await condition(() => isFinal(incident) || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  if (isFinal(incident)) return incident;
  return continueAsNew<typeof incidentWorkflow>({ incident, persistedVersion: persisted });
}

function validate(incident: Incident, { action, expectedVersion }: IncidentCommand): void {
  if (expectedVersion !== undefined && expectedVersion !== incident.version) {
    throw ApplicationFailure.nonRetryable(
      `${incident.number} is at version ${incident.version}, not ${expectedVersion}: reload it and try again`,
      FAILURE.stale,
    );
  }
  const rejection = rejectionOf(incident, action);
  if (rejection) throw ApplicationFailure.nonRetryable(rejection, FAILURE.rejected);
}
