import { useEffect, useMemo, useState } from 'react';
import { type Group, listGroups, listRoles, listUsers, type Role, type User } from '../api';
import { PageHeader, ProblemView, RoleBadge, Spinner, SuccessNotice, Tag } from '../components';
import { formatDateTime, formatRelative, initials } from '../format';
import { useCan } from '../session';
import { isLocked } from './adminShared';
import { EditUserPanel, NewUserPanel } from './UserPanels';
import { useLoad } from '../useLoad';

type Panel = { kind: 'new' } | { kind: 'edit'; username: string } | null;

export function UsersPage() {
  const can = useCan();
  const canAdmin = can('identity.admin');
  const [users, setUsers] = useState<User[] | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    document.title = 'Users · FlowDesk';
  }, []);

  const { reload, loadError } = useLoad(async (signal) => {
    const [u, r, g] = await Promise.all([listUsers(signal), listRoles(signal), listGroups(signal)]);
    setUsers(u.items);
    setRoles(r.items);
    setGroups(g.items);
  });

  const groupsOf = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const g of groups) for (const m of g.members) map.set(m, [...(map.get(m) ?? []), g.name]);
    return map;
  }, [groups]);

  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    if (!users || !q) return users ?? [];
    return users.filter((u) => u.username.includes(q) || u.displayName.toLowerCase().includes(q) || (u.email ?? '').toLowerCase().includes(q) || u.roles.some((r) => r.includes(q)));
  }, [users, filter]);

  const editing = panel?.kind === 'edit' ? users?.find((u) => u.username === panel.username) : undefined;
  const now = Date.now();

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow="Administration"
        title="Users"
        subtitle="Who can sign in, with which roles. Changes are recorded in the audit trail."
        actions={
          canAdmin && (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setPanel({ kind: 'new' });
                setNotice(null);
              }}
              data-testid="new-user-button"
            >
              New user
            </button>
          )
        }
      />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {loadError && <ProblemView problem={loadError} onRetry={() => void reload()} />}

      {!loadError && (
        <div className={`admin-layout${panel ? ' with-panel' : ''}`}>
          <div className="card table-card">
            <div className="table-toolbar">
              <input type="search" className="search" placeholder="Search by name, email or role…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Search users" />
              <span className="muted small">{users ? `${shown.length} of ${users.length}` : ''}</span>
            </div>
            {users === null ? (
              <Spinner label="Loading users…" />
            ) : shown.length === 0 ? (
              <div className="empty">
                <p className="empty-title">{users.length ? 'No user matches' : 'No users yet'}</p>
              </div>
            ) : (
              <div className="table-scroll">
                <table className="table table-admin" data-testid="user-table">
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Roles</th>
                      <th scope="col">Groups</th>
                      <th scope="col">Status</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((user) => (
                      <tr
                        key={user.username}
                        className={`row-link${panel?.kind === 'edit' && panel.username === user.username ? ' row-selected' : ''}`}
                        data-testid="user-row"
                        data-username={user.username}
                        onClick={() => {
                          setPanel({ kind: 'edit', username: user.username });
                          setNotice(null);
                        }}
                      >
                        <td>
                          <div className="who">
                            <span className="avatar avatar-sm" aria-hidden="true">
                              {initials(user.displayName || user.username)}
                            </span>
                            <div>
                              <button type="button" className="link-button strong" aria-label={`Open ${user.username}`}>
                                {user.displayName}
                              </button>
                              <span className="muted small block">
                                <span className="mono">{user.username}</span>
                                {user.email && <> · {user.email}</>}
                              </span>
                            </div>
                          </div>
                        </td>
                        <td>
                          <span className="badge-list">{user.roles.length ? user.roles.map((r) => <RoleBadge key={r} role={r} />) : <span className="muted">—</span>}</span>
                        </td>
                        <td className="small">{(groupsOf.get(user.username) ?? []).join(', ') || <span className="muted">—</span>}</td>
                        <td>
                          <UserStatus user={user} now={now} />
                        </td>
                        <td className="cell-time" title={formatDateTime(user.updatedAt)}>
                          {formatRelative(user.updatedAt, now)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>

          {panel?.kind === 'new' && (
            <NewUserPanel
              users={users ?? []}
              roles={roles}
              onClose={() => setPanel(null)}
              onCreated={async (user) => {
                setNotice(`User ${user.username} created.`);
                await reload();
                setPanel({ kind: 'edit', username: user.username });
              }}
            />
          )}
          {panel?.kind === 'edit' && editing && (
            <EditUserPanel
              key={editing.username + editing.updatedAt}
              user={editing}
              users={users ?? []}
              roles={roles}
              groups={groupsOf.get(editing.username) ?? []}
              canAdmin={canAdmin}
              onClose={() => setPanel(null)}
              onSaved={async (message) => {
                setNotice(message);
                await reload();
              }}
            />
          )}
        </div>
      )}
    </div>
  );
}

function UserStatus({ user, now }: { user: User; now: number }) {
  if (!user.active) return <Tag tone="neutral" testId="user-status">Disabled</Tag>;
  if (isLocked(user, now))
    return (
      <Tag tone="red" testId="user-status" title={`Locked until ${formatDateTime(user.lockedUntil)}`}>
        Locked
      </Tag>
    );
  return (
    <Tag tone="green" testId="user-status">
      Active
    </Tag>
  );
}
