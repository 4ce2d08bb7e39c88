import type { Group } from '../api';
import { FieldMessage } from '../components';

/** `undefined`: leave as it is; `null`: nobody / no group. */
export type Choice = string | null | undefined;

const KEEP = '__keep';
const NONE = '__none';
const toValue = (choice: Choice) => (choice === undefined ? KEEP : choice === null ? NONE : choice);
const fromValue = (value: string): Choice => (value === KEEP ? undefined : value === NONE ? null : value);

interface Props {
  idPrefix: string;
  groups: Group[] | null;
  group: Choice;
  assignee: Choice;
  onGroup: (group: Choice) => void;
  onAssignee: (assignee: Choice) => void;
  /** The label of "leave as it is", e.g. "Keep each ticket's group"; without it the choice is not offered. */
  keepLabel?: { group: string; assignee: string };
  /** Whose members to offer when no group is chosen (the ticket's current group). */
  currentGroup?: string | null;
  errors?: Record<string, string>;
}

/**
 * An assignment group and a person from it. With the group list (identity.read) both are
 * selects, the people being the chosen group's members; without it both are typed.
 */
export function AssignFields({ idPrefix, groups, group, assignee, onGroup, onAssignee, keepLabel, currentGroup, errors = {} }: Props) {
  const groupId = `${idPrefix}-group`;
  const assigneeId = `${idPrefix}-assignee`;
  const shownGroup = typeof group === 'string' ? group : currentGroup;
  const members = groups ? [...new Set((shownGroup ? groups.filter((g) => g.name === shownGroup) : groups).flatMap((g) => g.members))].sort() : [];
  const describedBy = (field: string) => (errors[field] ? `${idPrefix}-${field}-error` : undefined);

  return (
    <div className="field-grid assign-fields">
      <div className={`field${errors.group ? ' has-error' : ''}`}>
        <label htmlFor={groupId}>Group</label>
        {groups ? (
          <select id={groupId} value={toValue(group)} onChange={(e) => onGroup(fromValue(e.target.value))} aria-describedby={describedBy('group')}>
            {keepLabel && <option value={KEEP}>{keepLabel.group}</option>}
            <option value={NONE}>— No group —</option>
            {groups.map((g) => (
              <option key={g.name} value={g.name}>
                {g.displayName}
              </option>
            ))}
          </select>
        ) : (
          <input id={groupId} type="text" value={group ?? ''} onChange={(e) => onGroup(e.target.value.trim() ? e.target.value : keepLabel ? undefined : null)} placeholder="group name" autoComplete="off" aria-describedby={describedBy('group')} />
        )}
        <FieldMessage id={`${idPrefix}-group-error`} message={errors.group} />
      </div>
      <div className={`field${errors.assignee ? ' has-error' : ''}`}>
        <label htmlFor={assigneeId}>Person</label>
        {groups ? (
          <select id={assigneeId} value={toValue(assignee)} onChange={(e) => onAssignee(fromValue(e.target.value))} aria-describedby={describedBy('assignee')}>
            {keepLabel && <option value={KEEP}>{keepLabel.assignee}</option>}
            <option value={NONE}>— Nobody —</option>
            {typeof assignee === 'string' && !members.includes(assignee) && <option value={assignee}>{assignee}</option>}
            {members.map((user) => (
              <option key={user} value={user}>
                {user}
              </option>
            ))}
          </select>
        ) : (
          <input id={assigneeId} type="text" value={assignee ?? ''} onChange={(e) => onAssignee(e.target.value.trim() ? e.target.value : keepLabel ? undefined : null)} placeholder="user name" autoComplete="off" aria-describedby={describedBy('assignee')} />
        )}
        <FieldMessage id={`${idPrefix}-assignee-error`} message={errors.assignee} />
      </div>
    </div>
  );
}
