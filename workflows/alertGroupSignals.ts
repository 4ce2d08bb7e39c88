import { defineSignal } from '@temporalio/workflow';

/** How other workflows and the API address a group: by its key. */
export const alertGroupWorkflowId = (key: string) => `alert-group/${key}`;

/**
 * From an incident's workflow to the alert group that opened it: a person started work on
 * the incident (its acknowledgement), so the group acknowledges the incident's alerts. Its
 * own file because the ticket workflow and the group workflow both need it, and the group
 * already imports the ticket's signals.
 */
export const incidentAcknowledgedSignal = defineSignal<[{ number: string; by: string; at: string }]>('alertGroup.incidentAcknowledged');
