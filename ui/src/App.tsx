import { useCallback, useEffect, useRef, useState } from 'react';
import type { Me } from './api';
import { AccessDenied, BrandMark, ErrorAlert, NavIcon, PageHeader, Spinner } from './components';
import { NotificationBell } from './components/NotificationBell';
import { initials, roleLabel } from './format';
import { AuditPage } from './pages/Audit';
import { ConsolePage } from './pages/console/Console';
import { GroupsPage } from './pages/Groups';
import { LoginPage } from './pages/Login';
import { NewTicket } from './pages/NewTicket';
import { NotFound } from './pages/NotFound';
import { NotificationsPage } from './pages/Notifications';
import { ApprovalsPage } from './pages/portal/Approvals';
import { CatalogPage } from './pages/portal/Catalog';
import { MyTickets } from './pages/portal/MyTickets';
import { OrderItem } from './pages/portal/OrderItem';
import { ProfilePage } from './pages/Profile';
import { RolesPage } from './pages/Roles';
import { TicketPage } from './pages/ticket/TicketPage';
import { UsersPage } from './pages/Users';
import { CiDetail } from './pages/cmdb/CiDetail';
import { CmdbBrowser } from './pages/cmdb/CmdbBrowser';
import { ModelEditor } from './pages/cmdb/ModelEditor';
import { CredentialsPage } from './pages/Credentials';
import { NewCi } from './pages/cmdb/NewCi';
import { DataCentresPage, RackPage } from './pages/cmdb/RackPage';
import { DiscoveryPage } from './pages/discovery/DiscoveryPage';
import { RunReport } from './pages/discovery/RunReport';
import { EntryPage } from './pages/automation/EntryPage';
import { LibraryPage } from './pages/automation/LibraryPage';
import { RunForm } from './pages/automation/RunForm';
import { RunHistory } from './pages/automation/RunHistory';
import { RunView } from './pages/automation/RunView';
import { SafetyRulesPage } from './pages/automation/SafetyRulesPage';
import { SchedulesPage } from './pages/automation/SchedulesPage';
import { AlertConsole } from './pages/alerts/AlertConsole';
import { AlertDetail } from './pages/alerts/AlertDetail';
import { SilencesPage } from './pages/alerts/SilencesPage';
import { AlertGroupsPage } from './pages/alerts/AlertGroupsPage';
import { MaintenancePage } from './pages/alerts/MaintenancePage';
import { usePendingApprovalCount, usePollPendingApprovals } from './pendingApprovals';
import { Link, match, navigate, type Route, useLocation } from './router';
import { hasPermission, loadSession, signOut, useSession } from './session';
import { useDismiss } from './useDismiss';

/** The permission each page needs; the server checks the same and answers 403 otherwise. */
const NEEDS: Partial<Record<Route['name'], { permission: string; title: string }>> = {
  console: { permission: 'ticket.act', title: 'Console' },
  ticket: { permission: 'ticket.read', title: 'Ticket' },
  newTicket: { permission: 'ticket.create', title: 'New ticket' },
  mine: { permission: 'ticket.read', title: 'My requests' },
  approvals: { permission: 'approval.decide', title: 'Approvals' },
  users: { permission: 'identity.read', title: 'Users' },
  groups: { permission: 'identity.read', title: 'Groups' },
  roles: { permission: 'identity.read', title: 'Roles' },
  audit: { permission: 'audit.read', title: 'Audit trail' },
  cmdb: { permission: 'cmdb.read', title: 'CMDB' },
  ci: { permission: 'cmdb.read', title: 'Configuration item' },
  newCi: { permission: 'cmdb.write', title: 'New configuration item' },
  rack: { permission: 'cmdb.read', title: 'Rack' },
  dataCentres: { permission: 'cmdb.read', title: 'Data centres' },
  cmdbModel: { permission: 'cmdb.read', title: 'CMDB model' },
  credentials: { permission: 'credential.read', title: 'Credentials' },
  discovery: { permission: 'cmdb.read', title: 'Discovery' },
  discoveryRun: { permission: 'cmdb.read', title: 'Discovery run' },
  automationLibrary: { permission: 'automation.read', title: 'Automation library' },
  automationEntry: { permission: 'automation.read', title: 'Automation library' },
  automationRunForm: { permission: 'automation.run', title: 'Run a runbook' },
  automationRuns: { permission: 'automation.read', title: 'Runs' },
  automationRun: { permission: 'automation.read', title: 'Run' },
  automationSchedules: { permission: 'automation.read', title: 'Schedules' },
  automationSafety: { permission: 'automation.read', title: 'Safety rules' },
  alerts: { permission: 'alert.read', title: 'Alerts' },
  alert: { permission: 'alert.read', title: 'Alert' },
  silences: { permission: 'alert.read', title: 'Silences' },
  alertGroups: { permission: 'alert.read', title: 'Grouped alerts' },
  maintenance: { permission: 'alert.read', title: 'Maintenance' },
};

