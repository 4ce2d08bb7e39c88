import { Link } from '../../router';

export type AlertTab = 'alerts' | 'groups' | 'silences' | 'maintenance';

/** The alert center's pages side by side; the list and the grouped view keep the filters (`search`) between them. */
export function AlertTabs({ current, search }: { current: AlertTab; search?: URLSearchParams }) {
  const query = search && search.toString() ? `?${search}` : '';
  const tab = (to: string, name: AlertTab, label: string) => (
    <Link to={to} className="filter" aria-current={current === name ? 'page' : undefined} data-testid={`alert-tab-${name}`}>
      {label}
    </Link>
  );
  return (
    <nav className="filters" aria-label="Alert center">
      {tab(`/alerts${query}`, 'alerts', 'Alerts')}
      {tab(`/alerts/groups${query}`, 'groups', 'Grouped')}
      {tab('/alerts/silences', 'silences', 'Silences')}
      {tab('/alerts/maintenance', 'maintenance', 'Maintenance')}
    </nav>
  );
}
