import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, listSsoProviders, type Problem, type SsoProvider, toProblem } from '../api';
import { BrandMark, ErrorAlert, Spinner } from '../components';
import { navigate, useLocation } from '../router';
import { safeReturnPath, signIn, useSession } from '../session';

/** The sign-in problem as a person would want it put; the server's detail stays verbatim. */
function explain(error: unknown): Problem {
  const problem = toProblem(error);
  switch (problem.status) {
    case 401:
      // A wrong password needs no request id to report.
      return { ...problem, title: 'Sign-in failed', detail: problem.detail || 'invalid username or password', requestId: undefined };
    case 423:
      return { ...problem, title: 'Account locked' };
    case 429:
      return { ...problem, title: 'Too many attempts' };
    default:
      return problem;
  }
}

export function LoginPage() {
  const session = useSession();
  const { search } = useLocation();
  const next = search.get('next');
  // Single sign-on sends the browser back here with ?error=… when it did not work out.
  const ssoError = search.get('error');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(() =>
    ssoError ? { type: 'about:blank', title: 'Single sign-on failed', status: 0, detail: ssoError } : null,
  );
  const [providers, setProviders] = useState<SsoProvider[]>([]);
  const [ldap, setLdap] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in · FlowDesk';
  }, []);

  const signedIn = session.status === 'signedIn';
  useEffect(() => {
    if (signedIn) navigate(safeReturnPath(next), { replace: true });
  }, [signedIn, next]);

  // Single sign-on is optional: a server without it answers 404 and the area stays hidden.
  useEffect(() => {
    const controller = new AbortController();
    listSsoProviders(controller.signal)
      .then((list) => {
        setProviders(Array.isArray(list.items) ? list.items : []);
        setLdap(list.ldap === true);
      })
      .catch(() => {
        if (!controller.signal.aborted) setProviders([]);
      });
    return () => controller.abort();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setProblem({ type: 'about:blank', title: 'Sign-in failed', status: 0, detail: 'Enter your user name and password.' });
      (username.trim() ? passwordRef : usernameRef).current?.focus();
      return;
    }
    setSubmitting(true);
    setProblem(null);
    try {
      await signIn(username.trim(), password);
      // The effect above moves on once the session store says we are signed in.
    } catch (error) {
      setProblem(explain(error));
      setPassword('');
      setSubmitting(false);
      if (!(error instanceof ApiError) || error.status !== 423) passwordRef.current?.focus();
    }
  }

  const reason = session.status === 'signedOut' ? session.reason : null;

  return (
    <div className="auth-screen">
      <div className="auth-card" data-testid="login">
        <div className="auth-brand">
          <BrandMark size={40} />
          <span className="auth-brand-name">FlowDesk</span>
        </div>
        {session.status === 'loading' || signedIn ? (
          <Spinner label={signedIn ? 'Signing you in…' : 'Checking your session…'} />
        ) : (
          <>
            <div className="auth-heading">
              <h1>Sign in</h1>
              <p className="muted">{ldap ? 'Use your directory account or your FlowDesk password.' : 'Welcome back. Use your FlowDesk account to continue.'}</p>
            </div>
            {reason && !problem && (
              <div className="alert alert-info" role="status" data-testid="login-reason">
                <div className="alert-icon" aria-hidden="true">
                  i
                </div>
                <div className="alert-body">
                  <p className="alert-detail">{reason}</p>
                </div>
              </div>
            )}
            {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
            <form className="auth-form" onSubmit={submit} noValidate aria-label="Sign in" data-testid="login-form">
              <div className="field">
                <label htmlFor="username">User name</label>
                <input
                  ref={usernameRef}
                  id="username"
                  name="username"
                  type="text"
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                  autoComplete="username"
                  autoCapitalize="none"
                  spellCheck={false}
                  autoFocus
                />
              </div>
              <div className="field">
                <label htmlFor="password">Password</label>
                <input ref={passwordRef} id="password" name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
              </div>
              <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={submitting} data-testid="login-submit">
                {submitting ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            {providers.length > 0 && (
              <div className="sso" data-testid="sso">
                <div className="divider">
                  <span>or</span>
                </div>
                {providers.map((provider) => (
                  <a key={provider.id} href={provider.url} className="btn btn-secondary btn-block btn-lg" data-testid={`sso-${provider.id}`}>
                    Sign in with {provider.name}
                  </a>
                ))}
              </div>
            )}
          </>
        )}
      </div>
      <p className="auth-foot muted small">FlowDesk service desk · access is logged</p>
    </div>
  );
}
