import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, listRoles, PERMISSIONS, type Problem, putRole, type Role, type RoleList, toProblem } from '../api';
import { ErrorAlert, FieldMessage, PageHeader, PanelHeader, PermissionChip, ProblemView, Spinner, SuccessNotice, Tag } from '../components';
import { PERMISSION_LABELS, roleLabel } from '../format';
import { loadSession, useCan, useMe } from '../session';
import { foldFieldErrors } from './adminShared';
import { useLoad } from '../useLoad';

type Panel = { kind: 'new'; from?: Role } | { kind: 'edit'; name: string } | null;

/** Server order first (it knows every permission), then any the UI knows that it did not list. */
function permissionOrder(list: RoleList | null): string[] {
  const known = Object.keys(list?.permissions ?? {});
  return [...known, ...PERMISSIONS.filter((p) => !known.includes(p))];
}

export function RolesPage() {
  const can = useCan();
  const canAdmin = can('identity.admin');
  const [list, setList] = useState<RoleList | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Roles · FlowDesk';
  }, []);

  const { reload, loadError } = useLoad(async (signal) => {
    setList(await listRoles(signal));
  });

  const describe = (p: string) => list?.permissions[p] ?? PERMISSION_LABELS[p] ?? '';
  const order = permissionOrder(list);
  const editing = panel?.kind === 'edit' ? list?.items.find((r) => r.name === panel.name) : undefined;
  const builtIn = list?.items.filter((r) => r.builtIn) ?? [];
  const custom = list?.items.filter((r) => !r.builtIn) ?? [];

  const row = (role: Role) => (
    <tr
      key={role.name}
      className={`row-link${panel?.kind === 'edit' && panel.name === role.name ? ' row-selected' : ''}`}
      data-testid="role-row"
      data-name={role.name}
      onClick={() => {
        setPanel({ kind: 'edit', name: role.name });
        setNotice(null);
      }}
    >
      <td className="cell-role">
        <button type="button" className="link-button strong" aria-label={`Open ${role.name}`}>
          {roleLabel(role.name)}
        </button>{' '}
        <span className="muted small mono">{role.name}</span>
        <span className="role-desc">{role.description || <span className="muted">No description</span>}</span>
      </td>
      <td>
        <span className="badge-list">
          {role.permissions.length ? role.permissions.map((p) => <PermissionChip key={p} permission={p} description={describe(p)} />) : <span className="muted">none</span>}
        </span>
      </td>
    </tr>
  );

  const table = (roles: Role[], testId: string) => (
    <div className="table-scroll">
      <table className="table table-admin" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Permissions</th>
          </tr>
        </thead>
        <tbody>{roles.map(row)}</tbody>
      </table>
    </div>
  );

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow="Administration"
        title="Roles"
        subtitle="A role bundles permissions. Built-in roles are fixed; compose custom roles for anything else."
        actions={
          canAdmin && (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setPanel({ kind: 'new' });
                setNotice(null);
              }}
              data-testid="new-role-button"
            >
              New custom role
            </button>
          )
        }
      />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {loadError && <ProblemView problem={loadError} onRetry={() => void reload()} />}

      {!loadError && (
        <div className={`admin-layout${panel ? ' with-panel' : ''}`}>
          <div className="stack-v">
            {list === null ? (
              <div className="card">
                <Spinner label="Loading roles…" />
              </div>
            ) : (
              <>
                <section className="card table-card" aria-labelledby="custom-roles-heading">
                  <h2 id="custom-roles-heading" className="table-card-title">
                    Custom roles <span className="count">{custom.length}</span>
                  </h2>
                  {custom.length ? (
                    table(custom, 'custom-role-table')
                  ) : (
                    <div className="empty empty-compact">
                      <p className="muted">No custom roles yet.{canAdmin && ' Create one, or open a built-in role and copy it as a starting point.'}</p>
                    </div>
                  )}
                </section>
                <section className="card table-card" aria-labelledby="builtin-roles-heading">
                  <h2 id="builtin-roles-heading" className="table-card-title">
                    Built-in roles <span className="count">{builtIn.length}</span>
                  </h2>
                  {table(builtIn, 'builtin-role-table')}
                </section>
                <section className="card" aria-labelledby="perm-heading">
                  <h2 id="perm-heading" className="card-title">
                    Permissions
                  </h2>
                  <dl className="perm-ref" data-testid="permission-reference">
                    {order.map((p) => {
                      const holders = list.items.filter((r) => r.permissions.includes(p)).map((r) => r.name);
                      return (
                        <div key={p} className="perm-ref-row">
                          <dt>
                            <code>{p}</code>
                          </dt>
                          <dd>
                            {describe(p)}
                            <span className="muted small block">Granted by: {holders.length ? holders.join(', ') : 'no role'}</span>
                          </dd>
                        </div>
                      );
                    })}
                  </dl>
                </section>
              </>
            )}
          </div>

          {panel?.kind === 'new' && list && (
            <RolePanel
              key={`new-${panel.from?.name ?? ''}`}
              from={panel.from}
              existing={list.items}
              order={order}
              describe={describe}
              canAdmin={canAdmin}
              onClose={() => setPanel(null)}
              onSaved={async (role) => {
                setNotice(`Role ${role.name} created.`);
                await reload();
                setPanel({ kind: 'edit', name: role.name });
              }}
            />
          )}
          {panel?.kind === 'edit' && editing && list && (
            <RolePanel
              key={editing.name + editing.permissions.join() + editing.description}
              role={editing}
              existing={list.items}
              order={order}
              describe={describe}
              canAdmin={canAdmin}
              onClose={() => setPanel(null)}
              onCopy={() => setPanel({ kind: 'new', from: editing })}
              onSaved={async (role) => {
                setNotice(`Saved role ${role.name}.`);
                await reload();
              }}
            />
          )}
        </div>
      )}
    </div>
  );
}

