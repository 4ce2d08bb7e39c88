/**
 * The intake adapters by source, one interface for all: the API's intake route picks the
 * adapter of its endpoint, calls `parse(body, { receivedAt, sender })`, answers 400 with the
 * errors, or stores the events (and the body under its digest) before answering 2xx.
 */

import { alertmanager } from './alertmanager';
import { events } from './events';
import type { SourceAdapter } from './adapter';
import { zabbix } from './zabbix';

export type { FieldProblem, IntakeContext, IntakeLimits, ParseResult, SourceAdapter } from './adapter';
export { DEFAULT_LIMITS } from './adapter';
export { MAX_REPORTED_PROBLEMS } from './fields';

export const ADAPTERS = { alertmanager, zabbix, events } as const satisfies Record<string, SourceAdapter>;

export type IntakeSource = keyof typeof ADAPTERS;

export function adapterFor(source: string): SourceAdapter | undefined {
  return Object.hasOwn(ADAPTERS, source) ? ADAPTERS[source as IntakeSource] : undefined;
}
