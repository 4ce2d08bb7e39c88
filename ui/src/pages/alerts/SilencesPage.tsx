import { useCallback, useEffect, useState } from 'react';
import '../../alerts.css';
import { expireSilence, listSilences, type Problem, type Silence, toProblem } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatDateTime } from '../../format';
import { hasPermission, useMe } from '../../session';
import { AlertTabs } from './AlertTabs';
import { SilenceForm } from './SilenceForm';

const STATE_TONE = { active: 'violet', pending: 'blue', expired: 'neutral' } as const;

/** Silences: active and pending first by end time, expired ones for the record; create and expire. */
export function SilencesPage() {
  const me = useMe();
  const [silences, setSilences] = useState<Silence[] | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [creating, setCreating] = useState(false);
  const load = useCallback((signal?: AbortSignal) => listSilences(signal).then(setSilences, (e: unknown) => !signal?.aborted && setError(toProblem(e))), []);
  useEffect(() => {
    document.title = 'Silences · Alerts · FlowDesk';
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);
  const canSilence = hasPermission(me, 'alert.silence');

  async function expire(id: string) {
    setActionError(null);
    try {
      await expireSilence(id);
      await load();
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  return (
    <div className="page page-wide alerts">
      <PageHeader
        eyebrow="Alert center"
        title="Silences"
        subtitle="Hold back notification and escalation for alerts that match, for a time."
        actions={canSilence && <button type="button" className="btn btn-primary" onClick={() => setCreating((v) => !v)} data-testid="silence-new">New silence</button>}
      />
      <AlertTabs current="silences" />
      {creating && <SilenceForm onDone={() => { setCreating(false); void load(); }} />}
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {error ? (
        <ProblemView problem={error} onRetry={() => void load()} />
      ) : silences === null ? (
        <Spinner label="Loading silences…" />
      ) : silences.length === 0 ? (
        <section className="card empty">
          <p className="empty-title">No silences</p>
          <p className="muted">Create one here, or from an alert with “Silence like this…”.</p>
        </section>
      ) : (
        <section className="card table-card" aria-label="Silences">
          <table className="table" data-testid="silences-table">
            <thead>
              <tr>
                <th scope="col">Matchers</th>
                <th scope="col">State</th>
                <th scope="col">Until</th>
                <th scope="col">By</th>
                <th scope="col">Why</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {silences.map((s) => (
                <tr key={s.id} data-testid="silence-row" data-state={s.state}>
                  <td className="mono small">{s.text}</td>
                  <td>
                    <Tag tone={STATE_TONE[s.state]}>{s.state}</Tag>
                  </td>
                  <td className="small nowrap">{formatDateTime(s.endsAt)}</td>
                  <td className="small">{s.createdBy}</td>
                  <td className="small">{s.comment}</td>
                  <td>
                    {canSilence && s.state !== 'expired' && (
                      <button type="button" className="btn btn-secondary btn-small" onClick={() => void expire(s.id)} data-testid="silence-expire">
                        Expire
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
