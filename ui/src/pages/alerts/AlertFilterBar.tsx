import { ALERT_SOURCES, ALERT_STATES, type AlertFilters, SEVERITIES } from '../../api';
import { toggle } from './alertFilters';

/**
 * State, severity and source chips, and the CI, application, group and label filters in
 * force (set by clicking them in the list), each removable. `names` shows a CI or an
 * application by name when the list knows it.
 */
export function AlertFilterBar({ filters, onChange, names = {} }: { filters: AlertFilters; onChange: (next: AlertFilters) => void; names?: Record<string, string> }) {
  const chips = <T extends string>(label: string, values: readonly T[], chosen: T[] | undefined, key: 'state' | 'severity' | 'source') => (
    <div className="chip-row" role="group" aria-label={label}>
      {values.map((value) => (
        <button key={value} type="button" className="chip" aria-pressed={chosen?.includes(value) ?? false} onClick={() => onChange({ ...filters, [key]: toggle(chosen, value) })} data-testid={`filter-${key}-${value}`}>
          {value}
        </button>
      ))}
    </div>
  );
  const scoped: Array<{ key: 'ci' | 'application' | 'group'; label: string }> = [
    { key: 'ci', label: 'CI' },
    { key: 'application', label: 'Application' },
    { key: 'group', label: 'Group' },
  ];
  const inForce = scoped.filter((s) => filters[s.key]);
  return (
    <section className="card filter-card alert-filters" aria-label="Filter alerts" data-testid="alert-filters">
      {chips('State', ALERT_STATES, filters.state, 'state')}
      {chips('Severity', SEVERITIES, filters.severity, 'severity')}
      {chips('Source', ALERT_SOURCES, filters.source, 'source')}
      {(inForce.length > 0 || (filters.label?.length ?? 0) > 0) && (
        <div className="chip-row" aria-label="Filters in force">
          {inForce.map(({ key, label }) => (
            <button key={key} type="button" className="chip chip-filter" aria-pressed onClick={() => onChange({ ...filters, [key]: undefined })} title="Remove this filter" data-testid={`filter-${key}`}>
              {label}: {names[filters[key]!] ?? filters[key]} ×
            </button>
          ))}
          {filters.label?.map((label) => (
            <button key={label} type="button" className="chip chip-filter" aria-pressed onClick={() => onChange({ ...filters, label: filters.label!.filter((l) => l !== label) })} title="Remove this filter">
              {label} ×
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
