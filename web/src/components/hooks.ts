import { useCallback, useEffect, useRef, useState } from 'react';
import type { Endpoints } from '../api/endpoints';
import { useAuth } from '../auth/auth';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): Promise<T | undefined>;
}

/** Loads with `load` when `deps` change; `reload` loads again and returns the result. */
export function useLoad<T>(load: (api: Endpoints) => Promise<T>, deps: unknown[]): Loaded<T> {
  const { api } = useAuth();
  const [state, setState] = useState<{ data?: T; error: unknown; loading: boolean }>({ error: null, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loadRef.current(api);
      if (mine === generation.current) setState({ data, error: null, loading: false });
      return data;
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
      return undefined;
    }
  }, [api, ...deps]); // `load` is read through a ref: the caller's deps say when to load again
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

const names = new Map<string, Promise<string>>();

/** The name of a division code (台山市端芬镇), cached for the session; the code itself until known. */
export function useJurisdictionName(code: string | undefined): string | undefined {
  const { api } = useAuth();
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!code) return;
    let live = true;
    if (!names.has(code)) names.set(code, api.jurisdiction(code).then((node) => node.name, () => code));
    void names.get(code)!.then((value) => live && setName(value));
    return () => {
      live = false;
    };
  }, [api, code]);
  return code ? (name ?? code) : undefined;
}
