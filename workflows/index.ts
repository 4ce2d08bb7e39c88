// Everything the worker's workflow bundle exports: one line per workflow type.
export { incidentWorkflow } from './incident';
