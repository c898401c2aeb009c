import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import type { Me } from '../api/types';

interface AuthState {
  /** The signed-in member, null for a visitor, undefined while still asking the server. */
  me: Me | null | undefined;
  /** Set when /me failed for a reason other than "not signed in". */
  error?: Error;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
  isOperator: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

/** Holds who is signed in, from GET /api/v1/auth/session (null for a visitor, without a 401). */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<Error>();

  const refresh = useCallback(async () => {
    try {
      setMe((await api.auth.session()).me);
      setError(undefined);
    } catch (err) {
      setMe(null);
      setError(err as Error);
    }
  }, []);

  const signOut = useCallback(async () => {
    await api.auth.logout();
    setMe(null);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(
    () => ({ me, error, refresh, signOut, isOperator: !!me?.roles.includes('operator') }),
    [me, error, refresh, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
