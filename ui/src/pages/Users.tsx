import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, createUser, type Group, listGroups, listRoles, listUsers, type Problem, type Role, toProblem, updateUser, type User, type UserPatch } from '../api';
import { ErrorAlert, FieldMessage, PageHeader, PanelHeader, ProblemView, RoleBadge, Spinner, SuccessNotice, Tag } from '../components';
import { formatDateTime, formatRelative, initials } from '../format';
import { loadSession, useCan, useMe } from '../session';
import { foldFieldErrors, isLocked, PasswordChecklist, RolePicker, UserSelect } from './adminShared';

type Panel = { kind: 'new' } | { kind: 'edit'; username: string } | null;

export function UsersPage() {
  const can = useCan();
  const canAdmin = can('identity.admin');
  const [users, setUsers] = useState<User[] | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [loadError, setLoadError] = useState<Problem | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    document.title = 'Users · FlowDesk';
  }, []);

  const reload = useCallback(async (signal?: AbortSignal) => {
    try {
      const [u, r, g] = await Promise.all([listUsers(signal), listRoles(signal), listGroups(signal)]);
      setUsers(u.items);
      setRoles(r.items);
      setGroups(g.items);
      setLoadError(null);
    } catch (e) {
      if (signal?.aborted) return;
      setLoadError(toProblem(e));
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    return () => controller.abort();
  }, [reload]);

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

const emptyToNull = (value: string) => (value.trim() ? value.trim() : null);

function NewUserPanel({ users, roles, onClose, onCreated }: { users: User[]; roles: Role[]; onClose: () => void; onCreated: (user: User) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [manager, setManager] = useState('');
  const [selectedRoles, setSelectedRoles] = useState<string[]>(['requester']);
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const user = await createUser({
        username: username.trim(),
        displayName: displayName.trim(),
        email: emptyToNull(email),
        manager: emptyToNull(manager),
        roles: selectedRoles,
        ...(password ? { password } : {}),
      });
      await onCreated(user);
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(foldFieldErrors(e.fieldErrors()));
      setSubmitting(false);
    }
  }

  return (
    <aside className="card side-panel" aria-label="New user" data-testid="user-panel">
      <PanelHeader title="New user" subtitle="A local account; directory and SSO users appear on their first sign-in." onClose={onClose} />
      <form className="form-compact" onSubmit={submit} noValidate data-testid="user-form">
        {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
        <div className={`field${fieldErrors.username ? ' has-error' : ''}`}>
          <label htmlFor="user-username">User name</label>
          <input id="user-username" type="text" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" spellCheck={false} placeholder="e.g. jdoe" aria-invalid={fieldErrors.username ? true : undefined} autoFocus />
          <FieldMessage id="username-error" message={fieldErrors.username} />
        </div>
        <div className={`field${fieldErrors.displayName ? ' has-error' : ''}`}>
          <label htmlFor="user-displayName">Display name</label>
          <input id="user-displayName" type="text" value={displayName} onChange={(e) => setDisplayName(e.target.value)} placeholder="e.g. Jane Doe" aria-invalid={fieldErrors.displayName ? true : undefined} />
          <FieldMessage id="displayName-error" message={fieldErrors.displayName} />
        </div>
        <div className={`field${fieldErrors.email ? ' has-error' : ''}`}>
          <label htmlFor="user-email">
            Email <span className="optional">optional</span>
          </label>
          <input id="user-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="jane.doe@example.com" aria-invalid={fieldErrors.email ? true : undefined} />
          <FieldMessage id="email-error" message={fieldErrors.email} />
        </div>
        <div className={`field${fieldErrors.manager ? ' has-error' : ''}`}>
          <label htmlFor="user-manager">
            Manager <span className="optional">optional</span>
          </label>
          <UserSelect id="user-manager" users={users} value={manager} onChange={setManager} invalid={!!fieldErrors.manager} />
          <FieldMessage id="manager-error" message={fieldErrors.manager} />
        </div>
        <RolePicker roles={roles} selected={selectedRoles} onChange={setSelectedRoles} error={fieldErrors.roles} />
        <div className={`field${fieldErrors.password ? ' has-error' : ''}`}>
          <label htmlFor="user-password">
            Initial password <span className="optional">optional</span>
          </label>
          <input id="user-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-invalid={fieldErrors.password ? true : undefined} aria-describedby="user-password-hint" />
          <p className="hint" id="user-password-hint">
            Leave empty for users who sign in through the directory or single sign-on.
          </p>
          <PasswordChecklist password={password} username={username} />
          <FieldMessage id="password-error" message={fieldErrors.password} />
        </div>
        <div className="form-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={submitting} data-testid="save-user">
            {submitting ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
    </aside>
  );
}

interface EditProps {
  user: User;
  users: User[];
  roles: Role[];
  groups: string[];
  canAdmin: boolean;
  onClose: () => void;
  onSaved: (message: string) => Promise<void>;
}

function EditUserPanel({ user, users, roles, groups, canAdmin, onClose, onSaved }: EditProps) {
  const me = useMe();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [email, setEmail] = useState(user.email ?? '');
  const [manager, setManager] = useState(user.manager ?? '');
  const [selectedRoles, setSelectedRoles] = useState<string[]>(user.roles);
  const [active, setActive] = useState(user.active);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<'save' | 'unlock' | 'password' | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const sameRoles = selectedRoles.length === user.roles.length && selectedRoles.every((r) => user.roles.includes(r));
  const patch: UserPatch = {
    ...(displayName.trim() !== user.displayName && { displayName: displayName.trim() }),
    ...(emptyToNull(email) !== user.email && { email: emptyToNull(email) }),
    ...(emptyToNull(manager) !== user.manager && { manager: emptyToNull(manager) }),
    ...(!sameRoles && { roles: selectedRoles }),
    ...(active !== user.active && { active }),
  };
  const dirty = Object.keys(patch).length > 0;
  const isSelf = me?.user.username === user.username;

  async function run(kind: 'save' | 'unlock' | 'password', body: UserPatch, message: string) {
    setBusy(kind);
    setProblem(null);
    setFieldErrors({});
    try {
      await updateUser(user.username, body);
      if (isSelf) await loadSession();
      await onSaved(message);
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(foldFieldErrors(e.fieldErrors()));
      setBusy(null);
    }
  }

  const locked = isLocked(user);

  return (
    <aside className="card side-panel" aria-label={`User ${user.username}`} data-testid="user-panel" data-username={user.username}>
      <PanelHeader
        title={
          <span className="who">
            <span className="avatar avatar-sm" aria-hidden="true">
              {initials(user.displayName || user.username)}
            </span>
            {user.displayName}
          </span>
        }
        subtitle={
          <>
            <span className="mono">{user.username}</span> · {user.source === 'local' ? 'local account' : user.source === 'ldap' ? 'directory account' : 'SSO account'} · created {formatRelative(user.createdAt)}
          </>
        }
        onClose={onClose}
      />
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}

      {locked && (
        <div className="lock-box" data-testid="locked">
          <p>
            <strong>Locked</strong> until {formatDateTime(user.lockedUntil)} after repeated failed sign-ins.
          </p>
          {canAdmin && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void run('unlock', { unlock: true }, `${user.username} unlocked: they can sign in again.`)} disabled={busy !== null} data-testid="unlock-user">
              {busy === 'unlock' ? 'Unlocking…' : 'Unlock now'}
            </button>
          )}
        </div>
      )}

      <form
        className="form-compact"
        onSubmit={(e) => {
          e.preventDefault();
          void run('save', patch, `Saved ${user.username}.`);
        }}
        noValidate
        data-testid="user-edit-form"
      >
        <fieldset className="plain" disabled={!canAdmin}>
          <div className={`field${fieldErrors.displayName ? ' has-error' : ''}`}>
            <label htmlFor="edit-displayName">Display name</label>
            <input id="edit-displayName" type="text" value={displayName} onChange={(e) => setDisplayName(e.target.value)} aria-invalid={fieldErrors.displayName ? true : undefined} />
            <FieldMessage id="edit-displayName-error" message={fieldErrors.displayName} />
          </div>
          <div className="field-grid">
            <div className={`field${fieldErrors.email ? ' has-error' : ''}`}>
              <label htmlFor="edit-email">Email</label>
              <input id="edit-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={fieldErrors.email ? true : undefined} />
              <FieldMessage id="edit-email-error" message={fieldErrors.email} />
            </div>
            <div className={`field${fieldErrors.manager ? ' has-error' : ''}`}>
              <label htmlFor="edit-manager">Manager</label>
              <UserSelect id="edit-manager" users={users} value={manager} onChange={setManager} exclude={user.username} invalid={!!fieldErrors.manager} />
              <FieldMessage id="edit-manager-error" message={fieldErrors.manager} />
            </div>
          </div>
          <RolePicker roles={roles} selected={selectedRoles} onChange={setSelectedRoles} disabled={!canAdmin} error={fieldErrors.roles} />
          <label className="switch">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} data-testid="user-active" />
            <span className="switch-track" aria-hidden="true" />
            <span>
              <span className="strong">Account active</span>
              <span className="check-desc">{active ? 'Can sign in and use API tokens.' : 'Cannot sign in; open sessions end when saved.'}</span>
            </span>
          </label>
          {isSelf && !sameRoles && <p className="hint warn">You are changing your own roles: you may lose access to this page.</p>}
          <p className="muted small">Groups: {groups.length ? groups.join(', ') : 'none'} (change them on the Groups page).</p>
          {canAdmin && (
            <div className="form-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>
                Close
              </button>
              <button type="submit" className="btn btn-primary" disabled={!dirty || busy !== null} data-testid="save-user">
                {busy === 'save' ? 'Saving…' : 'Save changes'}
              </button>
            </div>
          )}
        </fieldset>
      </form>

      {canAdmin && user.source === 'local' && (
        <form
          className="form-compact section-split"
          onSubmit={(e) => {
            e.preventDefault();
            void run('password', { password }, `New password set for ${user.username}; their open sessions were ended.`);
          }}
          noValidate
          aria-label="Reset password"
          data-testid="password-form"
        >
          <h3 className="card-subtitle">Reset password</h3>
          <div className={`field${fieldErrors.password ? ' has-error' : ''}`}>
            <label htmlFor="reset-password">New password</label>
            <div className="input-group">
              <input id="reset-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-invalid={fieldErrors.password ? true : undefined} />
              <button type="submit" className="btn btn-secondary" disabled={!password || busy !== null} data-testid="reset-password">
                {busy === 'password' ? 'Setting…' : 'Set password'}
              </button>
            </div>
            <PasswordChecklist password={password} username={user.username} />
            <FieldMessage id="reset-password-error" message={fieldErrors.password} />
          </div>
        </form>
      )}
      {!canAdmin && <p className="muted small">You can see users but not change them (that needs identity.admin).</p>}
    </aside>
  );
}
