import { ALERT_SOURCES, ALERT_STATES, type AlertFilters, type AlertState, SEVERITIES } from '../../api';

/** What an operator looks at first: what is not resolved. */
export const OPEN: AlertState[] = ['firing', 'acknowledged', 'suppressed'];

/** The console's filters from its URL (`state` absent: the open states; present and empty: every state). */
export function filtersFrom(search: URLSearchParams): AlertFilters {
  const list = <T extends string>(key: string, allowed: readonly T[]) => (search.get(key) ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
  const text = (key: string) => search.get(key)?.trim() || undefined;
  return {
    state: search.has('state') ? list('state', ALERT_STATES) : OPEN,
    severity: list('severity', SEVERITIES),
    source: list('source', ALERT_SOURCES),
    label: search.getAll('label').filter((l) => l.includes('=')),
    ci: text('ci'),
    application: text('application'),
    group: text('group'),
  };
}

/** The URL of `path` with the filters; `state` is always written, so "every state" survives a reload. */
export function hrefOf(path: string, filters: AlertFilters): string {
  const query = new URLSearchParams();
  query.set('state', (filters.state ?? []).join(','));
  if (filters.severity?.length) query.set('severity', filters.severity.join(','));
  if (filters.source?.length) query.set('source', filters.source.join(','));
  for (const label of filters.label ?? []) query.append('label', label);
  if (filters.ci) query.set('ci', filters.ci);
  if (filters.application) query.set('application', filters.application);
  if (filters.group) query.set('group', filters.group);
  return `${path}?${query}`;
}

export const toggle = <T,>(list: T[] | undefined, value: T) => (list?.includes(value) ? list.filter((v) => v !== value) : [...(list ?? []), value]);
