import { useEffect } from 'react';
import { PERMISSIONS } from '../api';
import { AccessDenied, PageHeader, RoleBadge, Tag } from '../components';
import { formatDateTime, initials, PERMISSION_LABELS } from '../format';
import { hasPermission, useMe } from '../session';
import { TokensCard } from './ProfileTokens';


export function ProfilePage() {
  const me = useMe();
  useEffect(() => {
    document.title = 'Profile · FlowDesk';
  }, []);
  if (!me) return null;
  const { user } = me;
  const ordered = [...me.permissions].sort((a, b) => PERMISSIONS.indexOf(a as never) - PERMISSIONS.indexOf(b as never));

  return (
    <div className="page">
      <PageHeader title="Profile" subtitle="Your account, what it lets you do, and the API tokens that act on your behalf." />

      <div className="profile-grid">
        <section className="card profile-card" aria-labelledby="account-heading">
          <div className="profile-head">
            <span className="avatar avatar-lg" aria-hidden="true">
              {initials(user.displayName || user.username)}
            </span>
            <div>
              <h2 id="account-heading" className="profile-name" data-testid="profile-name">
                {user.displayName}
              </h2>
              <p className="muted">
                <span className="mono">{user.username}</span>
                {user.email && <> · {user.email}</>}
              </p>
            </div>
          </div>
          <dl className="fields">
            <div className="field-pair">
              <dt>Roles</dt>
              <dd className="badge-list">{user.roles.length ? user.roles.map((r) => <RoleBadge key={r} role={r} />) : <span className="muted">None</span>}</dd>
            </div>
            <div className="field-pair">
              <dt>Groups</dt>
              <dd className="badge-list">{me.groups.length ? me.groups.map((g) => <Tag key={g}>{g}</Tag>) : <span className="muted">None</span>}</dd>
            </div>
            <div className="field-pair">
              <dt>Manager</dt>
              <dd>{user.manager ?? <span className="muted">—</span>}</dd>
            </div>
            <div className="field-pair">
              <dt>Account source</dt>
              <dd>{user.source === 'local' ? 'Local password' : user.source === 'ldap' ? 'Directory (LDAP)' : 'Single sign-on'}</dd>
            </div>
            <div className="field-pair">
              <dt>Member since</dt>
              <dd>{formatDateTime(user.createdAt)}</dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-labelledby="permissions-heading">
          <h2 id="permissions-heading" className="card-title">
            What you can do
          </h2>
          {ordered.length === 0 ? (
            <p className="muted">Your roles grant no permissions yet. Ask an administrator.</p>
          ) : (
            <ul className="perm-list" data-testid="my-permissions">
              {ordered.map((p) => (
                <li key={p}>
                  <span className="perm-check" aria-hidden="true">
                    ✓
                  </span>
                  <span>
                    <code>{p}</code>
                    <span className="perm-desc">{PERMISSION_LABELS[p] ?? ''}</span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      {hasPermission(me, 'profile.tokens') ? <TokensCard me={me} /> : <AccessDenied permission="profile.tokens" />}
    </div>
  );
}