interface RolePanelProps {
  role?: Role;
  from?: Role;
  existing: Role[];
  order: string[];
  describe: (permission: string) => string;
  canAdmin: boolean;
  onClose: () => void;
  onCopy?: () => void;
  onSaved: (role: Role) => Promise<void>;
}

function RolePanel({ role, from, existing, order, describe, canAdmin, onClose, onCopy, onSaved }: RolePanelProps) {
  const me = useMe();
  const seed = role ?? from;
  const [name, setName] = useState(from ? `${from.name}_custom` : '');
  const [description, setDescription] = useState(seed?.description ?? '');
  const [permissions, setPermissions] = useState<string[]>(seed ? [...seed.permissions] : []);
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const readOnly = !canAdmin || !!role?.builtIn;
  const toggle = (p: string) => setPermissions((current) => (current.includes(p) ? current.filter((x) => x !== p) : [...current, p]));
  const samePermissions = !!role && permissions.length === role.permissions.length && permissions.every((p) => role.permissions.includes(p));
  const dirty = !role || description.trim() !== role.description || !samePermissions;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const target = role?.name ?? name.trim().toLowerCase();
    if (!role && existing.some((r) => r.name === target)) {
      setFieldErrors({ name: `a role named ${target} already exists: open it to change it` });
      return;
    }
    setSubmitting(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const saved = await putRole(target, { description: description.trim(), permissions: order.filter((p) => permissions.includes(p)) });
      if (me?.user.roles.includes(saved.name)) await loadSession();
      await onSaved(saved);
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(foldFieldErrors(e.fieldErrors()));
      setSubmitting(false);
    }
  }

  return (
    <aside className="card side-panel" aria-label={role ? `Role ${role.name}` : 'New role'} data-testid="role-panel">
      <PanelHeader
        title={
          role ? (
            <span className="who">
              {roleLabel(role.name)} {role.builtIn ? <Tag tone="blue">Built-in</Tag> : <Tag tone="violet">Custom</Tag>}
            </span>
          ) : (
            'New custom role'
          )
        }
        subtitle={role ? <span className="mono">{role.name}</span> : from ? `Starting from ${from.name}` : 'Pick exactly the permissions it grants.'}
        onClose={onClose}
      />
      {role?.builtIn && (
        <div className="info-box">
          <p>Built-in roles cannot be changed. To grant a different set, copy it into a custom role.</p>
          {canAdmin && onCopy && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={onCopy} data-testid="copy-role">
              Copy as custom role
            </button>
          )}
        </div>
      )}
      <form className="form-compact" onSubmit={submit} noValidate data-testid="role-form">
        {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
        <fieldset className="plain" disabled={readOnly}>
          {!role && (
            <div className={`field${fieldErrors.name ? ' has-error' : ''}`}>
              <label htmlFor="role-name">Name</label>
              <input id="role-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. night_shift" spellCheck={false} autoComplete="off" aria-invalid={fieldErrors.name ? true : undefined} autoFocus />
              <FieldMessage id="role-name-error" message={fieldErrors.name} />
            </div>
          )}
          <div className={`field${fieldErrors.description ? ' has-error' : ''}`}>
            <label htmlFor="role-description">Description</label>
            <textarea id="role-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={300} placeholder="Who gets this role and why" />
            <FieldMessage id="role-description-error" message={fieldErrors.description} />
          </div>
          <fieldset className={`field checks${fieldErrors.permissions ? ' has-error' : ''}`}>
            <legend>
              Permissions <span className="optional">{permissions.length} of {order.length}</span>
            </legend>
            <div className="check-list">
              {order.map((p) => (
                <label key={p} className="check">
                  <input type="checkbox" checked={permissions.includes(p)} onChange={() => toggle(p)} disabled={readOnly} data-testid={`perm-${p}`} />
                  <span>
                    <code>{p}</code>
                    <span className="check-desc">{describe(p)}</span>
                  </span>
                </label>
              ))}
            </div>
            <FieldMessage id="permissions-error" message={fieldErrors.permissions} />
          </fieldset>
          {!readOnly && (
            <div className="form-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>
                {role ? 'Close' : 'Cancel'}
              </button>
              <button type="submit" className="btn btn-primary" disabled={submitting || !dirty} data-testid="save-role">
                {submitting ? 'Saving…' : role ? 'Save role' : 'Create role'}
              </button>
            </div>
          )}
        </fieldset>
      </form>
    </aside>
  );
}
