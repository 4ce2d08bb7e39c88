import { useEffect, useRef, useState } from 'react';
import { ApiError, type Problem, toProblem } from '../../api';
import { type Answers, type Approval, type CatalogItem, getCatalogItem, orderCatalogItem } from '../../api/catalog';
import type { Approvers, CatalogApprovalLevel } from '../../../../domain/catalogItem';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { SchemaForm } from '../../components/SchemaForm';
import { flash } from '../../flash';
import { Link, navigate } from '../../router';
import { useLoad } from '../../useLoad';
import '../../portal.css';

const BACK = <Link to="/portal/catalog">← Service catalog</Link>;

/** One catalog item: what it is, what happens after ordering, and its order form. */
export function OrderItem({ id }: { id: string }) {
  const [item, setItem] = useState<CatalogItem | null>(null);
  const { reload, loadError } = useLoad(async (signal) => setItem(await getCatalogItem(id, signal)));
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const alertRef = useRef<HTMLDivElement>(null);
  const idempotency = useRef<{ order: string; key: string } | null>(null);

  useEffect(() => {
    document.title = `${item?.name ?? 'Order'} · Service catalog · FlowDesk`;
  }, [item]);

  useEffect(() => {
    if (problem) alertRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [problem]);

  /** The same key while the order is unchanged, so a retry after a lost answer opens no second request. */
  function keyFor(order: object): string {
    const text = JSON.stringify(order);
    if (idempotency.current?.order !== text) idempotency.current = { order: text, key: randomKey() };
    return idempotency.current.key;
  }

  async function order(answers: Answers) {
    setSubmitting(true);
    setProblem(null);
    const body = { item: id, answers };
    try {
      const ticket = await orderCatalogItem(body, keyFor(body));
      flash.set(`Request ${ticket.number} submitted.`);
      navigate(`/tickets/${encodeURIComponent(ticket.number)}`);
    } catch (error) {
      setProblem(toProblem(error));
      setServerErrors(error instanceof ApiError ? answerErrors(error) : {});
      setSubmitting(false);
    }
  }

  if (loadError) {
    return (
      <div className="page page-narrow portal">
        <PageHeader eyebrow={BACK} title={loadError.status === 404 ? 'No such item' : 'Catalog item'} />
        <ProblemView problem={loadError} onRetry={loadError.status === 404 ? undefined : () => void reload()} />
      </div>
    );
  }
  if (!item) {
    return (
      <div className="page portal">
        <Spinner label="Loading the item…" />
      </div>
    );
  }

  return (
    <div className="page portal">
      <PageHeader eyebrow={BACK} title={item.name} subtitle={<Tag>{item.category}</Tag>} />
      <div className="order-layout">
        <div className="order-main">
          <p className="order-description" data-testid="item-description">
            {item.description}
          </p>
          <div ref={alertRef}>{problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}</div>
          <SchemaForm
            key={item.id}
            form={item.form}
            serverErrors={serverErrors}
            submitting={submitting}
            submitLabel="Submit request"
            submittingLabel="Submitting…"
            onSubmit={(answers) => void order(answers)}
            label={`Order ${item.name}`}
            secondary={
              <Link to="/portal/catalog" className="btn btn-ghost">
                Cancel
              </Link>
            }
          />
        </div>
        <aside className="card order-aside" aria-label="What happens next" data-testid="order-next">
          <h2 className="card-title">What happens next</h2>
          <p data-testid="approval-note">{approvalNote(item.approval)}</p>
          {deadlines(item.approval).length > 0 && (
            <p className="muted small" data-testid="approval-due">
              {deadlines(item.approval).join(' ')}
            </p>
          )}
          <p className="muted small">Then the work is done by:</p>
          <ol className="order-tasks">
            {item.fulfilment.tasks.map((task) => (
              <li key={`${task.group}:${task.title}`}>
                <span>{task.title}</span> <Tag tone="blue">{task.group}</Tag>
              </li>
            ))}
          </ol>
          <p className="muted small">You can follow the request, and add to it, from its page once it is submitted.</p>
        </aside>
      </div>
    </div>
  );
}

/** Server messages for the form's own fields (`body.answers.<name>`), by field name. */
function answerErrors(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(error.fieldErrors())) {
    const name = /^answers\.(.+)$/.exec(field)?.[1];
    if (name) out[name] = message;
  }
  return out;
}

/** Who approves, level by level, in the requester's words. */
function approvalNote({ levels }: Approval): string {
  if (levels.length === 0) return 'No approval needed: the request goes straight to the team that fulfils it.';
  return levels.map((level, i) => `${approverPhrase(level)} ${i === 0 ? 'the request first' : 'it next'}.`).join(' ');
}

function approverPhrase({ approvers, mode }: CatalogApprovalLevel): string {
  if (approvers === 'manager') return 'Your manager approves';
  if (approvers === 'manager_of_manager') return "Your manager's manager approves";
  if ('group' in approvers) {
    const group = `the ${approvers.group} group`;
    if (mode.type === 'all') return `Every member of ${group} approves`;
    if (mode.type === 'percentage') return `${mode.percent}% of the members of ${group} approve`;
    if (mode.type === 'at_least') return `At least ${mode.count} members of ${group} approve`;
    return `A member of ${group} approves`;
  }
  const names = approvers.users.join(', ');
  if (approvers.users.length === 1) return `${names} approves`;
  if (mode.type === 'all') return `${names} all approve`;
  if (mode.type === 'percentage') return `${mode.percent}% of ${names} approve`;
  if (mode.type === 'at_least') return `At least ${mode.count} of ${names} approve`;
  return `One of ${names} approves`;
}

/** What happens to levels left undecided, one sentence each. */
function deadlines({ levels }: Approval): string[] {
  return levels.flatMap((level) => {
    if (!level.due || !level.onDue) return [];
    const when = `If ${level.name} has not decided within ${spell(level.due)},`;
    if (level.onDue === 'approve') return [`${when} that step is approved.`];
    if (level.onDue === 'reject') return [`${when} the request is rejected.`];
    return [`${when} ${escalationPhrase(level.escalateTo)} may decide too.`];
  });
}

function escalationPhrase(to: Approvers | undefined): string {
  if (to === 'manager') return 'your manager';
  if (to === 'manager_of_manager') return "your manager's manager";
  if (to && 'group' in to) return `the ${to.group} group`;
  return to ? to.users.join(', ') : 'someone else';
}

const UNITS: Record<string, string> = { d: 'day', h: 'hour', m: 'minute', s: 'second' };

/** '1d 12h' → '1 day 12 hours'. */
function spell(due: string): string {
  return due.trim().replace(/(\d+)\s*([dhms])\s*/g, (_, n: string, unit: string) => `${n} ${UNITS[unit]}${n === '1' ? '' : 's'} `).trim();
}

/** An Idempotency-Key; getRandomValues works on plain-http origins too, unlike randomUUID. */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