/** Where `/` leads: agents to their console, everyone else to the portal. */
export function homePath(me: Me): string {
  return hasPermission(me, 'ticket.act') ? '/console' : '/portal/catalog';
}

/** Which navigation entry a route belongs to. */
function sectionOf(route: Route, search: URLSearchParams, agent: boolean): string {
  if (route.name === 'ticket') return agent ? 'console' : 'mine';
  if (route.name === 'newTicket') return search.get('kind') === 'problem' ? 'newProblem' : 'newIncident';
  if (route.name === 'catalogItem') return 'catalog';
  if (route.name === 'discoveryRun') return 'discovery';
  if (route.name === 'ci' || route.name === 'newCi') return 'cmdb';
  if (route.name === 'rack') return 'dataCentres';
  if (route.name === 'automationEntry' || route.name === 'automationRunForm') return 'automationLibrary';
  if (route.name === 'automationRun') return 'automationRuns';
  if (route.name === 'alert' || route.name === 'alertGroups') return 'alerts';
  return route.name;
}

export function App() {
  const location = useLocation();
  const session = useSession();
  const route = match(location.pathname);
  const onLogin = route.name === 'login';

  // Signed out (never signed in, signed out, or the session ended): to the sign-in page,
  // remembering where the user was so that signing in returns there.
  const returnTo = session.status === 'signedOut' ? session.returnTo : null;
  const mustSignIn = session.status === 'signedOut' && !onLogin;
  useEffect(() => {
    if (mustSignIn) navigate(returnTo ? `/login?next=${encodeURIComponent(returnTo)}` : '/login', { replace: true });
  }, [mustSignIn, returnTo]);

  const me = session.status === 'signedIn' ? session.me : null;
  const redirectTo = route.name === 'home' && me ? homePath(me) : route.name === 'redirect' ? route.to : null;
  useEffect(() => {
    if (redirectTo && me) navigate(redirectTo, { replace: true });
  }, [redirectTo, me]);
  usePollPendingApprovals(hasPermission(me, 'approval.decide'));

  if (onLogin) return <LoginPage />;
  if (session.status === 'error') {
    return (
      <div className="auth-screen">
        <div className="auth-card">
          <Brand />
          <ErrorAlert problem={session.problem}>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void loadSession()}>
              Try again
            </button>
          </ErrorAlert>
        </div>
      </div>
    );
  }
  if (!me) {
    return (
      <div className="auth-screen">
        <Spinner label="Checking your session…" />
      </div>
    );
  }

  const can = (permission: string) => hasPermission(me, permission);
  const need = NEEDS[route.name];
  const denied = need && !can(need.permission) ? need : null;
  const section = sectionOf(route, location.search, can('ticket.act'));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <Link to="/" className="brand" aria-label="FlowDesk home">
            <BrandMark />
            <span className="brand-name">FlowDesk</span>
          </Link>
          <MainNav me={me} section={section} />
          <div className="sidebar-account">
            <UserMenu me={me} />
            <NotificationBell />
          </div>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {denied ? (
          <div className="page page-narrow">
            <PageHeader title={denied.title} />
            <AccessDenied permission={denied.permission} />
          </div>
        ) : (
          <>
            {route.name === 'console' && <ConsolePage me={me} />}
            {route.name === 'ticket' && <TicketPage key={route.number} number={route.number} me={me} />}
            {route.name === 'newTicket' && <NewTicket key={location.search.get('kind')} />}
            {route.name === 'mine' && <MyTickets />}
            {route.name === 'approvals' && <ApprovalsPage />}
            {route.name === 'notifications' && <NotificationsPage />}
            {route.name === 'profile' && <ProfilePage />}
            {route.name === 'users' && <UsersPage />}
            {route.name === 'groups' && <GroupsPage />}
            {route.name === 'roles' && <RolesPage />}
            {route.name === 'audit' && <AuditPage />}
            {route.name === 'catalog' && <CatalogPage />}
            {route.name === 'catalogItem' && <OrderItem key={route.id} id={route.id} />}
            {route.name === 'cmdb' && <CmdbBrowser />}
            {route.name === 'ci' && <CiDetail key={route.id} id={route.id} />}
            {route.name === 'newCi' && <NewCi key={location.search.get('class')} className={location.search.get('class') ?? ''} />}
            {route.name === 'rack' && <RackPage key={route.id} id={route.id} />}
            {route.name === 'dataCentres' && <DataCentresPage />}
            {route.name === 'cmdbModel' && <ModelEditor />}
            {route.name === 'credentials' && <CredentialsPage />}
            {route.name === 'discovery' && <DiscoveryPage />}
            {route.name === 'discoveryRun' && <RunReport key={route.id} id={route.id} />}
            {route.name === 'automationLibrary' && <LibraryPage key={route.kind} kind={route.kind} />}
            {route.name === 'automationEntry' && <EntryPage key={`${route.kind}/${route.id}`} kind={route.kind} id={route.id} />}
            {route.name === 'automationRunForm' && <RunForm key={route.id} id={route.id} />}
            {route.name === 'automationRuns' && <RunHistory />}
            {route.name === 'automationRun' && <RunView key={route.id} id={route.id} />}
            {route.name === 'automationSchedules' && <SchedulesPage />}
            {route.name === 'automationSafety' && <SafetyRulesPage />}
            {route.name === 'alerts' && <AlertConsole />}
            {route.name === 'alert' && <AlertDetail key={route.id} id={route.id} />}
            {route.name === 'silences' && <SilencesPage />}
            {route.name === 'alertGroups' && <AlertGroupsPage />}
            {route.name === 'maintenance' && <MaintenancePage />}
            {route.name === 'notFound' && <NotFound />}
          </>
        )}
      </main>
    </div>
  );
}

