import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type ApiToken, ApiError, createMyToken, listMyTokens, type Me, PERMISSIONS, type Problem, revokeMyToken, toProblem } from '../api';
import { ErrorAlert, FieldMessage, PermissionChip, ProblemView, Spinner, SuccessNotice, Tag } from '../components';
import { formatDateTime, formatRelative, PERMISSION_LABELS } from '../format';
import { useLoad } from '../useLoad';

const EXPIRY_CHOICES: { label: string; days: number | null }[] = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '180 days', days: 180 },
  { label: '1 year (366 days)', days: 366 },
  { label: 'Never', days: null },
];

function tokenStatus(token: ApiToken, now: number): { label: string; tone: 'green' | 'red' | 'amber' } {
  if (token.revokedAt) return { label: 'Revoked', tone: 'red' };
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now) return { label: 'Expired', tone: 'amber' };
  return { label: 'Active', tone: 'green' };
}

export function TokensCard({ me }: { me: Me }) {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<{ token: string; record: ApiToken } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const { reload, loadError } = useLoad(async (signal) => {
    const list = await listMyTokens(signal);
    setTokens(list.items);
  });

  async function revoke(token: ApiToken) {
    setBusy(token.id);
    setProblem(null);
    setNotice(null);
    try {
      await revokeMyToken(token.id);
      setConfirming(null);
      setNotice(`Token “${token.name}” revoked: it stops working at once.`);
      await reload();
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(null);
    }
  }

  const now = Date.now();
  const active = tokens?.filter((t) => tokenStatus(t, now).label === 'Active').length ?? 0;

  return (
    <section className="card" aria-labelledby="tokens-heading" data-testid="tokens">
      <div className="card-head">
        <div>
          <h2 id="tokens-heading" className="card-title">
            API tokens
          </h2>
          <p className="muted small">
            Scripts and integrations call the API with <code>Authorization: Bearer &lt;token&gt;</code>. A token carries only the permissions you pick, never more than you hold.
          </p>
        </div>
        {!creating && !issued && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setCreating(true);
              setNotice(null);
            }}
            data-testid="new-token-button"
          >
            New token
          </button>
        )}
      </div>

      {issued && (
        <TokenReveal
          issued={issued}
          onDone={() => {
            setIssued(null);
            setNotice(`Token “${issued.record.name}” is ready to use.`);
          }}
        />
      )}
      {creating && (
        <NewTokenForm
          permissions={me.permissions}
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setIssued(result);
            void reload();
          }}
        />
      )}

      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}

      {loadError ? (
        <ProblemView problem={loadError} onRetry={() => void reload()} />
      ) : tokens === null ? (
        <Spinner label="Loading your tokens…" />
      ) : tokens.length === 0 ? (
        <div className="empty empty-compact">
          <p className="empty-title">No API tokens yet</p>
          <p className="muted">Create one for a script, a CI job or a monitoring check.</p>
        </div>
      ) : (
        <div className="table-scroll table-bordered">
          <table className="table table-plain" data-testid="token-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => {
                const status = tokenStatus(token, now);
                return (
                  <tr key={token.id} data-testid="token-row" data-id={token.id} data-name={token.name} data-status={status.label.toLowerCase()} className={status.label === 'Active' ? undefined : 'row-dim'}>
                    <td>
                      <span className="strong">{token.name}</span>
                      <span className="muted small mono block">{token.id}</span>
                    </td>
                    <td className="cell-scopes">
                      <span className="badge-list">
                        {token.scopes.map((s) => (
                          <PermissionChip key={s} permission={s} />
                        ))}
                      </span>
                    </td>
                    <td className="nowrap" title={formatDateTime(token.createdAt)}>
                      {formatRelative(token.createdAt, now)}
                    </td>
                    <td className="nowrap">{token.expiresAt ? formatDateTime(token.expiresAt) : <span className="muted">Never</span>}</td>
                    <td className="nowrap">{token.lastUsedAt ? formatRelative(token.lastUsedAt, now) : <span className="muted">Never</span>}</td>
                    <td>
                      <Tag tone={status.tone} testId="token-status">
                        {status.label}
                      </Tag>
                    </td>
                    <td className="cell-actions">
                      {status.label !== 'Revoked' &&
                        (confirming === token.id ? (
                          <span className="confirm">
                            <span className="small">Revoke?</span>
                            <button type="button" className="btn btn-danger btn-sm" onClick={() => void revoke(token)} disabled={busy === token.id} data-testid="confirm-revoke">
                              {busy === token.id ? 'Revoking…' : 'Revoke'}
                            </button>
                            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirming(null)}>
                              Keep
                            </button>
                          </span>
                        ) : (
                          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirming(token.id)} data-testid="revoke-token">
                            Revoke
                          </button>
                        ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {tokens && tokens.length > 0 && (
        <p className="muted small">
          {active} active token{active === 1 ? '' : 's'} · revoked and expired tokens stay listed for the record.
        </p>
      )}
    </section>
  );
}

function NewTokenForm({ permissions, onCancel, onCreated }: { permissions: string[]; onCancel: () => void; onCreated: (result: { token: string; record: ApiToken }) => void }) {
  const mine = PERMISSIONS.filter((p) => permissions.includes(p));
  const [name, setName] = useState('');
  const [expiresInDays, setExpiresInDays] = useState<number | null>(90);
  const [scopes, setScopes] = useState<string[]>(mine.filter((p) => p !== 'identity.admin'));
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setProblem(null);
    setFieldErrors({});
    try {
      onCreated(await createMyToken({ name, scopes, expiresInDays }));
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(e.fieldErrors());
      setSubmitting(false);
    }
  }

  const toggle = (p: string) => setScopes((current) => (current.includes(p) ? current.filter((s) => s !== p) : [...current, p]));

  return (
    <form className="subcard form-compact" onSubmit={submit} noValidate aria-label="New API token" data-testid="new-token-form">
      <h3 className="card-subtitle">New API token</h3>
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
      <div className="field-grid">
        <div className={`field${fieldErrors.name ? ' has-error' : ''}`}>
          <label htmlFor="token-name">Name</label>
          <input
            id="token-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            placeholder="e.g. Nightly report script"
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby={fieldErrors.name ? 'token-name-error' : 'token-name-hint'}
            autoFocus
          />
          <p className="hint" id="token-name-hint">
            So you recognise it later.
          </p>
          <FieldMessage id="token-name-error" message={fieldErrors.name} />
        </div>
        <div className={`field${fieldErrors.expiresInDays ? ' has-error' : ''}`}>
          <label htmlFor="token-expiry">Expires after</label>
          <select id="token-expiry" value={expiresInDays === null ? 'never' : String(expiresInDays)} onChange={(e) => setExpiresInDays(e.target.value === 'never' ? null : Number(e.target.value))}>
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.label} value={c.days === null ? 'never' : String(c.days)}>
                {c.label}
              </option>
            ))}
          </select>
          <p className="hint">{expiresInDays === null ? 'A token that never expires must be revoked by hand.' : `Stops working on ${formatDateTime(new Date(Date.now() + expiresInDays * 86_400_000).toISOString())}.`}</p>
          <FieldMessage id="token-expiry-error" message={fieldErrors.expiresInDays} />
        </div>
      </div>
      <fieldset className={`field checks${fieldErrors.scopes ? ' has-error' : ''}`}>
        <legend>Scopes</legend>
        <p className="hint">Pick only what the script needs; you can hold more than the token.</p>
        <div className="check-grid">
          {mine.map((p) => (
            <label key={p} className="check">
              <input type="checkbox" checked={scopes.includes(p)} onChange={() => toggle(p)} data-testid={`scope-${p}`} />
              <span>
                <code>{p}</code>
                <span className="check-desc">{PERMISSION_LABELS[p]}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldMessage id="scopes-error" message={fieldErrors.scopes} />
      </fieldset>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={submitting} data-testid="create-token">
          {submitting ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallback) return false;
    fallback.focus();
    fallback.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** The secret, shown once: copy it now or never. */
function TokenReveal({ issued, onDone }: { issued: { token: string; record: ApiToken }; onDone: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  useEffect(() => {
    inputRef.current?.select();
  }, []);

  return (
    <div className="reveal" role="region" aria-label="Your new API token" data-testid="token-reveal">
      <div className="reveal-head">
        <span className="reveal-icon" aria-hidden="true">
          !
        </span>
        <div>
          <p className="reveal-title">Copy your new token “{issued.record.name}” now</p>
          <p className="reveal-text">
            <strong>You will not see it again.</strong> FlowDesk stores only a hash of it; if you lose it, revoke it and create another.
          </p>
        </div>
      </div>
      <div className="input-group">
        <input ref={inputRef} className="token-value" type="text" readOnly value={issued.token} aria-label="API token" onFocus={(e) => e.currentTarget.select()} data-testid="new-token" spellCheck={false} />
        <button
          type="button"
          className="btn btn-primary"
          onClick={async () => setCopied(await copyText(issued.token, inputRef.current))}
          data-testid="copy-token"
        >
          {copied ? 'Copied ✓' : 'Copy'}
        </button>
      </div>
      {copied === false && <p className="hint">Your browser blocked the clipboard: the token is selected, press Ctrl+C (⌘C) to copy it.</p>}
      <div className="reveal-foot">
        <span className="muted small">
          Scopes: {issued.record.scopes.join(', ')} · {issued.record.expiresAt ? `expires ${formatDateTime(issued.record.expiresAt)}` : 'never expires'}
        </span>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onDone} data-testid="token-done">
          I have copied it
        </button>
      </div>
    </div>
  );
}
