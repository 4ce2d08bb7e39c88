import { type FormEvent, useState } from 'react';
import type { FulfilmentTask, RequestTicket } from '../../api';
import { Answers } from '../../components/Answers';
import { ApprovalView } from '../../components/ApprovalView';
import { Tag } from '../../components';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { canDo } from '../../ticketActions';
import { useGroups } from '../../useGroups';
import { ActionProblem, TextField, useAct } from './actionKit';
import { useTicketScope } from './ticketContext';

/** What was ordered, the answers, the approval and the fulfilment tasks. */
export function RequestDetails({ request }: { request: RequestTicket }) {
  return (
    <>
      <h3 className="subheading">Item</h3>
      <p>
        <Link to={`/portal/catalog/${encodeURIComponent(request.item)}`} data-testid="request-item">
          {request.itemName}
        </Link>
      </p>
      <h3 className="subheading">Answers</h3>
      <Answers item={request.item} answers={request.answers} />
      <h3 className="subheading">Approval</h3>
      {request.approval && request.approval.levels.length > 0 ? <ApprovalView approval={request.approval} /> : <p className="muted">No approval needed.</p>}
      <h3 className="subheading">Fulfilment tasks</h3>
      {request.tasks.length === 0 ? (
        <p className="muted">No tasks.</p>
      ) : (
        <ol className="tasks" data-testid="tasks">
          {request.tasks.map((task) => (
            <TaskRow key={task.id} task={task} />
          ))}
        </ol>
      )}
    </>
  );
}

const TASK_TONE = { open: 'blue', done: 'green', cancelled: 'neutral' } as const;

function TaskRow({ task }: { task: FulfilmentTask }) {
  const { ticket, me } = useTicketScope();
  const groups = useGroups();
  const { run, busy, problem, fieldErrors, dismiss } = useAct();
  const [mode, setMode] = useState<'assign' | 'complete' | null>(null);
  const [assignee, setAssignee] = useState(task.assignee ?? '');
  const [notes, setNotes] = useState('');
  const canAssign = canDo(me, ticket, { type: 'assign_task', task: task.id, assignee: me.user.username });
  const canComplete = canDo(me, ticket, { type: 'complete_task', task: task.id, notes: '·' });
  const members = groups?.find((g) => g.name === task.group)?.members;

  async function assign(event: FormEvent) {
    event.preventDefault();
    if (await run('assign_task', { task: task.id, assignee: assignee.trim() || null }, `Task ${task.id} assigned.`)) setMode(null);
  }
  async function complete(event: FormEvent) {
    event.preventDefault();
    if (await run('complete_task', { task: task.id, notes }, `Task ${task.id} done.`)) setMode(null);
  }

  return (
    <li className="task" data-testid="task" data-id={task.id} data-state={task.state}>
      <div className="task-head">
        <span className="mono small">{task.id}</span>
        <span className="strong">{task.title}</span>
        <Tag tone={TASK_TONE[task.state]}>{task.state}</Tag>
        <span className="muted small">
          {task.group} · {task.assignee ?? 'unassigned'}
          {task.completedAt && ` · done ${formatDateTime(task.completedAt)}`}
        </span>
      </div>
      {task.notes && <p className="description small">{task.notes}</p>}
      {(canAssign || canComplete) && (
        <div className="task-actions">
          {canAssign && (
            <button type="button" className="btn btn-ghost btn-sm" aria-expanded={mode === 'assign'} onClick={() => setMode(mode === 'assign' ? null : 'assign')} data-testid="task-assign">
              Assign…
            </button>
          )}
          {canComplete && (
            <button type="button" className="btn btn-ghost btn-sm" aria-expanded={mode === 'complete'} onClick={() => setMode(mode === 'complete' ? null : 'complete')} data-testid="task-complete">
              Complete…
            </button>
          )}
        </div>
      )}
      <ActionProblem problem={problem} onDismiss={dismiss} />
      {mode === 'assign' && (
        <form className="task-form" noValidate onSubmit={(e) => void assign(e)}>
          <div className="field">
            <label htmlFor={`task-${task.id}-assignee`}>Assignee</label>
            {members ? (
              <select id={`task-${task.id}-assignee`} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                <option value="">— Nobody —</option>
                {members.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            ) : (
              <input id={`task-${task.id}-assignee`} type="text" value={assignee} onChange={(e) => setAssignee(e.target.value)} autoComplete="off" />
            )}
          </div>
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy !== null}>
            Assign task
          </button>
        </form>
      )}
      {mode === 'complete' && (
        <form className="task-form" noValidate onSubmit={(e) => void complete(e)}>
          <TextField id={`task-${task.id}-notes`} label="What was done" multiline value={notes} onChange={setNotes} error={fieldErrors.notes} autoFocus />
          <button type="submit" className="btn btn-success btn-sm" disabled={busy !== null} data-testid="task-complete-submit">
            Complete task
          </button>
        </form>
      )}
    </li>
  );
}