function MainNav({ me, section }: { me: Me; section: string }) {
  const can = (permission: string) => hasPermission(me, permission);
  const approvals = usePendingApprovalCount();
  const agent = can('ticket.act');
  const current = (name: string) => (section === name ? 'page' : undefined);
  return (
    <nav className="nav" aria-label="Main">
      {agent && (
        <>
          <p className="nav-heading">Service desk</p>
          <Link to="/console" className="nav-link" aria-current={current('console')} data-testid="nav-console">
            <NavIcon d="M4 5h16v10H4zM8 19h8M12 15v4" />
            <span>Console</span>
          </Link>
          <Link to="/tickets/new?kind=incident" className="nav-link" aria-current={current('newIncident')} data-testid="nav-new-incident">
            <NavIcon d="M12 5v14M5 12h14" />
            <span>New incident</span>
          </Link>
          {can('problem.manage') && (
            <Link to="/tickets/new?kind=problem" className="nav-link" aria-current={current('newProblem')} data-testid="nav-new-problem">
              <NavIcon d="M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14m0 3h.01M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Z" />
              <span>New problem</span>
            </Link>
          )}
        </>
      )}
      <p className={`nav-heading${agent ? ' nav-heading-gap' : ''}`}>Portal</p>
      <Link to="/portal/catalog" className="nav-link" aria-current={current('catalog')} data-testid="nav-catalog">
        <NavIcon d="M3 7h18l-2 12H5L3 7Zm5 0V5a4 4 0 0 1 8 0v2" />
        <span>Catalog</span>
      </Link>
      {can('ticket.read') && (
        <Link to="/portal/mine" className="nav-link" aria-current={current('mine')} data-testid="nav-mine">
          <NavIcon d="M9 5H7a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-2M9 5a2 2 0 0 0 2 2h2a2 2 0 0 0 2-2M9 5a2 2 0 0 1 2-2h2a2 2 0 0 1 2 2M9 12h6M9 16h4" />
          <span>My requests</span>
        </Link>
      )}
      {can('approval.decide') && (
        <Link to="/portal/approvals" className="nav-link" aria-current={current('approvals')} data-testid="nav-approvals">
          <NavIcon d="M9 12l2 2 4-4M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Z" />
          <span>Approvals</span>
          {approvals ? (
            <span className="nav-count" data-testid="approvals-count" aria-label={`${approvals >= 100 ? 'at least 100' : approvals} pending`}>
              {approvals >= 100 ? '99+' : approvals}
            </span>
          ) : null}
        </Link>
      )}
      {!agent && can('ticket.create') && (
        <Link to="/tickets/new?kind=incident" className="nav-link" aria-current={current('newIncident')} data-testid="nav-report">
          <NavIcon d="M12 9v4m0 4h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
          <span>Report an incident</span>
        </Link>
      )}
      {can('cmdb.read') && (
        <>
          <p className="nav-heading nav-heading-gap">CMDB</p>
          <Link to="/cmdb" className="nav-link" aria-current={current('cmdb')} data-testid="nav-cmdb">
            <NavIcon d="M4 7c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3Zm0 0v10c0 1.7 3.6 3 8 3s8-1.3 8-3V7M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3" />
            <span>Configuration items</span>
          </Link>
          <Link to="/cmdb/datacentres" className="nav-link" aria-current={current('dataCentres')} data-testid="nav-datacentres">
            <NavIcon d="M5 3h14v18H5zM5 8h14M5 13h14M5 18h14M8 5.5h.01M8 10.5h.01M8 15.5h.01" />
            <span>Data centres</span>
          </Link>
          <Link to="/cmdb/discovery" className="nav-link" aria-current={current('discovery')} data-testid="nav-discovery">
            <NavIcon d="M21 21l-4.3-4.3M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14Zm0-10v6m-3-3h6" />
            <span>Discovery</span>
          </Link>
          <Link to="/cmdb/model" className="nav-link" aria-current={current('cmdbModel')} data-testid="nav-cmdb-model">
            <NavIcon d="M4 6h6v4H4zM14 6h6v4h-6zM9 16h6v4H9zM7 10v3h10v-3M12 13v3" />
            <span>Model</span>
          </Link>
        </>
      )}
      {can('alert.read') && (
        <>
          <p className="nav-heading nav-heading-gap">Alert center</p>
          <Link to="/alerts" className="nav-link" aria-current={current('alerts')} data-testid="nav-alerts">
            <NavIcon d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6Zm-2 16a2 2 0 0 0 4 0" />
            <span>Alerts</span>
          </Link>
          <Link to="/alerts/silences" className="nav-link" aria-current={current('silences')} data-testid="nav-silences">
            <NavIcon d="M4 4l16 16M9 5.5A6 6 0 0 1 18 9v4l1 1.5M6 9v4l-2 3h11" />
            <span>Silences</span>
          </Link>
          <Link to="/alerts/maintenance" className="nav-link" aria-current={current('maintenance')} data-testid="nav-maintenance">
            <NavIcon d="M4 6h16v14H4zM4 10h16M8 3v5M16 3v5M8 14h3v3H8z" />
            <span>Maintenance</span>
          </Link>
        </>
      )}
      {can('automation.read') && (
        <>
          <p className="nav-heading nav-heading-gap">Automation</p>
          <Link to="/automation/runbooks" className="nav-link" aria-current={current('automationLibrary')} data-testid="nav-automation">
            <NavIcon d="M4 4h11l5 5v11H4zM14 4v6h6M8 13h8M8 17h5" />
            <span>Library</span>
          </Link>
          <Link to="/automation/runs" className="nav-link" aria-current={current('automationRuns')} data-testid="nav-automation-runs">
            <NavIcon d="M5 3l14 9-14 9V3Z" />
            <span>Runs</span>
          </Link>
          <Link to="/automation/schedules" className="nav-link" aria-current={current('automationSchedules')} data-testid="nav-automation-schedules">
            <NavIcon d="M12 7v5l3 2M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Z" />
            <span>Schedules</span>
          </Link>
          <Link to="/automation/safety" className="nav-link" aria-current={current('automationSafety')} data-testid="nav-automation-safety">
            <NavIcon d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6l8-3Z" />
            <span>Safety rules</span>
          </Link>
        </>
      )}
      {(can('identity.read') || can('audit.read') || can('credential.read')) && <p className="nav-heading nav-heading-gap">Administration</p>}
      {can('identity.read') && (
        <>
          <Link to="/admin/users" className="nav-link" aria-current={current('users')} data-testid="nav-users">
            <NavIcon d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm13 10v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8" />
            <span>Users</span>
          </Link>
          <Link to="/admin/groups" className="nav-link" aria-current={current('groups')} data-testid="nav-groups">
            <NavIcon d="M3 7h18M3 12h18M3 17h18M7 3v4m10-4v4" />
            <span>Groups</span>
          </Link>
          <Link to="/admin/roles" className="nav-link" aria-current={current('roles')} data-testid="nav-roles">
            <NavIcon d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Zm-3 10 2 2 4-4" />
            <span>Roles</span>
          </Link>
        </>
      )}
      {can('credential.read') && (
        <Link to="/admin/credentials" className="nav-link" aria-current={current('credentials')} data-testid="nav-credentials">
          <NavIcon d="M15 7a4 4 0 1 1-3.9 4.9L3 20v-3h3v-3h3l2.1-2.1A4 4 0 0 1 15 7Zm1.5 2.5h.01" />
          <span>Credentials</span>
        </Link>
      )}
      {can('audit.read') && (
        <Link to="/audit" className="nav-link" aria-current={current('audit')} data-testid="nav-audit">
          <NavIcon d="M9 5H7a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-2M9 5a2 2 0 0 0 2 2h2a2 2 0 0 0 2-2M9 5a2 2 0 0 1 2-2h2a2 2 0 0 1 2 2m-6 9 2 2 4-4" />
          <span>Audit trail</span>
        </Link>
      )}
    </nav>
  );
}

