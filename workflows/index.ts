// Everything the worker's workflow bundle exports: one line per workflow type.
export { ticketWorkflow } from './ticket';
export { notificationWorkflow } from './notification';
export { discoveryWorkflow } from './discovery';
export { runWorkflow } from './run';
export { runChunkWorkflow } from './runChunk';
export { scheduledRunWorkflow } from './scheduledRun';
export { alertGroupWorkflow } from './alertGroup';
export { pollingWorkflow } from './polling';
