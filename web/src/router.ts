// Client-side routing under the console's base path (`/console/`). The server
// answers every `/console/*` path with index.html, so any route can be reloaded.

import { useEffect, useState } from 'preact/hooks';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export interface Route {
  /** Path inside the console, always starting with `/` (e.g. `/devices`). */
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();

function current(): Route {
  let path = location.pathname;
  if (path.startsWith(BASE)) path = path.slice(BASE.length);
  if (path === '') path = '/';
  return { path, query: new URLSearchParams(location.search) };
}

/** The full browser path for a console path. */
export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = href(path);
  if (target === location.pathname + location.search) return;
  if (options.replace === true) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  for (const listener of [...listeners]) listener();
}

window.addEventListener('popstate', () => {
  for (const listener of [...listeners]) listener();
});

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const listener = (): void => setRoute(current());
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return route;
}

/** Matches `/sessions/:id` style patterns; returns the parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = have[index];
    if (actual === undefined) return null;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(actual);
    else if (part !== actual) return null;
  }
  return params;
}
