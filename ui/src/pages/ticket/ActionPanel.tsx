import type { ReactNode } from 'react';
import { STATE_LABELS } from '../../format';
import { offered } from '../../ticketActions';
import { useShortcuts } from '../../useShortcuts';
import { ActionProblem, useAct } from './actionKit';
import { DecideForm, DelegateForm } from './approvalForms';
import { AnalyseForm, ParentForm, ProblemLinkForm, UpdateForm } from './linkForms';
import { type FormName, useTicketScope } from './ticketContext';
import { AssignForm, HoldForm, ReasonForm, ResolveForm } from './workForms';

const FORMS: Record<FormName, () => ReactNode> = {
  assign: () => <AssignForm />,
  hold: () => <HoldForm />,
  resolve: () => <ResolveForm />,
  cancel: () => <ReasonForm type="cancel" />,
  reopen: () => <ReasonForm type="reopen" />,
  set_parent: () => <ParentForm />,
  link_problem: () => <ProblemLinkForm />,
  update: () => <UpdateForm />,
  decide: () => <DecideForm />,
  delegate: () => <DelegateForm />,
  analyse: () => <AnalyseForm />,
};

/**
 * The actions the ticket accepts now from this user — decided by the ticket's own rules
 * (ticketRejection) — as buttons; those with fields open their form here.
 */
export function ActionPanel() {
  const { ticket, me, agent, form, setForm } = useTicketScope();
  const quick = useAct();
  const can = (type: Parameters<typeof offered>[2]) => offered(me, ticket, type);
  const username = me.user.username;
  const canTakeIt = can('assign') && ticket.assignee !== username;
  const open = (name: FormName) => () => setForm(form === name ? null : name);
  const assignToMe = () => void quick.run('assign', { assignee: username }, `Assigned to you.`);

  useShortcuts({
    a: () => canTakeIt && assignToMe(),
    r: () => can('resolve') && setForm('resolve'),
  });

  const buttons: Array<{ key: string; label: string; onClick: () => void; tone?: string; keys?: string; form?: FormName }> = [];
  const add = (show: boolean, key: string, label: string, onClick: () => void, extra: { tone?: string; keys?: string; form?: FormName } = {}) => show && buttons.push({ key, label, onClick, ...extra });
  add(canTakeIt, 'assign-me', 'Assign to me', assignToMe, { tone: 'primary', keys: 'a' });
  add(can('start'), 'start', 'Start work', () => void quick.run('start', {}, 'Work started.'), { tone: 'primary' });
  add(can('resume'), 'resume', 'Resume', () => void quick.run('resume', {}, 'Work resumed.'), { tone: 'primary' });
  add(can('decide'), 'decide', 'Approve or reject…', open('decide'), { tone: 'primary', form: 'decide' });
  add(can('resolve'), 'resolve', 'Resolve…', open('resolve'), { tone: 'success', keys: 'r', form: 'resolve' });
  add(can('close'), 'close', 'Close', () => void quick.run('close', {}, `${ticket.number} closed.`));
  add(can('publish_known_error'), 'publish', 'Publish known error', () => void quick.run('publish_known_error', {}, 'Published to the known-error database.'));
  add(can('analyse'), 'analyse', 'Root cause & workaround…', open('analyse'), { form: 'analyse' });
  add(can('assign'), 'assign', 'Assign…', open('assign'), { form: 'assign' });
  add(can('hold'), 'hold', 'Put on hold…', open('hold'), { form: 'hold' });
  add(can('update'), 'update', 'Update fields…', open('update'), { form: 'update' });
  add(can('set_parent'), 'set-parent', 'Parent incident…', open('set_parent'), { form: 'set_parent' });
  add(can('link_problem'), 'link-problem', 'Link to problem…', open('link_problem'), { form: 'link_problem' });
  add(can('delegate'), 'delegate', 'Delegate approval…', open('delegate'), { form: 'delegate' });
  add(can('reopen'), 'reopen', 'Reopen…', open('reopen'), { form: 'reopen' });
  add(can('cancel'), 'cancel', 'Cancel…', open('cancel'), { tone: 'danger-ghost', form: 'cancel' });

  return (
    <section className="card action-panel" aria-labelledby="actions-heading" data-testid="action-panel">
      <h2 id="actions-heading" className="card-title">
        Actions
      </h2>
      <ActionProblem problem={quick.problem} onDismiss={quick.dismiss} />
      {buttons.length === 0 ? (
        <p className="action-help closed-note" data-testid="no-actions">
          {agent ? `Nothing to do while it is ${STATE_LABELS[ticket.state].toLowerCase()}.` : 'You can follow this ticket and comment on it.'}
        </p>
      ) : (
        <div className="action-buttons">
          {buttons.map((b) => (
            <button
              key={b.key}
              type="button"
              className={`btn btn-sm ${b.tone === 'primary' ? 'btn-primary' : b.tone === 'success' ? 'btn-success' : b.tone === 'danger-ghost' ? 'btn-ghost btn-danger-text' : 'btn-secondary'}`}
              onClick={b.onClick}
              // Opening a form is harmless while another action runs; running a second one is not.
              disabled={!b.form && quick.busy !== null}
              aria-expanded={b.form ? form === b.form : undefined}
              aria-keyshortcuts={b.keys}
              data-testid={`action-${b.key}`}
            >
              {b.label}
              {b.keys && <kbd aria-hidden="true">{b.keys}</kbd>}
            </button>
          ))}
        </div>
      )}
      {form && FORMS[form]()}
      <p className="version-note muted small">Version {ticket.version}</p>
    </section>
  );
}
