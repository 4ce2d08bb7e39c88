import { type FormEvent, useState } from 'react';
import { ApiError, createUser, type Problem, type Role, toProblem, updateUser, type User, type UserPatch } from '../api';
import { ErrorAlert, FieldMessage, PanelHeader } from '../components';
import { formatDateTime, formatRelative, initials } from '../format';
import { loadSession, useMe } from '../session';
import { foldFieldErrors, isLocked, PasswordChecklist, RolePicker, UserSelect } from './adminShared';

const emptyToNull = (value: string) => (value.trim() ? value.trim() : null);

export function NewUserPanel({ users, roles, onClose, onCreated }: { users: User[]; roles: Role[]; onClose: () => void; onCreated: (user: User) => Promise<void> }) {
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

export function EditUserPanel({ user, users, roles, groups, canAdmin, onClose, onSaved }: EditProps) {
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
