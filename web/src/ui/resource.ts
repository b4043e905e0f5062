// Loading one API answer into a page: the administration pages read small lists
// (users, roles, groups) that change only through the page itself, so they are
// fetched on open and again after each change, not kept live like devices.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/http.ts';

export interface Resource<T> {
  /** null until the first answer (or when `path` is null). */
  data: T | null;
  /** The last loading error, cleared by the next successful load. */
  error: unknown;
  /** Fetches again; resolves once the answer (or the error) is in. */
  reload(): Promise<void>;
  /** Replaces the held value with what a change returned, without a round trip. */
  update(change: (current: T | null) => T | null): void;
}

/** GETs `path` on mount and whenever it changes; `null` loads nothing (not allowed). */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Answers to an older path (or after unmount) must not overwrite newer ones.
  const generation = useRef(0);

  const reload = useCallback(async (): Promise<void> => {
    const mine = ++generation.current;
    if (path === null) {
      setData(null);
      setError(null);
      return;
    }
    try {
      const answer = await api.get<T>(path);
      if (mine !== generation.current) return;
      setData(answer);
      setError(null);
    } catch (caught) {
      if (mine !== generation.current) return;
      setError(caught);
    }
  }, [path]);

  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  return { data, error, reload, update: setData };
}

/** `list` with `item` in place of the entry with its id, or added (the order is the page's to set). */
export function upserted<T extends { id: string }>(list: readonly T[] | null, item: T): T[] {
  return [...(list ?? []).filter((existing) => existing.id !== item.id), item];
}
