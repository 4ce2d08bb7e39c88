import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError, createGroup, type Group, listGroups, listUsers, type Problem, toProblem, updateGroup, type User } from '../api';
import { ErrorAlert, FieldMessage, PageHeader, PanelHeader, ProblemView, Spinner, SuccessNotice } from '../components';
import { formatDateTime, formatRelative, initials } from '../format';
import { loadSession, useCan, useMe } from '../session';
import { foldFieldErrors, MemberPicker, UserSelect } from './adminShared';
import { useLoad } from '../useLoad';

type Panel = { kind: 'new' } | { kind: 'edit'; name: string } | null;

export function GroupsPage() {
  const can = useCan();
  const canAdmin = can('identity.admin');
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Groups · FlowDesk';
  }, []);

  const { reload, loadError } = useLoad(async (signal) => {
    const [g, u] = await Promise.all([listGroups(signal), listUsers(signal)]);
    setGroups(g.items);
    setUsers(u.items);
  });

  const nameOf = useMemo(() => new Map(users.map((u) => [u.username, u.displayName])), [users]);
  const editing = panel?.kind === 'edit' ? groups?.find((g) => g.name === panel.name) : undefined;
  const now = Date.now();

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow="Administration"
        title="Assignment groups"
        subtitle="Teams that incidents are routed to; members work their group's queue."
        actions={
          canAdmin && (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setPanel({ kind: 'new' });
                setNotice(null);
              }}
              data-testid="new-group-button"
            >
              New group
            </button>
          )
        }
      />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {loadError && <ProblemView problem={loadError} onRetry={() => void reload()} />}

      {!loadError && (
        <div className={`admin-layout${panel ? ' with-panel' : ''}`}>
          <div className="card table-card">
            {groups === null ? (
              <Spinner label="Loading groups…" />
            ) : groups.length === 0 ? (
              <div className="empty">
                <p className="empty-title">No groups yet</p>
                <p className="muted">Create a group per team (service desk, network, database…) to route incidents to it.</p>
                {canAdmin && (
                  <button type="button" className="btn btn-primary" onClick={() => setPanel({ kind: 'new' })}>
                    Create the first group
                  </button>
                )}
              </div>
            ) : (
              <div className="table-scroll">
                <table className="table table-admin" data-testid="group-table">
                  <thead>
                    <tr>
                      <th scope="col">Group</th>
                      <th scope="col">Manager</th>
                      <th scope="col">Members</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.map((group) => (
                      <tr
                        key={group.name}
                        className={`row-link${panel?.kind === 'edit' && panel.name === group.name ? ' row-selected' : ''}`}
                        data-testid="group-row"
                        data-name={group.name}
                        onClick={() => {
                          setPanel({ kind: 'edit', name: group.name });
                          setNotice(null);
                        }}
                      >
                        <td>
                          <button type="button" className="link-button strong" aria-label={`Open ${group.name}`}>
                            {group.displayName}
                          </button>
                          <span className="muted small mono block">{group.name}</span>
                        </td>
                        <td>{group.manager ? nameOf.get(group.manager) ?? group.manager : <span className="muted">—</span>}</td>
                        <td>
                          <span className="stack" title={group.members.join(', ')}>
                            {group.members.slice(0, 5).map((m) => (
                              <span key={m} className="avatar avatar-xs" aria-hidden="true">
                                {initials(nameOf.get(m) ?? m)}
                              </span>
                            ))}
                            <span className="stack-count" data-testid="group-members">
                              {group.members.length} member{group.members.length === 1 ? '' : 's'}
                            </span>
                          </span>
                        </td>
                        <td className="cell-time" title={formatDateTime(group.updatedAt)}>
                          {formatRelative(group.updatedAt, now)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>

          {panel?.kind === 'new' && (
            <GroupPanel
              users={users}
              canAdmin={canAdmin}
              onClose={() => setPanel(null)}
              onSaved={async (group, message) => {
                setNotice(message);
                await reload();
                setPanel({ kind: 'edit', name: group.name });
              }}
            />
          )}
          {panel?.kind === 'edit' && editing && (
            <GroupPanel
              key={editing.name + editing.updatedAt}
              group={editing}
              users={users}
              canAdmin={canAdmin}
              onClose={() => setPanel(null)}
              onSaved={async (_group, message) => {
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

interface PanelProps {
  group?: Group;
  users: User[];
  canAdmin: boolean;
  onClose: () => void;
  onSaved: (group: Group, message: string) => Promise<void>;
}

function GroupPanel({ group, users, canAdmin, onClose, onSaved }: PanelProps) {
  const me = useMe();
  const [name, setName] = useState(group?.name ?? '');
  const [displayName, setDisplayName] = useState(group?.displayName ?? '');
  const [manager, setManager] = useState(group?.manager ?? '');
  const [members, setMembers] = useState<string[]>(group?.members ?? []);
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const sameMembers = !!group && members.length === group.members.length && members.every((m) => group.members.includes(m));
  const dirty = !group || displayName.trim() !== group.displayName || (manager || null) !== group.manager || !sameMembers;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const saved = group
        ? await updateGroup(group.name, {
            ...(displayName.trim() !== group.displayName && { displayName: displayName.trim() }),
            ...((manager || null) !== group.manager && { manager: manager || null }),
            ...(!sameMembers && { members }),
          })
        : await createGroup({ name: name.trim(), displayName: displayName.trim(), manager: manager || null, members });
      // Membership decides what its members see: refresh ours if it changed.
      if (me && (members.includes(me.user.username) || group?.members.includes(me.user.username))) await loadSession();
      await onSaved(saved, group ? `Saved group ${saved.name}.` : `Group ${saved.name} created with ${saved.members.length} member${saved.members.length === 1 ? '' : 's'}.`);
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(foldFieldErrors(e.fieldErrors()));
      setSubmitting(false);
    }
  }

  return (
    <aside className="card side-panel" aria-label={group ? `Group ${group.name}` : 'New group'} data-testid="group-panel">
      <PanelHeader
        title={group ? group.displayName : 'New group'}
        subtitle={group ? <><span className="mono">{group.name}</span> · created {formatRelative(group.createdAt)}</> : 'The name is permanent; the display name can change later.'}
        onClose={onClose}
      />
      <form className="form-compact" onSubmit={submit} noValidate data-testid="group-form">
        {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
        <fieldset className="plain" disabled={!canAdmin}>
          {!group && (
            <div className={`field${fieldErrors.name ? ' has-error' : ''}`}>
              <label htmlFor="group-name">Name</label>
              <input id="group-name" type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. network-ops" spellCheck={false} autoComplete="off" aria-invalid={fieldErrors.name ? true : undefined} aria-describedby="group-name-hint" autoFocus />
              <p className="hint" id="group-name-hint">
                Lower case letters, digits, dots, dashes or underscores.
              </p>
              <FieldMessage id="name-error" message={fieldErrors.name} />
            </div>
          )}
          <div className={`field${fieldErrors.displayName ? ' has-error' : ''}`}>
            <label htmlFor="group-displayName">Display name</label>
            <input id="group-displayName" type="text" value={displayName} onChange={(e) => setDisplayName(e.target.value)} placeholder="e.g. Network operations" aria-invalid={fieldErrors.displayName ? true : undefined} />
            <FieldMessage id="displayName-error" message={fieldErrors.displayName} />
          </div>
          <div className={`field${fieldErrors.manager ? ' has-error' : ''}`}>
            <label htmlFor="group-manager">
              Manager <span className="optional">optional</span>
            </label>
            <UserSelect id="group-manager" users={users} value={manager} onChange={setManager} invalid={!!fieldErrors.manager} />
            <FieldMessage id="manager-error" message={fieldErrors.manager} />
          </div>
          <MemberPicker users={users} selected={members} onChange={setMembers} error={fieldErrors.members} />
          {canAdmin && (
            <div className="form-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>
                {group ? 'Close' : 'Cancel'}
              </button>
              <button type="submit" className="btn btn-primary" disabled={submitting || !dirty} data-testid="save-group">
                {submitting ? 'Saving…' : group ? 'Save changes' : 'Create group'}
              </button>
            </div>
          )}
        </fieldset>
      </form>
      {!canAdmin && <p className="muted small">You can see groups but not change them (that needs identity.admin).</p>}
    </aside>
  );
}
