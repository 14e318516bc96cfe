import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createApiClient, localTokenStore, type ApiClient, type TokenStore } from '../api/client';
import { endpoints, type Endpoints } from '../api/endpoints';
import type { AuthUser } from '../api/types';

interface AuthValue {
  /** undefined while the stored session is being checked; null when signed out. */
  user: AuthUser | null | undefined;
  api: Endpoints;
  client: ApiClient;
  login(username: string, password: string): Promise<void>;
  logout(): void;
}

const AuthContext = createContext<AuthValue | null>(null);

/** The session: the API client with its tokens, and the user they belong to. */
export function AuthProvider({ children, store = localTokenStore }: { children: ReactNode; store?: TokenStore }) {
  const [user, setUser] = useState<AuthUser | null | undefined>(store.get() ? undefined : null);
  const client = useMemo(() => createApiClient({ store, onSignedOut: () => setUser(null) }), [store]);
  const api = useMemo(() => endpoints(client), [client]);

  useEffect(() => {
    if (user !== undefined) return;
    api.me().then(setUser, () => {
      store.set(null);
      setUser(null);
    });
  }, [api, store, user]);

  const login = useCallback(
    async (username: string, password: string) => {
      await client.login(username, password);
      setUser(await api.me());
    },
    [api, client],
  );
  const logout = useCallback(() => {
    client.logout();
    setUser(null);
  }, [client]);

  const value = useMemo(() => ({ user, api, client, login, logout }), [user, api, client, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** The signed-in user (inside the pages behind RequireAuth). */
export function useUser(): AuthUser {
  const { user } = useAuth();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}
