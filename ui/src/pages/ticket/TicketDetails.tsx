import type { ReactNode } from 'react';
import type { IncidentTicket, ProblemTicketView } from '../../api';
import { ticketPath } from '../../api/notifications';
import { formatDateTime, HOLD_REASON_LABELS, LEVEL_LABELS } from '../../format';
import { Link } from '../../router';
import { RequestDetails } from './RequestDetails';
import { useTicketScope } from './ticketContext';

/** Description, classification and the fields of the ticket's kind. */
export function TicketDetails() {
  const { ticket } = useTicketScope();
  return (
    <section className="card" aria-labelledby="details-heading">
      <h2 id="details-heading" className="card-title">
        Details
      </h2>
      {ticket.kind !== 'request' && (
        <div className="ticket-description">{ticket.description ? <p className="description" data-testid="description">{ticket.description}</p> : <p className="muted">No description.</p>}</div>
      )}
      <dl className="fields">
        <Field label="Impact">{LEVEL_LABELS[ticket.impact]}</Field>
        <Field label="Urgency">{LEVEL_LABELS[ticket.urgency]}</Field>
        <Field label="Category">{ticket.category ?? <None />}</Field>
        <Field label="Service">{ticket.service ?? <None />}</Field>
        <Field label="Affected CIs">{ticket.affectedCis.length ? ticket.affectedCis.join(', ') : <None />}</Field>
        <Field label="Opened">{formatDateTime(ticket.createdAt)}</Field>
        <Field label="Updated">{formatDateTime(ticket.updatedAt)}</Field>
        {ticket.reassignmentCount > 0 && <Field label="Reassigned">{ticket.reassignmentCount}×</Field>}
      </dl>
      {ticket.kind === 'incident' && <IncidentFields incident={ticket} />}
      {ticket.kind === 'problem' && <ProblemFields problem={ticket} />}
      {ticket.kind === 'request' && <RequestDetails request={ticket} />}
    </section>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="field-pair">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

const None = () => <span className="muted">—</span>;

export function TicketLink({ number }: { number: string }) {
  return (
    <Link to={ticketPath(number)} className="mono">
      {number}
    </Link>
  );
}

function IncidentFields({ incident }: { incident: IncidentTicket }) {
  return (
    <>
      <h3 className="subheading">Incident</h3>
      <dl className="fields">
        {incident.holdReason && <Field label="On hold because">{HOLD_REASON_LABELS[incident.holdReason]}</Field>}
        <Field label="Parent incident" testId="parent">{incident.parent ? <TicketLink number={incident.parent} /> : <None />}</Field>
        <Field label="Child incidents" testId="children">
          {incident.children.length ? incident.children.map((n, i) => <span key={n}>{i > 0 && ', '}<TicketLink number={n} /></span>) : <None />}
        </Field>
        <Field label="Problem" testId="problem-link">{incident.problem ? <TicketLink number={incident.problem} /> : <None />}</Field>
        {incident.reopenCount > 0 && <Field label="Reopened">{incident.reopenCount}×</Field>}
      </dl>
      <Resolution code={incident.resolutionCode} notes={incident.resolutionNotes} at={incident.resolvedAt} />
    </>
  );
}

function ProblemFields({ problem }: { problem: ProblemTicketView }) {
  return (
    <>
      <h3 className="subheading">Root cause</h3>
      {problem.rootCause ? <p className="description" data-testid="root-cause">{problem.rootCause}</p> : <p className="muted">Not found yet.</p>}
      <h3 className="subheading">Workaround</h3>
      {problem.workaround ? <p className="description" data-testid="workaround">{problem.workaround}</p> : <p className="muted">None recorded.</p>}
      <dl className="fields">
        <Field label="Known error">{problem.knownErrorAt ? `Published ${formatDateTime(problem.knownErrorAt)}` : 'Not published'}</Field>
        <Field label="Linked incidents" testId="linked-incidents">
          {problem.linkedIncidents.length ? problem.linkedIncidents.map((n, i) => <span key={n}>{i > 0 && ', '}<TicketLink number={n} /></span>) : <None />}
        </Field>
      </dl>
      <Resolution code={problem.resolutionCode} notes={problem.resolutionNotes} at={problem.resolvedAt} />
    </>
  );
}

function Resolution({ code, notes, at }: { code: string | null; notes: string | null; at: string | null }) {
  if (!code) return null;
  return (
    <div className="resolution" data-testid="resolution">
      <h3 className="subheading">Resolution</h3>
      <p>
        <strong>{code}</strong>
        {at && <span className="muted"> · {formatDateTime(at)}</span>}
      </p>
      {notes && <p className="description">{notes}</p>}
    </div>
  );
}
