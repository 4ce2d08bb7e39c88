import { type FormEvent, useState } from 'react';
import type { CmdbClass } from '../../api';

/** One attribute condition of a selector's `where`. */
export interface Filter {
  attribute: string;
  operator: 'eq' | 'ne' | 'in' | 'gt' | 'lt' | 'matches' | 'exists';
  value: string;
}

const OPERATORS: Array<[Filter['operator'], string]> = [
  ['eq', 'is'],
  ['ne', 'is not'],
  ['in', 'is one of (comma-separated)'],
  ['gt', 'greater than'],
  ['lt', 'less than'],
  ['matches', 'matches (regex)'],
  ['exists', 'has a value'],
];

/** A selector's `where` from the filters: numbers compared as numbers where the attribute is numeric. */
export function whereOf(cls: CmdbClass | undefined, filters: Filter[], nameContains: string): Record<string, Record<string, unknown>> {
  const where: Record<string, Record<string, unknown>> = {};
  const typed = (attribute: string, text: string): unknown => (['integer', 'number'].includes(cls?.attributes[attribute]?.type ?? '') && text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text);
  for (const f of filters) {
    const value = f.operator === 'exists' ? true : f.operator === 'in' ? f.value.split(',').map((v) => typed(f.attribute, v.trim())) : typed(f.attribute, f.value);
    where[f.attribute] = { ...where[f.attribute], [f.operator]: value };
  }
  if (nameContains.trim()) where.name = { ...where.name, matches: `.*${nameContains.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*` };
  return where;
}

export function CiFilters({ cls, filters, onChange }: { cls: CmdbClass | undefined; filters: Filter[]; onChange: (filters: Filter[]) => void }) {
  const attributes = Object.entries(cls?.attributes ?? {});
  const [attribute, setAttribute] = useState('');
  const [operator, setOperator] = useState<Filter['operator']>('eq');
  const [value, setValue] = useState('');
  const chosen = attribute || attributes[0]?.[0] || '';

  function add(event: FormEvent) {
    event.preventDefault();
    if (!chosen || (operator !== 'exists' && !value.trim())) return;
    onChange([...filters, { attribute: chosen, operator, value: value.trim() }]);
    setValue('');
  }

  const label = (name: string) => cls?.attributes[name]?.label ?? name;
  return (
    <div className="ci-filters">
      <form className="filter-row" onSubmit={add} aria-label="Add a filter">
        <label className="sr-only" htmlFor="filter-attribute">Attribute</label>
        <select id="filter-attribute" value={chosen} onChange={(e) => setAttribute(e.target.value)}>
          {attributes.map(([name, spec]) => (
            <option key={name} value={name}>{spec.label ?? name}</option>
          ))}
        </select>
        <label className="sr-only" htmlFor="filter-operator">Operator</label>
        <select id="filter-operator" value={operator} onChange={(e) => setOperator(e.target.value as Filter['operator'])}>
          {OPERATORS.map(([op, text]) => (
            <option key={op} value={op}>{text}</option>
          ))}
        </select>
        {operator !== 'exists' && (
          <>
            <label className="sr-only" htmlFor="filter-value">Value</label>
            {cls?.attributes[chosen]?.type === 'enum' && operator !== 'in' && operator !== 'matches' ? (
              <select id="filter-value" value={value} onChange={(e) => setValue(e.target.value)}>
                <option value="">Choose…</option>
                {cls.attributes[chosen]!.values!.map((v) => (
                  <option key={v} value={v}>{v}</option>
                ))}
              </select>
            ) : (
              <input id="filter-value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="value" />
            )}
          </>
        )}
        <button type="submit" className="btn btn-sm btn-secondary">Add filter</button>
      </form>
      {filters.length > 0 && (
        <ul className="filter-chips" aria-label="Filters">
          {filters.map((f, i) => (
            <li key={`${f.attribute}-${f.operator}-${i}`} className="filter-chip" data-testid="filter-chip">
              {label(f.attribute)} {OPERATORS.find(([op]) => op === f.operator)![1]} {f.operator !== 'exists' && <strong>{f.value}</strong>}
              <button type="button" className="btn-ghost btn-sm" aria-label={`Remove filter on ${label(f.attribute)}`} onClick={() => onChange(filters.filter((_, j) => j !== i))}>×</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
