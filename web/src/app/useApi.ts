import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api';
import type { Page } from '../api/types';

export type Loadable<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'error'; data?: undefined; error: Error }
  | { status: 'ok'; data: T; error?: undefined };

export interface Resource<T> {
  state: Loadable<T>;
  /** Loads again (the retry of an error notice). */
  reload: () => void;
  /** Replaces the loaded data (after a write that answered with the new value). */
  set: (update: (data: T) => T) => void;
}

/** Loads `load()` when `deps` change; stale answers of an earlier load are ignored. */
export function useApi<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [state, setState] = useState<Loadable<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    loadRef.current().then(
      (data) => live && setState({ status: 'ok', data }),
      (error: Error) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setTick((n) => n + 1);
  }, []);
  const set = useCallback((update: (data: T) => T) => {
    setState((s) => (s.status === 'ok' ? { status: 'ok', data: update(s.data) } : s));
  }, []);
  return { state, reload, set };
}

export interface PagedList<T> {
  items: T[];
  status: 'loading' | 'error' | 'ok';
  error?: Error;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  reload: () => void;
  update: (fn: (items: T[]) => T[]) => void;
}

/** A cursor-paged list: the first page on `deps` change, then "load more". */
export function usePaged<T>(load: (cursor?: string) => Promise<Page<T>>, deps: DependencyList): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'error' | 'ok'>('loading');
  const [error, setError] = useState<Error>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const gen = ++generation.current;
    setStatus('loading');
    loadRef.current().then(
      (page) => {
        if (gen !== generation.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setStatus('ok');
      },
      (err: Error) => {
        if (gen !== generation.current) return;
        setError(err);
        setStatus('error');
      },
    );
  }, [...deps, tick]);

  const loadMore = useCallback(() => {
    if (!cursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    loadRef.current(cursor).then(
      (page) => {
        if (gen !== generation.current) return;
        setItems((old) => [...old, ...page.items]);
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (err: ApiError) => {
        setLoadingMore(false);
        setError(err);
      },
    );
  }, [cursor]);

  return {
    items,
    status,
    error,
    hasMore: cursor !== null,
    loadingMore,
    loadMore,
    reload: useCallback(() => setTick((n) => n + 1), []),
    update: useCallback((fn: (items: T[]) => T[]) => setItems(fn), []),
  };
}
