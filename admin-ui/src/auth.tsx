import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { request } from './api/client';
import { ApiError } from './api/errors';
import { getToken, onTokenChange, setToken } from './api/session';
import { MeDocument, type UserFieldsFragment } from './gql/graphql';

interface AuthState {
  user: UserFieldsFragment | null;
  /** true while the stored token is checked at start */
  checking: boolean;
  /** the check failed for a reason other than a refused token */
  error: ApiError | null;
  signedIn: (token: string, user: UserFieldsFragment) => void;
  signOut: () => void;
  retry: () => void;
}

const Ctx = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserFieldsFragment | null>(null);
  const [checking, setChecking] = useState(() => !!getToken());
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    if (!getToken()) {
      setUser(null);
      setChecking(false);
      return;
    }
    setChecking(true);
    setError(null);
    try {
      const d = await request(MeDocument);
      setUser(d.me);
    } catch (e) {
      if (e instanceof ApiError && !e.has('UNAUTHENTICATED')) setError(e);
      setUser(null);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void load();
    // UNAUTHENTICATED anywhere (or sign-out in another tab) clears the token.
    return onTokenChange((t) => {
      if (!t) setUser(null);
    });
  }, [load]);

  const signedIn = useCallback((token: string, u: UserFieldsFragment) => {
    setToken(token);
    setUser(u);
    setError(null);
  }, []);
  const signOut = useCallback(() => {
    setToken(null);
    setUser(null);
  }, []);

  return (
    <Ctx.Provider value={{ user, checking, error, signedIn, signOut, retry: load }}>{children}</Ctx.Provider>
  );
}

export function useAuth(): AuthState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

export function useUser(): UserFieldsFragment {
  const { user } = useAuth();
  if (!user) throw new Error('useUser needs a signed-in user');
  return user;
}
