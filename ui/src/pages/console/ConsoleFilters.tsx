import { type RefObject, useEffect, useState } from 'react';
import { INCIDENT_STATES, LISTED_KINDS, type ListedKind, PRIORITIES, PROBLEM_STATES, REQUEST_STATES, type TicketFilters, type TicketState } from '../../api';
import { KIND_LABELS, PRIORITY_LABELS, STATE_LABELS } from '../../format';
import { useGroups } from '../../useGroups';

const STATES_OF: Record<ListedKind, readonly TicketState[]> = { incident: INCIDENT_STATES, request: REQUEST_STATES, problem: PROBLEM_STATES };
const ALL_STATES = [...new Set(LISTED_KINDS.flatMap((k) => STATES_OF[k]))];
const SEARCH_DELAY_MS = 300;

/** The filters of a queue and its search box; every change goes to the URL. */
export function ConsoleFilters({ filters, onChange, searchRef }: { filters: TicketFilters; onChange: (filters: TicketFilters) => void; searchRef: RefObject<HTMLInputElement | null> }) {
  const groups = useGroups();
  const [q, setQ] = useState(filters.q ?? '');
  const states = filters.kind ? STATES_OF[filters.kind] : ALL_STATES;
  const set = (key: keyof TicketFilters, value: string) => onChange({ ...filters, [key]: value || undefined });

  // The box follows the URL (back, a saved view) unless the user is typing in it, and the
  // URL follows typing after a pause.
  useEffect(() => {
    if (document.activeElement !== searchRef.current) setQ(filters.q ?? '');
  }, [filters.q, searchRef]);
  useEffect(() => {
    if (q.trim() === (filters.q ?? '')) return;
    const timer = window.setTimeout(() => onChange({ ...filters, q: q.trim() || undefined }), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [q, filters, onChange]);

  const active = Object.values(filters).some(Boolean);

  return (
    <div className="console-filters" role="search">
      <input
        ref={searchRef}
        type="search"
        className="search console-search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onChange({ ...filters, q: q.trim() || undefined });
          if (e.key === 'Escape') e.currentTarget.blur();
        }}
        placeholder="Search by number or words  ( / )"
        aria-label="Search tickets by number or words"
        data-testid="console-search"
      />
      <FilterSelect id="filter-kind" label="Kind" value={filters.kind} onChange={(v) => onChange({ ...filters, kind: (v || undefined) as ListedKind | undefined, state: undefined })} options={LISTED_KINDS.map((k) => [k, KIND_LABELS[k]])} />
      <FilterSelect id="filter-state" label="State" value={filters.state} onChange={(v) => set('state', v)} options={states.map((s) => [s, STATE_LABELS[s]])} />
      <FilterSelect id="filter-priority" label="Priority" value={filters.priority} onChange={(v) => set('priority', v)} options={PRIORITIES.map((p) => [p, `${p} · ${PRIORITY_LABELS[p]}`])} />
      {groups ? (
        <FilterSelect id="filter-group" label="Group" value={filters.group} onChange={(v) => set('group', v)} options={groups.map((g) => [g.name, g.displayName])} />
      ) : (
        <FilterText id="filter-group" label="Group" value={filters.group} onChange={(v) => set('group', v)} />
      )}
      <FilterText id="filter-assignee" label="Assignee" value={filters.assignee} onChange={(v) => set('assignee', v)} />
      {active && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange({})} data-testid="clear-filters">
          Clear filters
        </button>
      )}
    </div>
  );
}

function FilterSelect({ id, label, value, onChange, options }: { id: string; label: string; value: string | undefined; onChange: (value: string) => void; options: Array<[string, string]> }) {
  return (
    <label className="filter-field" htmlFor={id}>
      <span className="filter-label">{label}</span>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value)} className={value ? 'is-set' : undefined}>
        <option value="">Any</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A typed filter, applied on Enter or when the field is left. */
function FilterText({ id, label, value, onChange }: { id: string; label: string; value: string | undefined; onChange: (value: string) => void }) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const apply = () => text.trim() !== (value ?? '') && onChange(text.trim());
  return (
    <label className="filter-field" htmlFor={id}>
      <span className="filter-label">{label}</span>
      <input id={id} type="text" value={text} onChange={(e) => setText(e.target.value)} onBlur={apply} onKeyDown={(e) => e.key === 'Enter' && apply()} placeholder="Any" autoComplete="off" spellCheck={false} className={value ? 'is-set' : undefined} />
    </label>
  );
}
