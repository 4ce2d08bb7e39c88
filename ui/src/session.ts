/**
 * Who is signed in, as an external store (like the router's location): loaded once from
 * GET /auth/me, replaced on sign-in, cleared on sign-out or on any 401 from the API.
 * The CSRF token travels with it into the API client's memory, never into storage.
 */
import { useSyncExternalStore } from 'react';
import { ApiError, getMe, login as apiLogin, logout as apiLogout, type Me, onForbidden, onUnauthorized, type Problem, setCsrfToken, toProblem } from './api';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedIn'; me: Me }
  /** `returnTo`: where to go back after signing in again; `reason`: shown on the sign-in page. */
  | { status: 'signedOut'; returnTo: string | null; reason: string | null }
  /** The session could not be checked (API down): nothing to sign in to yet. */
  | { status: 'error'; problem: Problem };

let state: SessionState = { status: 'loading' };
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  setCsrfToken(next.status === 'signedIn' ? next.me.csrfToken : null);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, () => state);
}

export function currentSession(): SessionState {
  return state;
}

const here = () => window.location.pathname + window.location.search;

onUnauthorized(() => {
  if (state.status !== 'signedIn') return;
  set({ status: 'signedOut', returnTo: here(), reason: 'Your session has ended. Sign in again to continue where you were.' });
});

// A 403 means the roles changed under us (or the CSRF token went stale): re-read the
// session, at most every few seconds, so the navigation and guards match the server.
let lastRefresh = 0;
onForbidden(() => {
  if (state.status !== 'signedIn' || Date.now() - lastRefresh < 5_000) return;
  lastRefresh = Date.now();
  void loadSession();
});

/** Checks the session cookie (at start-up, or to pick up changed roles). */
export async function loadSession(): Promise<void> {
  try {
    const me = await getMe();
    set({ status: 'signedIn', me });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const path = window.location.pathname;
      set({ status: 'signedOut', returnTo: path === '/login' ? null : here(), reason: null });
    } else {
      set({ status: 'error', problem: toProblem(error) });
    }
  }
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await apiLogin(username, password);
  set({ status: 'signedIn', me });
  return me;
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function signOut(): Promise<void> {
  try {
    await apiLogout();
  } catch {
    // Already gone or unreachable: the local session ends either way.
  }
  set({ status: 'signedOut', returnTo: null, reason: 'You have signed out.' });
}

export function hasPermission(me: Me | null | undefined, permission: string): boolean {
  return !!me && me.permissions.includes(permission);
}

/** Permission check for components under the signed-in shell. */
export function useCan(): (permission: string) => boolean {
  const session = useSession();
  const me = session.status === 'signedIn' ? session.me : null;
  return (permission) => hasPermission(me, permission);
}

export function useMe(): Me | null {
  const session = useSession();
  return session.status === 'signedIn' ? session.me : null;
}

/** Only same-site paths: a `next` parameter must never send the user elsewhere. */
export function safeReturnPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}
