/** Pieces the Users, Groups and Roles pages share. */
import { useMemo, useState } from 'react';
import type { Role, User } from '../api';
import { roleLabel } from '../format';

/** The password policy as the server enforces it, checked live while typing. */
export function passwordChecks(password: string, username: string): { label: string; ok: boolean }[] {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(password)).length;
  return [
    { label: 'At least 12 characters', ok: password.length >= 12 },
    { label: 'Three of: lower case, upper case, digits, symbols', ok: classes >= 3 },
    { label: 'Does not contain the user name', ok: !username || !password.toLowerCase().includes(username.trim().toLowerCase()) },
  ];
}

export function PasswordChecklist({ password, username }: { password: string; username: string }) {
  if (!password) return null;
  return (
    <ul className="policy" aria-label="Password rules" data-testid="password-policy">
      {passwordChecks(password, username).map((check) => (
        <li key={check.label} className={check.ok ? 'ok' : 'bad'}>
          <span aria-hidden="true">{check.ok ? '✓' : '•'}</span> {check.label}
          <span className="sr-only">{check.ok ? ' (met)' : ' (not met)'}</span>
        </li>
      ))}
    </ul>
  );
}

/** Role checkboxes with each role's description. */
export function RolePicker({ roles, selected, onChange, disabled = false, error }: { roles: Role[]; selected: string[]; onChange: (next: string[]) => void; disabled?: boolean; error?: string }) {
  const toggle = (name: string) => onChange(selected.includes(name) ? selected.filter((r) => r !== name) : [...selected, name]);
  const known = new Set(roles.map((r) => r.name));
  const unknown = selected.filter((r) => !known.has(r));
  return (
    <fieldset className={`field checks${error ? ' has-error' : ''}`}>
      <legend>Roles</legend>
      <div className="check-list">
        {roles.map((role) => (
          <label key={role.name} className="check">
            <input type="checkbox" checked={selected.includes(role.name)} onChange={() => toggle(role.name)} disabled={disabled} data-testid={`role-${role.name}`} />
            <span>
              <span className="strong">{roleLabel(role.name)}</span>
              {!role.builtIn && <span className="mini-tag">custom</span>}
              <span className="check-desc">{role.description || `${role.permissions.length} permissions`}</span>
            </span>
          </label>
        ))}
        {unknown.map((name) => (
          <label key={name} className="check">
            <input type="checkbox" checked onChange={() => toggle(name)} disabled={disabled} />
            <span>
              <span className="strong">{name}</span>
              <span className="check-desc">Not a defined role: grants nothing</span>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" data-testid="field-error-roles">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A filterable checklist of users (group members). */
export function MemberPicker({ users, selected, onChange, error }: { users: User[]; selected: string[]; onChange: (next: string[]) => void; error?: string }) {
  const [filter, setFilter] = useState('');
  const visible = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return q ? users.filter((u) => u.username.includes(q) || u.displayName.toLowerCase().includes(q)) : users;
  }, [users, filter]);
  const toggle = (name: string) => onChange(selected.includes(name) ? selected.filter((m) => m !== name) : [...selected, name].sort());
  return (
    <fieldset className={`field checks${error ? ' has-error' : ''}`}>
      <legend>
        Members <span className="optional">{selected.length} selected</span>
      </legend>
      {selected.length > 0 && (
        <div className="chips" data-testid="selected-members">
          {selected.map((name) => (
            <span key={name} className="removable">
              {name}
              <button type="button" onClick={() => toggle(name)} aria-label={`Remove ${name}`}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      <input type="search" className="picker-filter" placeholder="Filter users…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter users" />
      <div className="check-list check-scroll">
        {visible.length === 0 && <p className="muted small">No user matches.</p>}
        {visible.map((user) => (
          <label key={user.username} className="check check-row">
            <input type="checkbox" checked={selected.includes(user.username)} onChange={() => toggle(user.username)} data-testid={`member-${user.username}`} />
            <span className="who">
              <span className="strong">{user.displayName}</span> <span className="muted mono small">{user.username}</span>
              {!user.active && <span className="mini-tag">disabled</span>}
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" data-testid="field-error-members">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A select of users, with "none". */
export function UserSelect({ id, users, value, onChange, exclude, invalid }: { id: string; users: User[]; value: string; onChange: (v: string) => void; exclude?: string; invalid?: boolean }) {
  const options = users.filter((u) => u.username !== exclude);
  const missing = value && !options.some((u) => u.username === value);
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid ? true : undefined}>
      <option value="">— None —</option>
      {missing && <option value={value}>{value}</option>}
      {options.map((u) => (
        <option key={u.username} value={u.username}>
          {u.displayName} ({u.username})
        </option>
      ))}
    </select>
  );
}

/** Field errors keyed without the `body.` prefix, plus `roles.0` style paths folded to `roles`. */
export function foldFieldErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    const base = key.split('.')[0]!;
    out[base] = out[base] ? `${out[base]}; ${message}` : message;
  }
  return out;
}

export function isLocked(user: User, now = Date.now()): boolean {
  return !!user.lockedUntil && new Date(user.lockedUntil).getTime() > now;
}