function Brand() {
  return (
    <div className="auth-brand">
      <BrandMark size={36} />
      <span className="auth-brand-name">FlowDesk</span>
    </div>
  );
}

function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);

  useDismiss(open, close, ref, buttonRef);

  const { user } = me;
  const roles = user.roles.length ? user.roles.map(roleLabel).join(', ') : 'No roles';

  async function doSignOut() {
    setSigningOut(true);
    await signOut();
  }

  return (
    <div className="user-menu" ref={ref} data-testid="user-menu">
      {open && (
        <div className="user-menu-pop" role="menu" id="user-menu-pop" aria-label="Account">
          <div className="user-menu-head">
            <span className="user-menu-name">{user.displayName}</span>
            <span className="muted small">
              {user.username}
              {user.email ? ` · ${user.email}` : ''}
            </span>
          </div>
          <Link to="/profile" role="menuitem" className="user-menu-item" data-testid="menu-profile" onClick={() => setOpen(false)}>
            <NavIcon d="M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z" />
            Profile &amp; API tokens
          </Link>
          <button type="button" role="menuitem" className="user-menu-item" data-testid="sign-out" onClick={() => void doSignOut()} disabled={signingOut}>
            <NavIcon d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9" />
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      )}
      <button
        type="button"
        ref={buttonRef}
        className="user-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? 'user-menu-pop' : undefined}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu-button"
        title={`${user.displayName} (${user.username})`}
      >
        <span className="avatar" aria-hidden="true">
          {initials(user.displayName || user.username)}
        </span>
        <span className="sidebar-user">
          <span className="sidebar-user-name" data-testid="user-name">
            {user.displayName}
          </span>
          <span className="sidebar-user-role" data-testid="user-roles">
            {roles}
          </span>
        </span>
        <svg className="user-chevron" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="m7 15 5-5 5 5" />
        </svg>
      </button>
    </div>
  );
}
