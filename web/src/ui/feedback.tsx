import { Link } from './link.tsx';
import type { ComponentChildren } from 'preact';

/** An error the user must see; screen readers announce it. */
export function ErrorMessage({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <div class="alert alert-error" role="alert" id={id}>
      {children}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** What an empty list says, and where it sends the user. */
export interface EmptyState {
  title: string;
  body: string;
  action: { to: string; label: string };
}

/**
 * The placeholder shown instead of a list while it loads, when it failed to load, or
 * when it is empty; `null` when the list has items to show.
 */
export function listPlaceholder<T>(
  items: readonly T[] | null,
  error: string | null,
  loadingLabel: string,
  empty: EmptyState,
) {
  if (items === null) {
    return error !== null ? <ErrorMessage>{error}</ErrorMessage> : <Loading label={loadingLabel} />;
  }
  if (items.length > 0) return null;
  return (
    <div class="empty card">
      <h2>{empty.title}</h2>
      <p>{empty.body}</p>
      <Link to={empty.action.to} class="button button-primary">
        {empty.action.label}
      </Link>
    </div>
  );
}
