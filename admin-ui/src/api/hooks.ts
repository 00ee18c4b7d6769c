import { useCallback, useEffect, useRef, useState } from 'react';
import { request, type Doc } from './client';
import { ApiError } from './errors';

export interface QueryState<R> {
  data: R | undefined;
  error: ApiError | undefined;
  loading: boolean;
  refetch: () => Promise<void>;
  setData: (update: (prev: R | undefined) => R | undefined) => void;
}

/** Runs a query on mount and whenever its variables change. */
export function useQuery<R, V>(doc: Doc<R, V>, variables?: V, opts?: { skip?: boolean }): QueryState<R> {
  const [data, setDataState] = useState<R>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(!opts?.skip);
  const key = JSON.stringify(variables ?? {});
  const seq = useRef(0);
  const varsRef = useRef(variables);
  varsRef.current = variables;

  const run = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const d = await request(doc, varsRef.current);
      if (mine === seq.current) {
        setDataState(d);
        setError(undefined);
      }
    } catch (e) {
      if (mine === seq.current) setError(e instanceof ApiError ? e : new ApiError([{ message: String(e), code: 'INTERNAL' }]));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [doc]);

  useEffect(() => {
    if (opts?.skip) return;
    void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, key, opts?.skip]);

  const setData = useCallback((u: (prev: R | undefined) => R | undefined) => setDataState((p) => u(p)), []);
  return { data, error, loading, refetch: run, setData };
}

export interface MutationState<R, V> {
  run: (variables: V) => Promise<R | undefined>;
  busy: boolean;
  error: ApiError | undefined;
  reset: () => void;
}

/** A mutation: `run` resolves to the data, or to undefined with `error` set. */
export function useMutation<R, V>(doc: Doc<R, V>): MutationState<R, V> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(
    async (variables: V) => {
      setBusy(true);
      setError(undefined);
      try {
        return await request(doc, variables);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError([{ message: String(e), code: 'INTERNAL' }]));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [doc],
  );
  return { run, busy, error, reset: () => setError(undefined) };
}
