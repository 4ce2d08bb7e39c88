/**
 * A tiny History API router: the current location is an external store that changes on
 * popstate and on navigate(); <Link> renders a real anchor (so middle-click and "open in
 * new tab" work) and intercepts plain left clicks.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

const CHANGE = 'flowdesk:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: URLSearchParams;
  href: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams, href };
}

export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
  if (!replace) window.scrollTo(0, 0);
}

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'console' }
  | { name: 'newTicket' }
  | { name: 'ticket'; number: string }
  | { name: 'mine' }
  | { name: 'approvals' }
  | { name: 'notifications' }
  | { name: 'profile' }
  | { name: 'users' }
  | { name: 'groups' }
  | { name: 'roles' }
  | { name: 'audit' }
  | { name: 'catalog' }
  | { name: 'catalogItem'; id: string }
  | { name: 'cmdb' }
  | { name: 'ci'; id: string }
  | { name: 'newCi' }
  | { name: 'rack'; id: string }
  | { name: 'dataCentres' }
  | { name: 'cmdbModel' }
  | { name: 'credentials' }
  | { name: 'discovery' }
  | { name: 'discoveryRun'; id: string }
  | { name: 'automationLibrary'; kind: 'runbook' | 'script' }
  | { name: 'automationEntry'; kind: 'runbook' | 'script'; id: string }
  | { name: 'automationRunForm'; id: string }
  | { name: 'automationRuns' }
  | { name: 'automationRun'; id: string }
  | { name: 'automationSchedules' }
  | { name: 'automationSafety' }
  | { name: 'alerts' }
  | { name: 'alert'; id: string }
  | { name: 'silences' }
  | { name: 'alertGroups' }
  | { name: 'maintenance' }
  | { name: 'redirect'; to: string }
  | { name: 'notFound' };

export function match(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  // The start page depends on who signs in: App sends agents to the console, others to the portal.
  if (path === '/') return { name: 'home' };
  if (path === '/login') return { name: 'login' };
  if (path === '/profile') return { name: 'profile' };
  if (path === '/admin') return { name: 'redirect', to: '/admin/users' };
  if (path === '/admin/users') return { name: 'users' };
  if (path === '/admin/groups') return { name: 'groups' };
  if (path === '/admin/roles') return { name: 'roles' };
  if (path === '/admin/credentials') return { name: 'credentials' };
  if (path === '/audit') return { name: 'audit' };
  if (path === '/console') return { name: 'console' };
  if (path === '/notifications') return { name: 'notifications' };
  if (path === '/portal') return { name: 'redirect', to: '/portal/catalog' };
  if (path === '/portal/mine') return { name: 'mine' };
  if (path === '/portal/approvals') return { name: 'approvals' };
  if (path === '/portal/catalog') return { name: 'catalog' };
  const catalogItem = /^\/portal\/catalog\/([^/]+)$/.exec(path);
  if (catalogItem) return { name: 'catalogItem', id: decodeURIComponent(catalogItem[1]!) };
  if (path === '/cmdb') return { name: 'cmdb' };
  if (path === '/cmdb/new') return { name: 'newCi' };
  if (path === '/cmdb/datacentres') return { name: 'dataCentres' };
  if (path === '/cmdb/model') return { name: 'cmdbModel' };
  const rack = /^\/cmdb\/racks\/([^/]+)$/.exec(path);
  if (rack) return { name: 'rack', id: decodeURIComponent(rack[1]!) };
  const ci = /^\/cmdb\/cis\/([^/]+)$/.exec(path);
  if (ci) return { name: 'ci', id: decodeURIComponent(ci[1]!) };
  if (path === '/cmdb/discovery') return { name: 'discovery' };
  const discoveryRun = /^\/cmdb\/discovery\/runs\/([^/]+)$/.exec(path);
  if (discoveryRun) return { name: 'discoveryRun', id: decodeURIComponent(discoveryRun[1]!) };
  if (path === '/automation') return { name: 'redirect', to: '/automation/runbooks' };
  if (path === '/automation/runbooks') return { name: 'automationLibrary', kind: 'runbook' };
  if (path === '/automation/scripts') return { name: 'automationLibrary', kind: 'script' };
  if (path === '/automation/runs') return { name: 'automationRuns' };
  if (path === '/automation/schedules') return { name: 'automationSchedules' };
  if (path === '/automation/safety') return { name: 'automationSafety' };
  const runForm = /^\/automation\/runbooks\/([^/]+)\/run$/.exec(path);
  if (runForm) return { name: 'automationRunForm', id: decodeURIComponent(runForm[1]!) };
  const entry = /^\/automation\/(runbooks|scripts)\/([^/]+)$/.exec(path);
  if (entry) return { name: 'automationEntry', kind: entry[1] === 'runbooks' ? 'runbook' : 'script', id: decodeURIComponent(entry[2]!) };
  const automationRun = /^\/automation\/runs\/([^/]+)$/.exec(path);
  if (automationRun) return { name: 'automationRun', id: decodeURIComponent(automationRun[1]!) };
  if (path === '/alerts') return { name: 'alerts' };
  if (path === '/alerts/silences') return { name: 'silences' };
  if (path === '/alerts/groups') return { name: 'alertGroups' };
  if (path === '/alerts/maintenance') return { name: 'maintenance' };
  const alert = /^\/alerts\/([^/]+)$/.exec(path);
  if (alert) return { name: 'alert', id: decodeURIComponent(alert[1]!) };
  if (path === '/tickets/new') return { name: 'newTicket' };
  const ticket = /^\/tickets\/([^/]+)$/.exec(path);
  if (ticket) return { name: 'ticket', number: decodeURIComponent(ticket[1]!) };
  return { name: 'notFound' };
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  function handle(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || rest.target) return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={handle} {...rest} />;
}
